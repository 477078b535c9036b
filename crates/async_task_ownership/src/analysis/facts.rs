//! The one traversal. Every function body is walked once, top-down, and each
//! expression is visited knowing how its value is *used* (awaited, bound,
//! added to a container, passed to a call, …). For every expression that
//! denotes something the rule follows — a candidate spawn site, a local, a
//! module-level name, an attribute — the walk records plain facts:
//!
//! - [`Event`]s: what happens to a value (awaited, cancelled, returned, …);
//! - [`Flow`]s: where a value goes (a local, a slot, a container, a parameter);
//! - [`Handler`]s: exception handlers and `suppress()` blocks, for §3 and §4.
//!
//! The later stages (owners, lifecycle, task bodies) only read these facts.

use ruff_python_ast::{self as ast, Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};

use super::model::{Model, NameHome, ScopeId, MODULE_SCOPE};
use super::names::{
    any_expr, contains_ignoring_ascii_case, dotted_name, last_identifier, mentions_name,
};
use super::spawn::{self, SpawnApi, WaitFn};
use super::stack::guard;
use crate::messages::transfer;
use crate::Settings;

pub(crate) type SiteId = u32;

/// Something whose uses are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Key<'a> {
    /// The value of a candidate spawn site (a spawn call or a call of a
    /// function of the module).
    Site(SiteId),
    /// A local (or parameter) of a function.
    Local(ScopeId, &'a str),
    /// A module-level name.
    Module(&'a str),
    /// `<expr>.<attr>` inside methods of a class family (`None` outside classes).
    Attr(Option<u32>, &'a str),
}

/// A candidate spawn site.
pub(crate) struct Site<'a> {
    pub call: &'a ExprCall,
    pub scope: ScopeId,
    /// The base spawn form, if it is one.
    pub api: Option<SpawnApi>,
    /// The function of the module it calls, if it does.
    pub callee: Option<ScopeId>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EventKind<'a> {
    Discarded,
    Awaited {
        protected: bool,
    },
    Cancelled,
    /// Polled until it is done (`while not task.done(): await sleep(…)`):
    /// waited for, without its outcome.
    Waited,
    DoneCallback {
        observing: bool,
    },
    Pruned,
    Returned,
    Yielded,
    HandedOn(Transfer<'a>),
    Other,
    /// The key (a slot) is bound to a new value.
    Bound(BoundValue),
    Deleted,
}

/// Where a value was handed on. Kept as the expressions involved and put
/// into words only for the tasks reported (most handed-on values are not
/// tasks at all).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Transfer<'a> {
    /// Passed to `gather()`, `wait()`, … .
    Gathered,
    /// Stored on an attribute of another object (the target).
    StoredOn(&'a Expr),
    /// Added to a container that is not followed.
    AddedTo(&'a Expr),
    /// Passed to a call the walk does not follow.
    PassedTo {
        func: &'a Expr,
        /// The callee is a class of the module.
        constructor: bool,
    },
}

impl Transfer<'_> {
    /// In words (`stored on `job.task``, `passed to `register()``).
    pub(crate) fn describe(self) -> String {
        let dotted = |e: &Expr| dotted_name(e).map(|s| s.join("."));
        match self {
            Transfer::Gathered => transfer::GATHERED.to_string(),
            Transfer::StoredOn(target) => {
                let text = dotted(target).unwrap_or_else(|| match target {
                    Expr::Attribute(a) => format!("….{}", a.attr),
                    _ => "…".to_string(),
                });
                transfer::stored_on(&text)
            }
            Transfer::AddedTo(container) => transfer::added_to(dotted(container).as_deref()),
            Transfer::PassedTo { func, constructor } => {
                transfer::passed_to(dotted(func).as_deref(), constructor)
            }
        }
    }
}

/// What a slot is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoundValue {
    None,
    Fresh,
    SelfPruning,
    Borrowed,
    Task,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Event<'a> {
    pub key: Key<'a>,
    pub scope: ScopeId,
    pub range: TextRange,
    pub kind: EventKind<'a>,
    /// The innermost `try`/`suppress` frame around it (0: none).
    pub frame: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowKind {
    /// The same value under another name.
    Assign,
    /// Put into a container.
    Add,
    /// An element taken out of a container (a `for` target, `pop`).
    Element,
    /// Passed to a parameter of a function of the module.
    Param,
}

#[derive(Debug, Clone)]
pub(crate) struct Flow<'a> {
    pub from: Key<'a>,
    pub to: Key<'a>,
    pub kind: FlowKind,
    pub scope: ScopeId,
    /// The statement (or expression) that makes the flow.
    pub range: TextRange,
    /// Whether a restart guard (§8.6) protects it.
    pub guarded: bool,
    /// Inside a `for` or `while` of its function: the code before it may
    /// run after it.
    pub in_loop: bool,
    /// The start of the statement list it stands in (which names that
    /// list: two flows with the same one run together).
    pub block_start: TextSize,
}

#[derive(Debug, Clone)]
pub(crate) struct Handler {
    pub scope: ScopeId,
    /// The `except` clause, or the `with suppress(...)` item.
    pub range: TextRange,
    pub catches_cancel: bool,
    /// Catches `Exception` or broader.
    pub broad: bool,
    pub in_loop: bool,
    /// Its body raises, returns or breaks.
    pub exits: bool,
    /// Its body raises (an `except` clause; decision 9: any `raise`).
    pub raises: bool,
    /// The frame of the protected body.
    pub frame: u32,
    /// The protected body can suspend (an `await`, `async for` or `async
    /// with` of the function's own): only there can the task's own
    /// cancellation arrive.
    pub suspends: bool,
}

/// Everything the walk found.
#[derive(Default)]
pub(crate) struct Facts<'a> {
    pub sites: Vec<Site<'a>>,
    pub events: Vec<Event<'a>>,
    pub flows: Vec<Flow<'a>>,
    pub handlers: Vec<Handler>,
    pub site_by_range: FxHashMap<TextRange, SiteId>,
    /// The branches of each `if` that has an `elif` or `else`, and the
    /// `except` and `else` clauses of each `try`, by statement (the
    /// branches of one statement are next to each other): at most one of
    /// them runs.
    pub branches: Vec<(u32, TextRange)>,
    /// Plain assignments to locals and slots (`task = …`, `self._t = …`),
    /// each with the end of the block it stands in: the code after it up to
    /// there runs only after it, and sees the new value.
    pub binds: Vec<Bind<'a>>,
    /// Awaits and polls written on a slot itself (`await self._t`, not
    /// through another name or another object's attribute).
    pub direct_waits: FxHashSet<TextRange>,
    /// Waits written as `await …` (of the task, a name of it, or a wait
    /// function's call), not `result()`/`exception()` calls.
    pub await_exprs: FxHashSet<TextRange>,
    /// Calls written under `await` (`await self._wait(t)`, `await
    /// self.close()`), or given to a wait function that is (`await
    /// asyncio.gather(self.close())`).
    pub awaited_calls: FxHashSet<TextRange>,
    /// The parameter flows (indices into `flows`) of such calls.
    pub awaited_params: FxHashSet<u32>,
    /// The parameter flows of calls made where `CancelledError` is handled
    /// (`with suppress(BaseException): drive(loop, t)`).
    pub protected_params: FxHashSet<u32>,
    /// `asyncio.wait` calls that may return before every task is done
    /// (`return_when=FIRST_COMPLETED`, a `timeout`).
    pub early_waits: Vec<TextRange>,
    /// Of those, the ones on a single task without a timeout
    /// (`asyncio.wait([t], return_when=FIRST_COMPLETED)`): they return
    /// when it ends.
    pub single_waits: Vec<TextRange>,
    /// Adds of a task as a mapping's key (`self._conns[task] = conn`).
    pub key_adds: FxHashSet<TextRange>,
    /// Stores under a constant key (`self._tasks["writer"] = task`): each
    /// replaces the task the key held, so they never grow the mapping.
    pub const_key_stores: FxHashSet<TextRange>,
    /// Adds into a container inside the collection (`self._by_doc[doc].append(task)`,
    /// `setdefault(doc, []).append(task)`): its tasks are in its elements.
    pub nested_adds: FxHashSet<TextRange>,
    /// Of those, stores under a key of the inner container
    /// (`tasks[namespace][name] = task`): its values hold the tasks.
    pub nested_mapping_adds: FxHashSet<TextRange>,
    /// The elements of returned tuples (`return task, generation`).
    pub in_returned_tuple: FxHashSet<TextRange>,
    /// Where each cancel stands: the start of its statement list.
    pub cancel_blocks: FxHashMap<TextRange, TextSize>,
    /// Locals bound otherwise than by an assignment statement (a `for` or
    /// `with` target, `:=`, a comprehension's): not followed in order.
    pub late_bound: FxHashSet<(ScopeId, &'a str)>,
    /// Dataclass fields bound from outside or to a weak container, with
    /// what they are bound to (see [`fields_from_outside`]).
    pub field_values: Vec<(Key<'a>, BoundValue)>,
    /// Lambdas and generator expressions: their code runs later than it
    /// stands.
    pub deferred: Vec<TextRange>,
    /// Cancels handed to a call as a callable (`call_later(5, t.cancel)`):
    /// they run later than they stand.
    pub handed_cancels: Vec<TextRange>,
    /// `for` statements and comprehension generators with a plain name as
    /// target, by function and name: the iterable's range and the body's
    /// (a comprehension's: the whole of it), in the order met.
    pub for_loops: FxHashMap<(ScopeId, &'a str), Vec<(TextRange, TextRange)>>,
    /// `super().method(…)` calls (and `super(Cls, self).method(…)`) in a
    /// class's functions: the function, the method's name, the call. They
    /// run a base's method on the instance, never an override below the
    /// class (`class_owners` closes a start or stop over them).
    pub super_calls: Vec<(ScopeId, &'a str, TextRange)>,
    /// The module's statements (for the rare question no fact answers:
    /// [`kept_by_unseen_callers`]).
    pub module_body: &'a [Stmt],
}

/// An assignment statement binding a key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bind<'a> {
    pub key: Key<'a>,
    pub scope: ScopeId,
    /// The statement.
    pub range: TextRange,
    /// The end of the statement list it is in.
    pub until: TextSize,
    /// The start of that statement list.
    pub block_start: TextSize,
    /// The value assigned.
    pub value: &'a Expr,
    /// The slot the value names, when it is one (`self._tasks`, a module
    /// name, or the first of `self._a if c else self._b`).
    pub names_slot: Option<Key<'a>>,
    /// For a local: the value is a collection the function did not make
    /// (`request.app.tasks`, `getattr(app.state, "tasks")`, a call's
    /// result, a parameter): tasks put there are handed on (decision 5).
    pub borrowed: bool,
}

impl Bind<'_> {
    /// Whether code at `at` always sees this binding rather than one made
    /// at `before` (both in the bind's function): the bind lies between
    /// them, `at` is in the rest of the bind's block, and the new value is
    /// not made from the old (`x = set(x)`, `self._t = self._t or …`).
    pub(crate) fn hides(&self, before: TextRange, at: TextRange) -> bool {
        self.range.start() >= before.end()
            && self.range.end() <= at.start()
            && at.start() < self.until
            && !self.keeps_old_value()
    }

    pub(crate) fn keeps_old_value(&self) -> bool {
        match self.key {
            Key::Local(_, name) | Key::Module(name) => mentions_name(self.value, name),
            Key::Attr(_, attr) => any_expr(
                self.value,
                |e| matches!(e, Expr::Attribute(a) if a.attr.as_str() == attr),
            ),
            Key::Site(_) => true,
        }
    }
}

impl Facts<'_> {
    /// Whether `a` and `b` lie in two branches of one `if` (or two clauses
    /// of one `try`): they never both run in one pass.
    pub(crate) fn exclusive(&self, a: TextRange, b: TextRange) -> bool {
        let arms = &self.branches;
        arms.iter().enumerate().any(|(i, &(id, arm))| {
            arm.contains_range(a) && {
                let first = arms[..i]
                    .iter()
                    .rposition(|(other, _)| *other != id)
                    .map_or(0, |p| p + 1);
                arms[first..]
                    .iter()
                    .take_while(|(other, _)| *other == id)
                    .any(|&(_, arm2)| arm2 != arm && arm2.contains_range(b))
            }
        })
    }

    /// Room for what a module of `bytes` usually brings (the corpus of
    /// `scripts/corpus.sh`: per KiB, 4.9 events, 1.8 flows, 0.6 sites), so
    /// that the lists do not grow through a copy at every doubling.
    fn for_size(bytes: usize) -> Self {
        let kib = bytes / 1024;
        Facts {
            sites: Vec::with_capacity(kib),
            events: Vec::with_capacity(kib * 6),
            flows: Vec::with_capacity(kib * 2),
            handlers: Vec::new(),
            site_by_range: FxHashMap::with_capacity_and_hasher(kib, Default::default()),
            branches: Vec::new(),
            binds: Vec::new(),
            direct_waits: FxHashSet::default(),
            await_exprs: FxHashSet::default(),
            awaited_calls: FxHashSet::default(),
            awaited_params: FxHashSet::default(),
            protected_params: FxHashSet::default(),
            early_waits: Vec::new(),
            single_waits: Vec::new(),
            key_adds: FxHashSet::default(),
            const_key_stores: FxHashSet::default(),
            nested_adds: FxHashSet::default(),
            nested_mapping_adds: FxHashSet::default(),
            cancel_blocks: FxHashMap::default(),
            in_returned_tuple: FxHashSet::default(),
            late_bound: FxHashSet::default(),
            field_values: Vec::new(),
            deferred: Vec::new(),
            handed_cancels: Vec::new(),
            for_loops: FxHashMap::default(),
            super_calls: Vec::new(),
            module_body: &[],
        }
    }
}

/// `super()`, or `super(Cls, self)` where `self` is the method's own
/// (`self_name`): a base's method run on `self`.
pub(crate) fn is_super_call(e: &Expr, self_name: Option<&str>) -> bool {
    let Expr::Call(c) = e else {
        return false;
    };
    matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "super")
        && c.arguments.keywords.is_empty()
        && match &*c.arguments.args {
            [] => true,
            [_, Expr::Name(obj)] => self_name == Some(obj.id.as_str()),
            _ => false,
        }
}

#[derive(Clone, Copy)]
enum Use<'a> {
    Discard,
    Receiver(&'a str, &'a ExprCall),
    Awaited(bool),
    WaitArg,
    Assigned(&'a [Expr]),
    AugAssigned(&'a Expr),
    Added(&'a Expr),
    Arg(&'a ExprCall, ArgPos<'a>),
    /// The value of a lambda handed to this call.
    Handed(&'a ExprCall),
    Returned,
    Yielded,
    Iterated(&'a Expr),
    Neutral,
}

/// The methods that call a function given to them from the event loop,
/// which drops its value.
const LOOP_CALLBACK_METHODS: &[&str] = &[
    "add_done_callback",
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "add_signal_handler",
    "add_reader",
    "add_writer",
];

#[derive(Clone, Copy)]
enum ArgPos<'a> {
    Index(usize),
    Keyword(&'a str),
}

impl Use<'_> {
    /// Whether the use applies to the elements of a literal or comprehension.
    fn carries(self) -> bool {
        !matches!(self, Use::Neutral | Use::Receiver(..))
    }
}

pub(crate) fn collect<'a>(
    model: &Model<'a>,
    settings: &Settings,
    module: &'a ast::ModModule,
) -> Facts<'a> {
    let mut w = Walker {
        model,
        settings,
        scope: MODULE_SCOPE,
        self_name: None,
        family: None,
        loop_depth: 0,
        protect_depth: 0,
        not_cancelled: Vec::new(),
        guard_depth: 0,
        exit_guard_seen: false,
        self_aliases: Vec::new(),
        exit_after_try: false,
        frame: 0,
        next_frame: 1,
        block_end: TextSize::default(),
        block_start: TextSize::default(),
        late_bound: FxHashSet::default(),
        lambda_params: Vec::new(),
        task_keyed: FxHashSet::default(),
        rebound_params: FxHashSet::default(),
        args_run: true,
        args_driven: false,
        tuple_pos: None,
        cur_pos: None,
        tuple_adds: Vec::new(),
        keyed_adds: Vec::new(),
        tagged: Vec::new(),
        key_cache: FxHashMap::default(),
        chain: Vec::new(),
        facts: Facts::for_size(module.range.len().to_usize()),
    };
    w.body(&module.body);
    for (id, scope) in model.scopes.iter().enumerate().skip(1) {
        if let Some(def) = scope.def {
            w.loop_depth = 0;
            w.protect_depth = 0;
            w.not_cancelled.clear();
            w.guard_depth = 0;
            w.exit_guard_seen = false;
            w.self_aliases.clear();
            w.frame = 0;
            w.default_aliases(id as ScopeId, scope.parent.unwrap_or(MODULE_SCOPE), def);
            w.scope = id as ScopeId;
            w.self_name = scope.self_name;
            w.family = model.family_of(w.scope);
            w.body(&def.body);
        }
    }
    w.facts.late_bound = std::mem::take(&mut w.late_bound);
    w.facts.module_body = &module.body;
    if !w.tagged.is_empty() {
        resolve_tuple_elements(&mut w.facts, &w.tagged, &w.tuple_adds, &w.keyed_adds);
    }
    for class in &model.classes {
        if let Some(init) = dataclass_init(class.node) {
            for (name, field) in fields_from_outside(class.node, init) {
                let value = match field {
                    Field::Parameter => BoundValue::Borrowed,
                    // Made as an attribute bound to a call of it would be.
                    Field::Factory(made) => match last_identifier(made) {
                        Some(name) if is_weak_container(name) => BoundValue::SelfPruning,
                        _ if w.another_object(made) => BoundValue::Borrowed,
                        _ => continue,
                    },
                };
                w.facts
                    .field_values
                    .push((Key::Attr(Some(class.family), name), value));
            }
        }
    }
    w.facts
}

/// Whether the callers of a method named `method` that the rule cannot
/// resolve may keep what it returns: some call of it, on a receiver other
/// than `self` or `cls`, has its value taken apart as a collection — the
/// iterable of a `for` or a comprehension (`for t in w.cancel()`), starred
/// into a call (`gather(*w.cancel())`), or passed to `gather`, `wait`,
/// `update` or `extend` (nothing takes apart what a task's `cancel()`
/// returns, a bool: a helper named like it is told apart so); or the
/// module names it nowhere else (its callers are in other modules). Its
/// value only tested, measured, logged, bound to a name or dropped, or the
/// helper handed on as a callback, the tasks go nowhere the rule cannot
/// see.
pub(crate) fn kept_by_unseen_callers(body: &[Stmt], method: &str) -> bool {
    use ruff_python_ast::visitor::{walk_comprehension, walk_expr, walk_stmt, Visitor};

    struct Finder<'n> {
        method: &'n str,
        used: bool,
        named: bool,
    }
    impl Finder<'_> {
        /// Whether `expr`, taken apart as a collection, is a call of the
        /// method on another receiver.
        fn taken_apart(&mut self, expr: &Expr) {
            if let Expr::Call(c) = expr {
                if let Expr::Attribute(a) = &*c.func {
                    if a.attr.as_str() == self.method
                        && !matches!(&*a.value, Expr::Name(n) if matches!(n.id.as_str(), "self" | "cls"))
                    {
                        self.used = true;
                    }
                }
            }
        }
    }
    impl<'e> Visitor<'e> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'e Stmt) {
            if self.used {
                return;
            }
            if let Stmt::For(f) = stmt {
                self.taken_apart(&f.iter);
            }
            guard(|| walk_stmt(self, stmt));
        }

        fn visit_comprehension(&mut self, comprehension: &'e ast::Comprehension) {
            self.taken_apart(&comprehension.iter);
            walk_comprehension(self, comprehension);
        }

        fn visit_expr(&mut self, expr: &'e Expr) {
            if self.used {
                return;
            }
            match expr {
                Expr::Starred(s) => self.taken_apart(&s.value),
                Expr::Call(c)
                    if matches!(
                        last_identifier(&c.func),
                        Some("gather" | "wait" | "update" | "extend")
                    ) =>
                {
                    for a in c.arguments.args.iter() {
                        self.taken_apart(a);
                    }
                }
                Expr::Attribute(a) if a.attr.as_str() == self.method => self.named = true,
                Expr::Name(n) if n.id.as_str() == self.method => self.named = true,
                _ => {}
            }
            guard(|| walk_expr(self, expr));
        }
    }

    let mut finder = Finder {
        method,
        used: false,
        named: false,
    };
    for stmt in body {
        finder.visit_stmt(stmt);
    }
    finder.used || !finder.named
}

/// Whether evaluating `exprs`, then running `body`, can suspend the
/// function: an `await`, `async for`, `async with` or async comprehension
/// of its own, wherever the function itself evaluates it (an f-string, a
/// `del` target, a default or decorator of a function it defines) — not in
/// the body of a function or lambda defined there, which runs later.
fn can_suspend<'e>(exprs: impl IntoIterator<Item = &'e Expr>, body: &'e [Stmt]) -> bool {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};

    struct Finder {
        found: bool,
    }
    impl Finder {
        fn defaults(&mut self, parameters: &ast::Parameters) {
            for p in parameters.iter_non_variadic_params() {
                if let Some(d) = &p.default {
                    self.visit_expr(d);
                }
            }
        }
    }
    impl<'e> Visitor<'e> for Finder {
        fn visit_stmt(&mut self, stmt: &'e Stmt) {
            if self.found {
                return;
            }
            match stmt {
                Stmt::FunctionDef(f) => {
                    for d in &f.decorator_list {
                        self.visit_expr(&d.expression);
                    }
                    self.defaults(&f.parameters);
                }
                Stmt::ClassDef(c) => {
                    for d in &c.decorator_list {
                        self.visit_expr(&d.expression);
                    }
                    if let Some(arguments) = &c.arguments {
                        self.visit_arguments(arguments);
                    }
                }
                Stmt::For(f) if f.is_async => self.found = true,
                Stmt::With(w) if w.is_async => self.found = true,
                _ => guard(|| walk_stmt(self, stmt)),
            }
        }

        fn visit_expr(&mut self, expr: &'e Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Await(_) => self.found = true,
                Expr::Lambda(l) => {
                    if let Some(parameters) = &l.parameters {
                        self.defaults(parameters);
                    }
                }
                Expr::ListComp(ast::ExprListComp { generators, .. })
                | Expr::SetComp(ast::ExprSetComp { generators, .. })
                | Expr::DictComp(ast::ExprDictComp { generators, .. })
                    if generators.iter().any(|g| g.is_async) =>
                {
                    self.found = true;
                }
                _ => guard(|| walk_expr(self, expr)),
            }
        }
    }

    let mut finder = Finder { found: false };
    for e in exprs {
        finder.visit_expr(e);
    }
    for stmt in body {
        finder.visit_stmt(stmt);
    }
    finder.found
}

/// For a dataclass (`@dataclass`, `@dataclasses.dataclass(...)`), whether
/// it generates an `__init__` (not under `init=False`); `None` for any
/// other class.
fn dataclass_init(class: &ast::StmtClassDef) -> Option<bool> {
    class.decorator_list.iter().find_map(|d| {
        let (func, call) = match &d.expression {
            Expr::Call(c) => (&*c.func, Some(c)),
            e => (e, None),
        };
        // attrs' `@define`, `@frozen`, `@attr.s` make the same `__init__`.
        matches!(
            last_identifier(func),
            Some("dataclass" | "define" | "frozen" | "mutable" | "attrs")
        )
        .then(|| {
            !call.is_some_and(|c| {
                c.arguments.keywords.iter().any(|k| {
                    k.arg.as_ref().is_some_and(|a| a.as_str() == "init")
                        && matches!(
                            k.value,
                            Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: false, .. })
                        )
                })
            })
        })
    })
}

/// Where a dataclass field's value comes from, when not from a default.
enum Field<'a> {
    /// A parameter of the generated `__init__` (no default).
    Parameter,
    /// `field(default_factory=F)` (attrs: `factory=F`): what `F` calls.
    Factory(&'a Expr),
}

/// The fields of a dataclass whose value the class does not write itself
/// (decision 5): a field without a default is a parameter of the
/// generated `__init__` (when `init`); one made by a factory is what a call
/// of the factory makes (`field(default_factory=TaskManager)`, or `lambda:
/// TaskManager()`).
fn fields_from_outside(
    class: &ast::StmtClassDef,
    init: bool,
) -> impl Iterator<Item = (&str, Field<'_>)> {
    class.body.iter().filter_map(move |stmt| {
        let Stmt::AnnAssign(a) = stmt else {
            return None;
        };
        let Expr::Name(name) = &*a.target else {
            return None;
        };
        let annotation = match &*a.annotation {
            Expr::Subscript(s) => &*s.value,
            e => e,
        };
        // Not fields.
        if matches!(last_identifier(annotation), Some("ClassVar" | "InitVar")) {
            return None;
        }
        let field = match a.value.as_deref() {
            None if init => Field::Parameter,
            Some(Expr::Call(call))
                if matches!(last_identifier(&call.func), Some("field" | "ib" | "attrib")) =>
            {
                let factory = call.arguments.keywords.iter().find(|k| {
                    k.arg
                        .as_ref()
                        .is_some_and(|a| matches!(a.as_str(), "default_factory" | "factory"))
                })?;
                Field::Factory(match &factory.value {
                    Expr::Lambda(l) => match &*l.body {
                        Expr::Call(c) => &c.func,
                        e => e,
                    },
                    e => e,
                })
            }
            _ => return None,
        };
        Some((name.id.as_str(), field))
    })
}

/// A container that lets go of what only it holds.
fn is_weak_container(name: &str) -> bool {
    matches!(
        name,
        "WeakSet" | "WeakValueDictionary" | "WeakKeyDictionary"
    )
}

/// Whether a call of `name` makes an object of another class rather than a
/// collection: a class name (capitalised) that does not name a container
/// (`OrderedDict`, `WeakSet`, `LRUDict`, `TTLCache`, `SortedList`: the
/// standard library's, and any whose name ends like one). Its `add` or
/// `append` is that object's method, which takes the task (decision 5).
fn constructs_another_object(name: &str) -> bool {
    const CONTAINER_ENDINGS: [&str; 11] = [
        "Dict",
        "Dictionary",
        "List",
        "Set",
        "Map",
        "Mapping",
        "Cache",
        "Queue",
        "Deque",
        "Array",
        "Counter",
    ];
    // A class name, not a constant (`SET_FACTORY()`).
    name.chars().next().is_some_and(char::is_uppercase)
        && name.chars().any(char::is_lowercase)
        && !CONTAINER_ENDINGS.iter().any(|end| name.ends_with(end))
        && !matches!(name, "ChainMap" | "UserDict" | "UserList")
}

/// An element flow into one name of a tuple target (`for task, name in
/// pending`): from `container`, into place `pos` of `len`; `items` for the
/// key of a `.items()` pair.
#[derive(Clone, Copy)]
struct ElementTag<'a> {
    container: Key<'a>,
    pos: u8,
    len: u8,
    items: bool,
}

/// `d.items()`, also copied (`list(d.items())`).
fn is_items_call(e: &Expr) -> bool {
    let mut e = e;
    loop {
        let Expr::Call(call) = e else {
            return false;
        };
        match &*call.func {
            Expr::Attribute(a) => return a.attr.as_str() == "items" && call.arguments.is_empty(),
            Expr::Name(n)
                if matches!(
                    n.id.as_str(),
                    "list" | "tuple" | "sorted" | "reversed" | "iter"
                ) && call.arguments.args.len() == 1 =>
            {
                e = &call.arguments.args[0];
            }
            _ => return false,
        }
    }
}

/// Keeps the element flows into the names of tuple targets that can
/// receive a task, and drops the others (`name` of `for task, name in
/// pending` after `pending.append((task, job.name))`): a place counts when
/// a tuple put into the container (or into a container copied or passed
/// into it) holds there something that may hold a task, a `.items()` key
/// when such a thing was put in as a key. A container with no tuple of
/// that length put into it keeps its last place, as the walk did before
/// it knew better. "May hold a task": a candidate spawn site, or what its
/// value flows into (a name it is assigned to, a container it is added to,
/// an element taken out of one, …), through the flows kept.
fn resolve_tuple_elements<'a>(
    facts: &mut Facts<'a>,
    tagged: &[(u32, ElementTag<'a>)],
    tuple_adds: &[(Key<'a>, Key<'a>, u8, u8)],
    keyed_adds: &[(Key<'a>, Key<'a>)],
) {
    // Lists sorted by the hash of a key and searched by it (a module may
    // have thousands of such loops: no scan of every flow per loop, and no
    // comparison of names while sorting).
    fn hash(key: &Key) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(key)
    }
    fn range<T>(items: &[(u64, T)], key: u64) -> &[(u64, T)] {
        let start = items.partition_point(|t| t.0 < key);
        let end = start + items[start..].partition_point(|t| t.0 <= key);
        &items[start..end]
    }
    fn by_hash<T>(mut items: Vec<(u64, T)>) -> Vec<(u64, T)> {
        items.sort_unstable_by_key(|t| t.0);
        items
    }
    let flows = &facts.flows;
    let into = by_hash(
        flows
            .iter()
            .filter(|f| matches!(f.kind, FlowKind::Assign | FlowKind::Param))
            .map(|f| (hash(&f.to), (f.to, f.from)))
            .collect(),
    );
    let adds = by_hash(tuple_adds.iter().map(|a| (hash(&a.0), *a)).collect());
    let keyed = by_hash(keyed_adds.iter().map(|a| (hash(&a.0), *a)).collect());
    // The containers whose contents reach a container through copies and
    // parameters (`pending` into `self._drain(pending)`'s `futures`).
    let sources = |c: Key<'a>| -> Vec<Key<'a>> {
        let mut seen: Vec<Key<'a>> = vec![c];
        let mut at = 0;
        while at < seen.len() {
            let k = seen[at];
            at += 1;
            for &(_, (to, from)) in range(&into, hash(&k)) {
                if to == k && !seen.contains(&from) {
                    seen.push(from);
                }
            }
        }
        seen
    };
    // Each tag kept whatever may hold a task, or the keys that keep it
    // once they may.
    let mut kept = vec![false; tagged.len()];
    let mut waiting: Vec<(u64, (Key<'a>, usize))> = Vec::new();
    let mut from: Vec<Key<'a>> = Vec::new();
    let mut from_of: Option<Key<'a>> = None;
    for (t, &(_, tag)) in tagged.iter().enumerate() {
        if from_of != Some(tag.container) {
            from = sources(tag.container);
            from_of = Some(tag.container);
        }
        let keyed_into = |waiting: &mut Vec<(u64, (Key<'a>, usize))>| {
            for &c in &from {
                for &(_, (container, k)) in range(&keyed, hash(&c)) {
                    if container == c {
                        waiting.push((hash(&k), (k, t)));
                    }
                }
            }
        };
        if tag.items {
            keyed_into(&mut waiting);
            continue;
        }
        let mut known = false;
        for &c in &from {
            for &(_, (container, k, pos, len)) in range(&adds, hash(&c)) {
                if container == c && len == tag.len {
                    known = true;
                    if pos == tag.pos {
                        waiting.push((hash(&k), (k, t)));
                    }
                }
            }
        }
        if !known && tag.pos + 1 == tag.len {
            kept[t] = true;
        }
        if tag.pos == 0 && tag.len == 2 {
            keyed_into(&mut waiting);
        }
    }
    if !waiting.is_empty() {
        // What may hold a task: the sites, and what their values flow into
        // through the flows kept (a tag kept on the way adds its flow),
        // from each key reached to the flows out of it.
        let out = by_hash(
            flows
                .iter()
                .enumerate()
                .map(|(i, f)| (hash(&f.from), i as u32))
                .collect(),
        );
        let waiting = by_hash(waiting);
        let tagged_flow = |i: u32| tagged.binary_search_by_key(&i, |&(f, _)| f).ok();
        let mut may: FxHashSet<Key<'a>> = FxHashSet::default();
        let mut stack: Vec<Key<'a>> = (0..facts.sites.len() as u32).map(Key::Site).collect();
        // Flows out of a key reached, held back until their tag is kept.
        let mut held: FxHashSet<u32> = FxHashSet::default();
        while let Some(k) = stack.pop() {
            if !may.insert(k) {
                continue;
            }
            let h = hash(&k);
            for &(_, i) in range(&out, h) {
                if flows[i as usize].from != k {
                    continue;
                }
                match tagged_flow(i) {
                    Some(t) if !kept[t] => {
                        held.insert(i);
                    }
                    _ => stack.push(flows[i as usize].to),
                }
            }
            for &(_, (key, t)) in range(&waiting, h) {
                if key == k && !kept[t] {
                    kept[t] = true;
                    let i = tagged[t].0;
                    if held.remove(&i) {
                        stack.push(flows[i as usize].to);
                    }
                }
            }
        }
    }
    drop_untaken(facts, tagged, &kept);
}

/// Drops the tagged element flows not kept (`tagged` in the order of the
/// flows), renumbering the flows the facts name by number.
fn drop_untaken(facts: &mut Facts<'_>, tagged: &[(u32, ElementTag<'_>)], kept: &[bool]) {
    let tag_of = |i: u32| tagged.binary_search_by_key(&i, |&(f, _)| f).ok();
    let mut renumber: Vec<Option<u32>> = Vec::with_capacity(facts.flows.len());
    let mut next = 0u32;
    let flows = std::mem::take(&mut facts.flows);
    for (i, f) in flows.into_iter().enumerate() {
        if tag_of(i as u32).is_some_and(|t| !kept[t]) {
            renumber.push(None);
        } else {
            renumber.push(Some(next));
            next += 1;
            facts.flows.push(f);
        }
    }
    let renumbered = |set: &FxHashSet<u32>| -> FxHashSet<u32> {
        set.iter()
            .filter_map(|&i| renumber.get(i as usize).copied().flatten())
            .collect()
    };
    facts.awaited_params = renumbered(&facts.awaited_params);
    facts.protected_params = renumbered(&facts.protected_params);
}

struct Walker<'m, 'a> {
    model: &'m Model<'a>,
    settings: &'m Settings,
    scope: ScopeId,
    self_name: Option<&'a str>,
    family: Option<u32>,
    loop_depth: u32,
    protect_depth: u32,
    /// The local names known not to hold a cancelled task where the walk
    /// is (`if not t.cancelled():`, or after `if t.cancelled(): continue`):
    /// retrieving the outcome there raises no `CancelledError`.
    not_cancelled: Vec<&'a str>,
    guard_depth: u32,
    exit_guard_seen: bool,
    /// Locals of the function last bound to what `self` holds (`task =
    /// self._task`, `t = self._tasks.get(k)`): a test of one tests the
    /// slot (decision 6).
    self_aliases: Vec<(&'a str, &'a str)>,
    /// Set for a `try` statement that a `raise`, `return` or `break`
    /// follows at once, and none of whose handlers continues the loop
    /// (read and reset where the `try` is walked).
    exit_after_try: bool,
    frame: u32,
    next_frame: u32,
    /// The end of the statement list being walked.
    block_end: TextSize,
    /// The start of the statement list being walked.
    block_start: TextSize,
    /// Names bound inside expressions (walrus and comprehension targets),
    /// which the model does not collect: they are rare, and finding them
    /// would mean walking every expression twice.
    late_bound: FxHashSet<(ScopeId, &'a str)>,
    /// The parameters of the lambdas being walked, innermost last: inside,
    /// those names are the lambda's (`add_done_callback(lambda t:
    /// log(t.exception()))` reads the callback's argument, not the
    /// function's `t`); one whose default is a name names what that name
    /// does where the lambda is made (`lambda t=task: t.cancel()`).
    lambda_params: Vec<(&'a str, Option<&'a str>)>,
    /// Containers a task was put into as a key (`d[task] = v`, `{task:
    /// v}`): their `(key, value)` pairs hold the task first.
    task_keyed: FxHashSet<Key<'a>>,
    /// Parameters assigned a value so far by a statement of the function's
    /// own statement list (`tasks = set()` in `def f(tasks)`): from there
    /// on, the name holds no container of the caller's (unless the value
    /// is one: the bind says it is borrowed).
    rebound_params: FxHashSet<Key<'a>>,
    /// Whether a call walked as awaited runs there: not in the arguments
    /// of an `as_completed(…)` nobody iterates.
    args_run: bool,
    /// In the arguments of an `as_completed(…)` that is iterated.
    args_driven: bool,
    /// The position of the expression about to be walked in the tuple
    /// display it is an element of (index, length), taken by `expr_inner`.
    tuple_pos: Option<(u8, u8)>,
    /// That position while the element's own use is recorded.
    cur_pos: Option<(u8, u8)>,
    /// Keys put into a container as an element of a tuple (container,
    /// element, index, length): `pending.append((task, name))`.
    tuple_adds: Vec<(Key<'a>, Key<'a>, u8, u8)>,
    /// Keys put into a container as a mapping's key (container, key):
    /// `d[k] = v`, `{k: v}`.
    keyed_adds: Vec<(Key<'a>, Key<'a>)>,
    /// Element flows into one name of a tuple target, kept only if the
    /// container's tuples may hold a task there ([`resolve_tuple_elements`]).
    tagged: Vec<(u32, ElementTag<'a>)>,
    /// `key_of` answers for the nodes of long chains.
    key_cache: FxHashMap<usize, Option<Key<'a>>>,
    /// The nodes `key_of` walked (a reused buffer).
    chain: Vec<usize>,
    facts: Facts<'a>,
}

/// Methods whose call on a key records an event (`record`, `Use::Receiver`)
/// besides the prunes; a call of any other method on a name or an attribute
/// records nothing, and `expr_inner` does not even look its key up.
const OBSERVING_METHODS: [&str; 5] = [
    "cancel",
    "result",
    "exception",
    "__await__",
    "add_done_callback",
];
/// The calls that take one element out of a collection: as a done-callback
/// (`task.add_done_callback(self._tasks.discard)`), a bare removal.
const REMOVAL_METHODS: [&str; 3] = ["discard", "remove", "pop"];

/// Methods of a container that take elements out of it.
const PRUNE_METHODS: [&str; 7] = [
    "discard",
    "remove",
    "pop",
    "popitem",
    "clear",
    "difference_update",
    "intersection_update",
];
/// Methods of a container that put the argument into it.
const ADD_METHODS: [&str; 6] = [
    "add",
    "append",
    "appendleft",
    "insert",
    "setdefault",
    "put_nowait",
];

fn handler_catches(model: &Model, scope: ScopeId, type_: Option<&Expr>) -> (bool, bool) {
    let Some(t) = type_ else {
        return (true, true);
    };
    let mut cancel = false;
    let mut broad = false;
    let elts: &[Expr] = match t {
        Expr::Tuple(tuple) => &tuple.elts,
        other => std::slice::from_ref(other),
    };
    for e in elts {
        let name = model
            .qualify(e, scope)
            .or_else(|| last_identifier(e).map(str::to_string))
            .unwrap_or_default();
        let last = name.rsplit('.').next().unwrap_or_default();
        match last {
            "CancelledError" => cancel = true,
            "BaseException" => {
                cancel = true;
                broad = true;
            }
            "Exception" => broad = true,
            _ => {}
        }
    }
    (cancel, broad)
}

/// Whether a function body only takes something out of collections: calls
/// of `discard`, `remove` or `pop` as statements or returned (a docstring,
/// `pass`, `break`, `continue`, and such calls under an `if` without
/// `else`, a `for`, a `try` whose handlers only pass, or a `with`, allowed;
/// `depth` bounds the nesting looked into).
fn only_prunes(body: &[Stmt], depth: u32) -> bool {
    if depth > 3 {
        return false;
    }
    let nested = |b: &[Stmt]| only_prunes(b, depth + 1);
    let mut prunes = false;
    for (i, s) in body.iter().enumerate() {
        // Whether the statement is allowed, and whether it takes something
        // out (a docstring, `pass`, `break` or a bare `return` do not).
        let (ok, takes_out) = match s {
            Stmt::Expr(e) => match &*e.value {
                Expr::Call(_) => (is_prune_call(&e.value), true),
                Expr::StringLiteral(_) => (i == 0, false),
                _ => (false, false),
            },
            // `return self._tasks.discard(task)`: its value goes to the
            // loop, which drops it.
            Stmt::Return(r) => match r.value.as_deref() {
                None => (true, false),
                Some(v) => (is_prune_call(v), true),
            },
            Stmt::Pass(_) | Stmt::Break(_) | Stmt::Continue(_) => (true, false),
            // A loop over what reads no outcome (`for t in
            // list(self._tasks)`, not `for e in [t.exception()]`).
            Stmt::For(f) => (
                f.orelse.is_empty() && !reads_outcome(&f.iter) && nested(&f.body),
                true,
            ),
            Stmt::While(w) => (
                w.orelse.is_empty() && !reads_outcome(&w.test) && nested(&w.body),
                true,
            ),
            Stmt::If(x) => (x.elif_else_clauses.is_empty() && nested(&x.body), true),
            Stmt::With(w) => (!w.is_async && nested(&w.body), true),
            Stmt::Try(t) => (
                nested(&t.body)
                    && t.orelse.is_empty()
                    && t.finalbody.is_empty()
                    && t.handlers.iter().all(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        h.body.iter().all(|s| matches!(s, Stmt::Pass(_)))
                    }),
                true,
            ),
            _ => (false, false),
        };
        if !ok {
            return false;
        }
        prunes |= takes_out;
    }
    prunes
}

/// Whether a block raises, returns or breaks (not counting nested functions).
fn block_exits(body: &[Stmt]) -> bool {
    block_any(body, |s| {
        matches!(s, Stmt::Raise(_) | Stmt::Return(_) | Stmt::Break(_))
    })
}

/// Whether an `except` clause's body is only a `raise` of what it caught
/// (bare, or of the name it binds).
fn only_reraises(h: &ast::ExceptHandlerExceptHandler) -> bool {
    match &*h.body {
        [Stmt::Raise(r)] => {
            r.cause.is_none()
                && match r.exc.as_deref() {
                    None => true,
                    Some(Expr::Name(n)) => {
                        h.name.as_ref().is_some_and(|b| b.as_str() == n.id.as_str())
                    }
                    Some(_) => false,
                }
        }
        _ => false,
    }
}

/// Whether a block always leaves by its end: its last statement is a
/// `continue`, `return`, `break` or `raise`, or an `if` with an `else`
/// whose every branch always leaves.
fn always_exits(block: &[Stmt]) -> bool {
    match block.last() {
        Some(Stmt::Continue(_) | Stmt::Return(_) | Stmt::Break(_) | Stmt::Raise(_)) => true,
        Some(Stmt::If(i)) => {
            i.elif_else_clauses.iter().any(|c| c.test.is_none())
                && guard(|| always_exits(&i.body))
                && i.elif_else_clauses
                    .iter()
                    .all(|c| guard(|| always_exits(&c.body)))
        }
        _ => false,
    }
}

/// `t` of a test `t.cancelled()`.
fn cancelled_test(test: &Expr) -> Option<&str> {
    let Expr::Call(c) = test else { return None };
    let Expr::Attribute(a) = &*c.func else {
        return None;
    };
    match &*a.value {
        Expr::Name(n) if a.attr.as_str() == "cancelled" && c.arguments.is_empty() => {
            Some(n.id.as_str())
        }
        _ => None,
    }
}

/// The names a test that holds proves not cancelled: `not t.cancelled()`,
/// also among the operands of an `and`.
fn not_cancelled_in<'a>(test: &'a Expr, out: &mut Vec<&'a str>) {
    match test {
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => {
            if let Some(name) = cancelled_test(&u.operand) {
                out.push(name);
            }
        }
        // (An operand that waits lets another cancel the tasks the
        // operands before it tested.)
        Expr::BoolOp(b) if b.op == ast::BoolOp::And => {
            let start = out.len();
            for v in &b.values {
                if super::names::any_expr(v, |e| matches!(e, Expr::Await(_))) {
                    out.truncate(start);
                }
                not_cancelled_in(v, out);
            }
        }
        _ => {}
    }
}

/// Whether a statement itself binds `name` (its targets, not the
/// statements of its blocks, which the walk meets in turn, nor a `:=`,
/// met as an expression), or may (`global`, `nonlocal`, `match`, an
/// `except … as` of one of its handlers).
fn binds_name(stmt: &Stmt, name: &str) -> bool {
    let target = |t: &Expr, name: &str| super::findings::in_target(t, name) > 0;
    match stmt {
        Stmt::Assign(a) => a.targets.iter().any(|t| target(t, name)),
        Stmt::AnnAssign(a) => target(&a.target, name),
        Stmt::AugAssign(a) => target(&a.target, name),
        Stmt::For(f) => target(&f.target, name),
        Stmt::With(w) => w
            .items
            .iter()
            .any(|i| i.optional_vars.as_deref().is_some_and(|v| target(v, name))),
        Stmt::Delete(d) => d.targets.iter().any(|t| target(t, name)),
        Stmt::Try(t) => t.handlers.iter().any(|h| {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            h.name.as_ref().is_some_and(|n| n.as_str() == name)
        }),
        Stmt::FunctionDef(f) => f.name.as_str() == name,
        Stmt::ClassDef(c) => c.name.as_str() == name,
        Stmt::Import(i) => i
            .names
            .iter()
            .any(|a| super::names::import_binds(a, name, true)),
        Stmt::ImportFrom(i) => i
            .names
            .iter()
            .any(|a| super::names::import_binds(a, name, false)),
        Stmt::Global(_) | Stmt::Nonlocal(_) | Stmt::Match(_) => true,
        _ => false,
    }
}

/// Whether a block may `continue` the loop around it (not counting loops
/// and functions nested in it).
fn block_continues(body: &[Stmt]) -> bool {
    block_any(body, |s| matches!(s, Stmt::Continue(_)))
}

/// Whether a statement of the block, or of the blocks nested in it that
/// run as part of it (not a loop's body, not a function's), is `leaf`.
/// Whether an expression calls `exception()` or `result()`.
fn reads_outcome(e: &Expr) -> bool {
    any_expr(e, |x| {
        matches!(x, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a)
            if matches!(a.attr.as_str(), "exception" | "result")))
    })
}

/// A `discard`, `remove` or `pop` call as a statement or returned, or a
/// loop whose body holds one.
fn is_prune_stmt(s: &Stmt) -> bool {
    let call = match s {
        Stmt::Expr(e) => Some(&*e.value),
        Stmt::Return(r) => r.value.as_deref(),
        Stmt::For(f) => return block_any(&f.body, is_prune_stmt),
        Stmt::While(w) => return block_any(&w.body, is_prune_stmt),
        _ => None,
    };
    call.is_some_and(is_prune_call)
}

/// A `discard`, `remove` or `pop` call on something.
fn is_prune_call(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a)
        if REMOVAL_METHODS.contains(&a.attr.as_str())))
}

fn block_any(body: &[Stmt], leaf: fn(&Stmt) -> bool) -> bool {
    body.iter().any(|s| guard(|| stmt_any(s, leaf)))
}

fn stmt_any(s: &Stmt, leaf: fn(&Stmt) -> bool) -> bool {
    if leaf(s) {
        return true;
    }
    let any = |b: &[Stmt]| block_any(b, leaf);
    match s {
        Stmt::If(i) => any(&i.body) || i.elif_else_clauses.iter().any(|c| any(&c.body)),
        Stmt::With(w) => any(&w.body),
        Stmt::Try(t) => {
            any(&t.body)
                || any(&t.orelse)
                || any(&t.finalbody)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    any(&h.body)
                })
        }
        Stmt::Match(m) => m.cases.iter().any(|c| any(&c.body)),
        Stmt::For(f) => any(&f.orelse),
        Stmt::While(w) => any(&w.orelse),
        _ => false,
    }
}

/// The task a `while not task.done():` loop waits for, when its body awaits
/// (`await asyncio.sleep(0.1)`: the loop gives way until the task ends).
fn polled_until_done(w: &ast::StmtWhile) -> Option<&Expr> {
    let Expr::UnaryOp(ast::ExprUnaryOp {
        op: ast::UnaryOp::Not,
        operand,
        ..
    }) = &*w.test
    else {
        return None;
    };
    let Expr::Call(call) = &**operand else {
        return None;
    };
    let Expr::Attribute(a) = &*call.func else {
        return None;
    };
    let awaits = w
        .body
        .iter()
        .any(|s| matches!(s, Stmt::Expr(e) if e.value.is_await_expr()));
    (a.attr.as_str() == "done" && call.arguments.is_empty() && awaits).then_some(&*a.value)
}

/// A context manager known to let its body run to its end or raise (never
/// to swallow what the body raises): a lock or resource named without a
/// call (`with self._lock:`), or a call of one of a few known ones.
fn runs_body_through(expr: &Expr) -> bool {
    match expr {
        Expr::Name(_) | Expr::Attribute(_) => true,
        Expr::Call(c) => matches!(
            last_identifier(&c.func),
            Some(
                "open"
                    | "nullcontext"
                    | "patch"
                    | "object"
                    | "dict"
                    | "memoryview"
                    | "timeout"
                    | "timeout_at"
                    | "Lock"
                    | "RLock"
                    | "Semaphore"
                    | "TemporaryDirectory"
                    | "NamedTemporaryFile"
            )
        ),
        _ => false,
    }
}

/// What `value` reads of what `self` holds: `self.a`, `self.a.b`,
/// `self._tasks[k]`, `self._tasks.get(k)` (the attribute next to `self`), or
/// `getattr(self, "a", None)` (`""`: any attribute).
fn reads_self<'a>(value: &'a Expr, self_name: &str) -> Option<&'a str> {
    let mut e = value;
    let mut attr = None;
    loop {
        match e {
            Expr::Attribute(a) => {
                attr = Some(a.attr.as_str());
                e = &a.value;
            }
            Expr::Subscript(s) => e = &s.value,
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) if a.attr.as_str() == "get" => e = &a.value,
                Expr::Name(n) if n.id.as_str() == "getattr" => {
                    let first = c.arguments.args.first()?;
                    return matches!(first, Expr::Name(n) if n.id.as_str() == self_name)
                        .then_some("");
                }
                _ => return None,
            },
            Expr::Name(n) if n.id.as_str() == self_name => return attr,
            _ => return None,
        }
    }
}

/// The tasks an `asyncio.wait(...)` call is given: its first argument, or
/// `fs=`.
fn wait_source(call: &ExprCall) -> Option<&Expr> {
    call.arguments
        .args
        .first()
        .or_else(|| call.arguments.find_keyword("fs").map(|k| &k.value))
}

/// Whether an `asyncio.wait(...)` call has a timeout (keyword or second
/// positional argument) other than `None`.
fn wait_has_timeout(call: &ExprCall) -> bool {
    call.arguments.args.len() > 1
        || call.arguments.keywords.iter().any(|k| {
            k.arg.as_ref().is_some_and(|a| a.as_str() == "timeout")
                && !k.value.is_none_literal_expr()
        })
}

/// Whether an `asyncio.wait(...)` call may return while some of its tasks
/// still run: a `return_when` other than `ALL_COMPLETED`, or a timeout
/// (keyword or second positional argument) other than `None`.
fn wait_may_return_early(call: &ExprCall) -> bool {
    let args = &call.arguments;
    wait_has_timeout(call)
        || args
            .keywords
            .iter()
            .any(|k| match k.arg.as_ref().map(ast::Identifier::as_str) {
                Some("return_when") => last_identifier(&k.value) != Some("ALL_COMPLETED"),
                _ => false,
            })
}

/// A key written as a literal (`"writer"`, `0`, `("a", 1)`): a store
/// under it replaces what the key held.
fn is_constant_key(key: &Expr) -> bool {
    match key {
        Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        // `f"writer"`, `-1`.
        Expr::FString(f) => f.value.elements().all(|e| e.is_literal()),
        Expr::UnaryOp(u) => matches!(&*u.operand, Expr::NumberLiteral(_)),
        // A tuple of those (not of tuples: one level).
        Expr::Tuple(t) => {
            !t.elts.is_empty()
                && t.elts
                    .iter()
                    .all(|e| !e.is_tuple_expr() && is_constant_key(e))
        }
        _ => false,
    }
}

fn is_lock_expr(expr: &Expr) -> bool {
    any_expr(expr, |e| {
        last_identifier(e).is_some_and(|n| contains_ignoring_ascii_case(n, "lock"))
    })
}

/// A function that only stands for an override: decorated
/// `@abstractmethod`, or whose body (after its docstring) is only `...`,
/// `pass` or `raise NotImplementedError`, or nothing at all.
fn is_stub(def: &ast::StmtFunctionDef) -> bool {
    if def
        .decorator_list
        .iter()
        .any(|d| last_identifier(&d.expression) == Some("abstractmethod"))
    {
        return true;
    }
    let body = match def.body.as_slice() {
        [Stmt::Expr(e), rest @ ..] if e.value.is_string_literal_expr() => rest,
        body => body,
    };
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => e.value.is_ellipsis_literal_expr(),
        Stmt::Raise(r) => r.exc.as_deref().is_some_and(|e| {
            let e = match e {
                Expr::Call(c) => &*c.func,
                e => e,
            };
            last_identifier(e) == Some("NotImplementedError")
        }),
        _ => false,
    })
}

/// A name written as a constant (`WRITER`, `MAX_2`): capitals, digits and
/// underscores, with a capital among them.
fn is_constant_name(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

impl<'m, 'a> Walker<'m, 'a> {
    /// A key that names one entry whatever the call (decision 51): a
    /// literal ([`is_constant_key`]), a constant of the module or of an
    /// import (`WRITER`, `Channel.CONTROL`, `const.WRITER`; not a local or
    /// a parameter, nor an attribute of `self`, nor a name a function
    /// declares `global` and binds again), or a tuple of those.
    fn is_fixed_key(&self, key: &Expr) -> bool {
        let global = |name: &str| {
            matches!(
                self.model.resolve_name(self.scope, name),
                NameHome::Module | NameHome::Imported
            )
        };
        match key {
            // Not one a function binds again under `global`.
            Expr::Name(n) => {
                let name = n.id.as_str();
                is_constant_name(name) && global(name) && !self.model.global_names.contains(name)
            }
            Expr::Attribute(a) => {
                is_constant_name(a.attr.as_str())
                    && matches!(&*a.value, Expr::Name(base) if global(base.id.as_str())
                        && !self.model.global_names.contains(base.id.as_str()))
            }
            Expr::Tuple(t) => {
                !t.elts.is_empty()
                    && t.elts
                        .iter()
                        .all(|e| !e.is_tuple_expr() && self.is_fixed_key(e))
            }
            _ => is_constant_key(key),
        }
    }

    fn guarded(&self) -> bool {
        self.guard_depth > 0 || self.exit_guard_seen
    }

    fn mentions_self(&self, expr: &Expr) -> bool {
        let by_self = match self.self_name {
            Some(name) => {
                mentions_name(expr, name)
                    || (!self.self_aliases.is_empty()
                        && any_expr(expr, |e| {
                            matches!(e, Expr::Name(n)
                                if self.self_aliases.iter().any(|(a, _)| *a == n.id.as_str()))
                        }))
            }
            None => false,
        };
        // The name of its class, or of a class of its family, reaches its
        // attributes too (decision 47).
        by_self
            || (self.family.is_some()
                && any_expr(expr, |e| matches!(e, Expr::Name(_)) && self.is_self(e)))
    }

    /// Notes whether a local is now an alias of what `self` holds (its
    /// value reads an attribute of `self`, an element of one, or
    /// `getattr(self, …)`), or no longer one; a store into `self.<attr>`
    /// leaves the aliases of that attribute with the old value.
    fn note_self_alias(&mut self, target: &'a Expr, value: &'a Expr) {
        let Some(self_name) = self.self_name else {
            return;
        };
        match target {
            Expr::Name(n) => {
                let name = n.id.as_str();
                self.forget_alias(name);
                if let Some(attr) = reads_self(value, self_name) {
                    self.self_aliases.push((name, attr));
                }
            }
            Expr::Attribute(a) if !self.self_aliases.is_empty() && self.is_self(&a.value) => {
                let attr = a.attr.as_str();
                self.self_aliases.retain(|(_, of)| *of != attr);
            }
            _ => self.forget_aliases(target),
        }
    }

    fn forget_alias(&mut self, name: &str) {
        if !self.self_aliases.is_empty() {
            self.self_aliases.retain(|(a, _)| *a != name);
        }
    }

    /// The names a target binds (a tuple, a `for` or `with` target, `:=`)
    /// are no longer aliases of what `self` holds.
    fn forget_aliases(&mut self, target: &Expr) {
        if self.self_aliases.is_empty() {
            return;
        }
        match target {
            Expr::Name(n) => self.forget_alias(n.id.as_str()),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.forget_aliases(e)),
            Expr::List(t) => t.elts.iter().for_each(|e| self.forget_aliases(e)),
            Expr::Starred(s) => self.forget_aliases(&s.value),
            _ => {}
        }
    }

    fn event(&mut self, key: Key<'a>, range: TextRange, kind: EventKind<'a>) {
        if kind == EventKind::Cancelled {
            self.facts.cancel_blocks.insert(range, self.block_start);
        }
        self.facts.events.push(Event {
            key,
            scope: self.scope,
            range,
            kind,
            frame: self.frame,
        });
    }

    fn flow(&mut self, from: Key<'a>, to: Key<'a>, kind: FlowKind, range: TextRange) {
        if let (FlowKind::Add, Some((i, n))) = (kind, self.cur_pos) {
            self.tuple_adds.push((to, from, i, n));
        }
        let guarded = self.guarded();
        self.facts.flows.push(Flow {
            from,
            to,
            kind,
            scope: self.scope,
            range,
            guarded,
            in_loop: self.loop_depth > 0,
            block_start: self.block_start,
        });
    }

    fn name_key(&self, name: &'a str) -> Option<Key<'a>> {
        let mut name = name;
        if !self.lambda_params.is_empty() {
            // The innermost lambda's binding of the name, then (for a
            // default) the binding of its default where the lambda is made.
            let mut end = self.lambda_params.len();
            while let Some(i) = self.lambda_params[..end]
                .iter()
                .rposition(|(p, _)| *p == name)
            {
                match self.lambda_params[i].1 {
                    None => return None,
                    Some(target) => {
                        name = target;
                        end = i;
                    }
                }
            }
        }
        match self.model.resolve_name(self.scope, name) {
            NameHome::Local(s) => Some(Key::Local(s, name)),
            _ if !self.late_bound.is_empty() && self.late_bound.contains(&(self.scope, name)) => {
                Some(Key::Local(self.scope, name))
            }
            NameHome::Module => Some(Key::Module(name)),
            NameHome::Imported | NameHome::Unknown => None,
        }
    }

    fn bind_late(&mut self, target: &'a Expr) {
        self.forget_aliases(target);
        match target {
            Expr::Name(n) => {
                self.late_bound.insert((self.scope, n.id.as_str()));
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind_late(e)),
            Expr::List(t) => t.elts.iter().for_each(|e| self.bind_late(e)),
            Expr::Starred(s) => self.bind_late(&s.value),
            _ => {}
        }
    }

    /// The key an expression denotes, looking through element access and
    /// copies (`self._tasks[k]`, `list(self._tasks)`, `self._by_id.values()`).
    fn key_of(&mut self, expr: &'a Expr) -> Option<Key<'a>> {
        // Long chains (`a[0][0]…`, `list(list(…))`) are walked from every
        // level as the traversal descends: remember the answer for each node
        // of a long chain, so the whole walk stays linear.
        // (The chain buffer is reused: `key_of` runs for most expressions.)
        let mut chain = std::mem::take(&mut self.chain);
        chain.clear();
        let result = self.key_of_walk(expr, &mut chain);
        if chain.len() >= 8 {
            for &node in &chain {
                self.key_cache.insert(node, result);
            }
        }
        self.chain = chain;
        result
    }

    fn key_of_walk(&mut self, expr: &'a Expr, chain: &mut Vec<usize>) -> Option<Key<'a>> {
        let mut e = expr;
        loop {
            if !self.key_cache.is_empty() {
                if let Some(cached) = self.key_cache.get(&(std::ptr::from_ref(e) as usize)) {
                    return *cached;
                }
            }
            chain.push(std::ptr::from_ref(e) as usize);
            match e {
                Expr::Call(call) => {
                    if let Some(&id) = self.facts.site_by_range.get(&call.range()) {
                        return Some(Key::Site(id));
                    }
                    if let Some(inner) = self.unwrap_copy(call) {
                        e = inner;
                        continue;
                    }
                    if let Some(attr) = self.getattr_of_self(call) {
                        return Some(Key::Attr(self.family, attr));
                    }
                    return self.new_site(call);
                }
                Expr::Subscript(s) => e = &s.value,
                Expr::Starred(s) => e = &s.value,
                // `self._tasks - {current}`, `a | b`: the same tasks.
                Expr::BinOp(b)
                    if matches!(
                        b.op,
                        ast::Operator::Sub | ast::Operator::BitAnd | ast::Operator::BitOr
                    ) =>
                {
                    e = &b.left;
                }
                Expr::List(ast::ExprList { elts, .. })
                | Expr::Tuple(ast::ExprTuple { elts, .. })
                | Expr::Set(ast::ExprSet { elts, .. })
                    if elts.len() == 1 && elts[0].is_starred_expr() =>
                {
                    e = &elts[0];
                }
                Expr::Name(n) => return self.name_key(n.id.as_str()),
                Expr::Attribute(a) => return Some(Key::Attr(self.family, a.attr.as_str())),
                _ => return None,
            }
        }
    }

    /// `getattr(self, "_task", None)` → `_task`: the slot, read by name.
    fn getattr_of_self(&self, call: &'a ExprCall) -> Option<&'a str> {
        let Expr::Name(f) = &*call.func else {
            return None;
        };
        let args = &call.arguments.args;
        if f.id.as_str() != "getattr"
            || !(2..=3).contains(&args.len())
            || !call.arguments.keywords.is_empty()
            || self.model.resolve_name(self.scope, "getattr") != NameHome::Unknown
            || !self.is_self(&args[0])
        {
            return None;
        }
        let Expr::StringLiteral(name) = &args[1] else {
            return None;
        };
        match name.value.as_slice() {
            [part] => Some(part.value.as_ref()),
            _ => None,
        }
    }

    /// `list(x)`, `x.values()`, `x.pop(k)`, … → `x`.
    fn unwrap_copy(&self, call: &'a ExprCall) -> Option<&'a Expr> {
        match &*call.func {
            Expr::Attribute(a)
                if matches!(
                    a.attr.as_str(),
                    "values"
                        | "items"
                        | "keys"
                        | "copy"
                        | "pop"
                        | "popitem"
                        | "get"
                        | "popleft"
                        | "difference"
                        | "intersection"
                        | "union"
                        | "symmetric_difference"
                ) =>
            {
                Some(&a.value)
            }
            Expr::Name(n)
                if matches!(
                    n.id.as_str(),
                    "list" | "tuple" | "set" | "frozenset" | "sorted" | "reversed" | "iter"
                ) && call.arguments.args.len() == 1
                    && self.model.resolve_name(self.scope, n.id.as_str()) == NameHome::Unknown =>
            {
                Some(&call.arguments.args[0])
            }
            _ => None,
        }
    }

    /// Registers a call as a candidate spawn site when it is a spawn form or
    /// calls a function of the module (a possible task factory).
    fn new_site(&mut self, call: &'a ExprCall) -> Option<Key<'a>> {
        let api = spawn::classify(self.model, self.settings, call, self.scope);
        let callee = if api.is_none() {
            self.resolve_callee(&call.func)
        } else {
            None
        };
        if api.is_none() && callee.is_none() {
            return None;
        }
        let id = self.facts.sites.len() as SiteId;
        self.facts.sites.push(Site {
            call,
            scope: self.scope,
            api,
            callee,
        });
        self.facts.site_by_range.insert(call.range(), id);
        Some(Key::Site(id))
    }

    /// The function of the module a call's callee names: a module-level
    /// function, or a method of the class family through `self`/`cls`.
    fn resolve_callee(&self, func: &Expr) -> Option<ScopeId> {
        self.model.resolve_callee(func, self.scope)
    }

    // ---- statements -------------------------------------------------------

    fn body(&mut self, body: &'a [Stmt]) {
        let end = body.last().map_or(self.block_end, Ranged::end);
        let start = body.first().map_or(self.block_start, Ranged::start);
        let outer = std::mem::replace(&mut self.block_end, end);
        let outer_start = std::mem::replace(&mut self.block_start, start);
        self.statements(body);
        self.block_end = outer;
        self.block_start = outer_start;
    }

    /// A block that runs to its end whenever it is entered and then goes on
    /// with the statements after it (a `with` body that suppresses nothing):
    /// a binding in it is seen by the rest of the enclosing block.
    /// Forgets that the names `bound` says are bound again are not
    /// cancelled, in every block around (the entries stay, empty, so that
    /// each block still truncates to its own length).
    fn forget_bound(&mut self, mut bound: impl FnMut(&str) -> bool) {
        for i in 0..self.not_cancelled.len() {
            let n = self.not_cancelled[i];
            if !n.is_empty() && bound(n) {
                for m in &mut self.not_cancelled {
                    if *m == n {
                        *m = "";
                    }
                }
            }
        }
    }

    /// A loop's body runs again after it binds a name: that name is not
    /// known not cancelled anywhere in the loop (nor after it).
    fn forget_bound_in_loop(&mut self, body: &[Stmt]) {
        if !self.not_cancelled.is_empty() {
            // (A wait in the body comes before the next pass's retrieval.)
            let waits = super::names::block_waits(body);
            self.forget_bound(|n| {
                waits
                    || super::findings::bindings(body, n) != Some(0)
                    || super::names::walrus_binds(body, n)
            });
        }
    }

    /// Inside a comprehension, its targets are other names: the entries
    /// they shadow are blanked, and the caller restores what this returns.
    fn mask_comprehension(&mut self, generators: &'a [ast::Comprehension]) -> Option<Vec<&'a str>> {
        if self.not_cancelled.is_empty() {
            return None;
        }
        let saved = self.not_cancelled.clone();
        for g in generators {
            self.forget_bound(|n| {
                super::names::any_expr(
                    &g.target,
                    |t| matches!(t, Expr::Name(x) if x.id.as_str() == n),
                )
            });
        }
        Some(saved)
    }

    fn statements(&mut self, body: &'a [Stmt]) {
        let outer_not_cancelled = self.not_cancelled.len();
        for (i, stmt) in body.iter().enumerate() {
            // A name bound again may hold a cancelled task: its entries,
            // in this block and the blocks around it, no longer hold; nor
            // do they across an `async for` or `async with`, which wait.
            if !self.not_cancelled.is_empty() {
                let waits = matches!(stmt, Stmt::For(f) if f.is_async)
                    || matches!(stmt, Stmt::With(w) if w.is_async);
                self.forget_bound(|n| waits || binds_name(stmt, n));
            }
            if let Stmt::Try(t) = stmt {
                // A `raise`, `return` or `break` right after the `try` runs
                // whenever a handler ends normally: none of them lets a loop
                // go on (`except BaseException: cleanup()` inside a handler
                // that re-raises after it), unless one of them, or the
                // `finally`, continues the loop first.
                self.exit_after_try = matches!(
                    body.get(i + 1),
                    Some(Stmt::Raise(_) | Stmt::Return(_) | Stmt::Break(_))
                ) && !block_continues(&t.finalbody)
                    && !t.handlers.iter().any(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        block_continues(&h.body)
                    });
            }
            guard(|| self.stmt(stmt));
            // `if t.cancelled(): …; continue`: past it, `t` is not cancelled.
            if let Stmt::If(x) = stmt {
                if x.elif_else_clauses.is_empty() && always_exits(&x.body) {
                    if let Some(name) = cancelled_test(&x.test) {
                        self.not_cancelled.push(name);
                    }
                }
            }
        }
        self.not_cancelled.truncate(outer_not_cancelled);
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Expr(e) => self.expr(&e.value, Use::Discard, false),
            Stmt::Assign(a) => {
                if let ([target @ (Expr::Tuple(_) | Expr::List(_))], Expr::Tuple(values)) =
                    (a.targets.as_slice(), &*a.value)
                {
                    let targets: &[Expr] = match target {
                        Expr::Tuple(t) => &t.elts,
                        Expr::List(t) => &t.elts,
                        _ => &[],
                    };
                    if targets.len() == values.elts.len()
                        && !values.elts.iter().any(Expr::is_starred_expr)
                    {
                        for (t, v) in targets.iter().zip(values.elts.iter()) {
                            self.expr(v, Use::Assigned(std::slice::from_ref(t)), false);
                            self.bound(t, v, stmt.range());
                            self.target_loads(t);
                            self.note_self_alias(t, v);
                        }
                        return;
                    }
                }
                self.expr(&a.value, Use::Assigned(&a.targets), false);
                for t in &a.targets {
                    self.bound(t, &a.value, stmt.range());
                    self.target_loads(t);
                    self.note_self_alias(t, &a.value);
                }
                self.wait_result_sets(&a.targets, &a.value, stmt.range());
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.expr(v, Use::Assigned(std::slice::from_ref(&*a.target)), false);
                    self.bound(&a.target, v, stmt.range());
                    self.note_self_alias(&a.target, v);
                }
                self.target_loads(&a.target);
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.value, Use::AugAssigned(&a.target), false);
                if let Expr::Attribute(_) | Expr::Name(_) = &*a.target {
                    // `self._tasks -= done` prunes; `+=` adds (handled above).
                    if matches!(a.op, ast::Operator::Sub | ast::Operator::BitAnd) {
                        if let Some(k) = self.key_of(&a.target) {
                            self.event(k, stmt.range(), EventKind::Pruned);
                        }
                    }
                }
                self.target_loads(&a.target);
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    match t {
                        Expr::Subscript(s) => {
                            if let Some(k) = self.key_of(&s.value) {
                                self.event(k, t.range(), EventKind::Pruned);
                            }
                        }
                        _ => {
                            if let Some(k) = self.key_of(t) {
                                self.event(k, t.range(), EventKind::Deleted);
                            }
                        }
                    }
                }
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    // `return task, slot.generation`: the caller gets a
                    // pair, not the task (no task factory).
                    // (A tuple of names and calls may be tasks only:
                    // `return a, b` still returns tasks.)
                    if let Expr::Tuple(t) = &**v {
                        let data = t.elts.iter().any(|e| {
                            !matches!(e, Expr::Name(_) | Expr::Call(_) | Expr::Starred(_))
                        });
                        if t.elts.len() > 1 && data {
                            self.facts
                                .in_returned_tuple
                                .extend(t.elts.iter().map(Ranged::range));
                        }
                    }
                    self.expr(v, Use::Returned, false);
                }
            }
            Stmt::For(f) => {
                self.forget_aliases(&f.target);
                if let (Expr::Name(n), Some(first), Some(last)) =
                    (&*f.target, f.body.first(), f.body.last())
                {
                    self.facts
                        .for_loops
                        .entry((self.scope, n.id.as_str()))
                        .or_default()
                        .push((f.iter.range(), TextRange::new(first.start(), last.end())));
                }
                self.expr(&f.iter, Use::Iterated(&f.target), false);
                self.forget_bound_in_loop(&f.body);
                self.loop_depth += 1;
                self.body(&f.body);
                self.loop_depth -= 1;
                self.body(&f.orelse);
            }
            Stmt::While(w) => {
                if let Some(task) = polled_until_done(w) {
                    if let Some(key) = self.key_of(task) {
                        self.event(key, task.range(), EventKind::Waited);
                        if self.slot_target(task) == Some(key) {
                            self.facts.direct_waits.insert(task.range());
                        }
                    }
                }
                self.forget_bound_in_loop(&w.body);
                self.expr(&w.test, Use::Neutral, false);
                let g = u32::from(self.mentions_self(&w.test));
                self.guard_depth += g;
                self.loop_depth += 1;
                self.body(&w.body);
                self.loop_depth -= 1;
                self.guard_depth -= g;
                self.body(&w.orelse);
            }
            Stmt::If(i) => {
                if let (Some(first), Some(last)) = (i.body.first(), i.body.last()) {
                    if !i.elif_else_clauses.is_empty() {
                        let id = self.facts.branches.last().map_or(0, |(id, _)| id + 1);
                        let body = TextRange::new(first.start(), last.end());
                        self.facts.branches.push((id, body));
                        for c in &i.elif_else_clauses {
                            self.facts.branches.push((id, c.range()));
                        }
                    }
                }
                self.expr(&i.test, Use::Neutral, false);
                let mut g = u32::from(self.mentions_self(&i.test));
                self.guard_depth += g;
                let outer_not_cancelled = self.not_cancelled.len();
                // The names known before the `if`: each branch starts from
                // them, and after it only what every branch kept holds.
                let before = (outer_not_cancelled > 0).then(|| self.not_cancelled.clone());
                not_cancelled_in(&i.test, &mut self.not_cancelled);
                // (Not a name the test binds again: `not t.cancelled() and
                // (t := …)`.)
                for n in &mut self.not_cancelled[outer_not_cancelled..] {
                    if super::names::walrus_binds_in(&i.test, n) {
                        *n = "";
                    }
                }
                self.body(&i.body);
                self.not_cancelled.truncate(outer_not_cancelled);
                let mut merged = before.as_ref().map(|_| self.not_cancelled.clone());
                // What the `elif` tests end holds in the clauses after them
                // (they run in turn), and on the way past them all.
                let mut chain = before.clone();
                let mut pushed_holds = true;
                for clause in &i.elif_else_clauses {
                    if let Some(c) = &chain {
                        self.not_cancelled.clone_from(c);
                    }
                    // The clauses after `if t.cancelled():` see `t` not
                    // cancelled.
                    let pushed = match cancelled_test(&i.test) {
                        Some(name) if pushed_holds => {
                            self.not_cancelled.push(name);
                            true
                        }
                        _ => false,
                    };
                    if let Some(t) = &clause.test {
                        self.expr(t, Use::Neutral, false);
                        if g == 0 && self.mentions_self(t) {
                            g = 1;
                            self.guard_depth += 1;
                        }
                        if pushed && self.not_cancelled[outer_not_cancelled].is_empty() {
                            pushed_holds = false;
                        }
                        if let Some(c) = &mut chain {
                            for (kept, now) in c.iter_mut().zip(&self.not_cancelled) {
                                if now.is_empty() {
                                    *kept = "";
                                }
                            }
                        }
                    }
                    self.body(&clause.body);
                    self.not_cancelled.truncate(outer_not_cancelled);
                    if let Some(m) = &mut merged {
                        for (kept, now) in m.iter_mut().zip(&self.not_cancelled) {
                            if now.is_empty() {
                                *kept = "";
                            }
                        }
                    }
                }
                // No `else`: the way past every test.
                if !i.elif_else_clauses.iter().any(|c| c.test.is_none()) {
                    if let (Some(m), Some(c)) = (&mut merged, &chain) {
                        for (kept, now) in m.iter_mut().zip(c) {
                            if now.is_empty() {
                                *kept = "";
                            }
                        }
                    }
                }
                if let Some(m) = merged {
                    self.not_cancelled = m;
                }
                self.not_cancelled.truncate(outer_not_cancelled);
                self.guard_depth -= g;
                if g > 0
                    && (block_exits(&i.body)
                        || i.elif_else_clauses.iter().any(|c| block_exits(&c.body)))
                {
                    self.exit_guard_seen = true;
                }
            }
            Stmt::With(w) => {
                let saved_frame = self.frame;
                let mut protect = 0;
                let mut g = 0;
                for item in &w.items {
                    self.expr(&item.context_expr, Use::Neutral, false);
                    if is_lock_expr(&item.context_expr) {
                        g = 1;
                    }
                    if let Some(v) = &item.optional_vars {
                        self.target_loads(v);
                        self.forget_aliases(v);
                        // `with tracked() as tasks:`: what the manager
                        // gives is not a collection this function made
                        // (decision 5).
                        if let Expr::Name(n) = &**v {
                            if let Some(key @ Key::Local(..)) = self.name_key(n.id.as_str()) {
                                self.facts.binds.push(Bind {
                                    key,
                                    scope: self.scope,
                                    range: item.range(),
                                    until: self.block_end,
                                    block_start: self.block_start,
                                    value: &item.context_expr,
                                    names_slot: None,
                                    borrowed: true,
                                });
                            }
                        }
                    }
                    if let Expr::Call(call) = &item.context_expr {
                        if last_identifier(&call.func) == Some("suppress") {
                            let (mut cancel, mut broad) = (false, false);
                            for arg in &*call.arguments.args {
                                let (c, b) = handler_catches(self.model, self.scope, Some(arg));
                                cancel |= c;
                                broad |= b;
                            }
                            let frame = self.next_frame;
                            self.next_frame += 1;
                            let in_loop = self.loop_depth > 0;
                            // The items after it are entered under it too
                            // (`with a, b:` is `with a: with b:`).
                            let suspends = !(cancel && in_loop)
                                || can_suspend(
                                    w.items
                                        .iter()
                                        .skip_while(|i| !std::ptr::eq(*i, item))
                                        .skip(1)
                                        .map(|i| &i.context_expr),
                                    &w.body,
                                );
                            self.facts.handlers.push(Handler {
                                scope: self.scope,
                                range: item.range(),
                                catches_cancel: cancel,
                                broad,
                                in_loop,
                                exits: false,
                                raises: false,
                                frame,
                                suspends,
                            });
                            self.frame = frame;
                            if cancel {
                                protect = 1;
                            }
                        }
                    }
                }
                self.protect_depth += protect;
                self.guard_depth += g;
                if w.items.iter().all(|i| runs_body_through(&i.context_expr)) {
                    self.statements(&w.body);
                } else {
                    // `with suppress(…):`, `move_on_after(…)`,
                    // `pytest.raises(…)` may leave the body half-way.
                    self.body(&w.body);
                }
                self.guard_depth -= g;
                self.protect_depth -= protect;
                self.frame = saved_frame;
            }
            Stmt::Try(t) => {
                // The `except` clauses and the `else` clause: at most one of
                // them runs (a cancel in a handler never precedes an await in
                // the `else`). In a loop, a handler that does not leave it
                // may be followed by another clause in the next pass; the
                // clauses of `except*` may all run for one exception group
                // (each still excludes the `else`).
                let in_loop = self.loop_depth > 0;
                let clauses = t.handlers.len() + usize::from(!t.orelse.is_empty());
                let arms: Vec<TextRange> = if clauses < 2 {
                    Vec::new()
                } else {
                    t.handlers
                        .iter()
                        .filter(|h| {
                            let ast::ExceptHandler::ExceptHandler(h) = h;
                            !in_loop || block_exits(&h.body)
                        })
                        .map(Ranged::range)
                        .collect()
                };
                let orelse = match (t.orelse.first(), t.orelse.last()) {
                    (Some(first), Some(last)) => Some(TextRange::new(first.start(), last.end())),
                    _ => None,
                };
                let mut next_id = self.facts.branches.last().map_or(0, |(id, _)| id + 1);
                if !t.is_star {
                    if arms.len() + usize::from(orelse.is_some()) >= 2 {
                        for &arm in arms.iter().chain(&orelse) {
                            self.facts.branches.push((next_id, arm));
                        }
                    }
                } else if let Some(orelse) = orelse {
                    for &arm in &arms {
                        self.facts.branches.push((next_id, arm));
                        self.facts.branches.push((next_id, orelse));
                        next_id += 1;
                    }
                }
                let exit_after = std::mem::take(&mut self.exit_after_try);
                let frame = self.next_frame;
                self.next_frame += 1;
                let mut protect = 0;
                // Clauses are tried in order: after one that catches
                // `CancelledError`, a broader one never receives it
                // (channels-redis: `except (CancelledError, ...): raise`
                // before `except BaseException:`).
                let mut caught_before = false;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    let (cancel, broad) =
                        handler_catches(self.model, self.scope, h.type_.as_deref());
                    if cancel {
                        protect = 1;
                    }
                    let exits = block_exits(&h.body);
                    self.facts.handlers.push(Handler {
                        scope: self.scope,
                        range: h.range(),
                        catches_cancel: cancel && !caught_before,
                        // A handler that only raises again what it caught
                        // (`except Exception as e: raise e`) controls
                        // nothing: the failure goes on to nobody.
                        broad: broad && !only_reraises(h),
                        in_loop: self.loop_depth > 0,
                        exits: exit_after || exits,
                        raises: exits && block_any(&h.body, |s| matches!(s, Stmt::Raise(_))),
                        frame,
                        suspends: true,
                    });
                    caught_before |= cancel;
                }
                // Asked only where it decides something: a handler that
                // catches the cancellation inside a loop.
                let own = self.facts.handlers.len() - t.handlers.len()..self.facts.handlers.len();
                if self.facts.handlers[own.clone()]
                    .iter()
                    .any(|h| h.catches_cancel && h.in_loop)
                    && !can_suspend(std::iter::empty(), &t.body)
                {
                    for h in &mut self.facts.handlers[own] {
                        h.suspends = false;
                    }
                }
                let saved_frame = self.frame;
                self.frame = frame;
                self.protect_depth += protect;
                self.body(&t.body);
                self.protect_depth -= protect;
                self.frame = saved_frame;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(ty) = &h.type_ {
                        self.expr(ty, Use::Neutral, false);
                    }
                    self.body(&h.body);
                }
                self.body(&t.orelse);
                self.body(&t.finalbody);
            }
            Stmt::Raise(r) => {
                for e in [&r.exc, &r.cause].into_iter().flatten() {
                    self.expr(e, Use::Neutral, false);
                }
            }
            Stmt::Assert(a) => {
                self.expr(&a.test, Use::Neutral, false);
                if self.mentions_self(&a.test) {
                    self.exit_guard_seen = true;
                }
            }
            Stmt::Match(m) => {
                self.expr(&m.subject, Use::Neutral, false);
                for case in &m.cases {
                    self.body(&case.body);
                }
            }
            _ => {}
        }
    }

    /// Loads inside an assignment target: in `self.c[k] = v` the key `k` is
    /// put into the container too (a task used as a dict key is held there).
    fn target_loads(&mut self, target: &'a Expr) {
        if let Expr::Subscript(s) = target {
            let first = self.facts.flows.len();
            self.expr(&s.slice, Use::Added(&s.value), false);
            for f in &self.facts.flows[first..] {
                if f.kind == FlowKind::Add {
                    self.facts.key_adds.insert(f.range);
                    self.task_keyed.insert(f.to);
                    self.keyed_adds.push((f.to, f.from));
                }
            }
        }
    }

    /// A parameter whose default is a key names it in the function
    /// (`def done(t, _tasks=self._tasks): _tasks.remove(t)`). The default is
    /// evaluated where the function is defined: in `parent`.
    fn default_aliases(&mut self, id: ScopeId, parent: ScopeId, def: &'a ast::StmtFunctionDef) {
        let with_default = def
            .parameters
            .iter_non_variadic_params()
            .filter_map(|p| p.default.as_deref().map(|d| (p.parameter.name.as_str(), d)));
        for (name, default) in with_default {
            if !matches!(default, Expr::Attribute(_) | Expr::Name(_)) {
                continue;
            }
            self.scope = parent;
            self.self_name = self.model.scopes[parent as usize].self_name;
            self.family = self.model.family_of(parent);
            if let Some(key) = self.key_of(default) {
                self.flow(key, Key::Local(id, name), FlowKind::Assign, default.range());
            }
        }
    }

    /// Records what a slot-like target is bound to.
    fn bound(&mut self, target: &'a Expr, value: &'a Expr, range: TextRange) {
        // A name's key is asked once: a module name is a slot, a local is
        // only followed in order.
        let key = match target {
            Expr::Name(n) => match self.name_key(n.id.as_str()) {
                Some(key @ Key::Local(..)) => {
                    self.bind(key, range, value);
                    return;
                }
                key => key,
            },
            _ => self.slot_target(target),
        };
        if let Some(key) = key {
            let bound = self.classify_value(value);
            self.event(key, range, EventKind::Bound(bound));
            self.bind(key, range, value);
        } else {
            self.bound_unpacked(target, range);
        }
    }

    /// Whether a call of `func` makes an object of another class
    /// (`TaskManager()`, `TaskRegistry[Task]()`): a class of this module is
    /// left to what it is.
    fn another_object(&self, func: &Expr) -> bool {
        let func = match func {
            Expr::Subscript(s) => &*s.value,
            f => f,
        };
        last_identifier(func).is_some_and(|name| {
            constructs_another_object(name) && !self.model.class_by_name.contains_key(name)
        })
    }

    /// Whether `name` is a parameter of the function `scope`.
    fn is_param(&self, scope: ScopeId, name: &str) -> bool {
        let scope = &self.model.scopes[scope as usize];
        scope.params.contains(&name) || scope.kwonly.contains(&name)
    }

    fn bind(&mut self, key: Key<'a>, range: TextRange, value: &'a Expr) {
        let plain = match value {
            Expr::If(i) => &*i.body,
            v => v,
        };
        let names_slot = match plain {
            Expr::Attribute(_) | Expr::Name(_) => self.slot_target(plain),
            _ => None,
        };
        let borrowed =
            matches!(key, Key::Local(..)) && names_slot.is_none() && self.borrowed_value(value);
        // Only an assignment every call runs (in the function's own
        // statement list, not under an `if tasks is None:`).
        if let Key::Local(s, n) = key {
            let unconditional = self.model.scopes[s as usize]
                .def
                .and_then(|d| d.body.first())
                .is_some_and(|first| first.start() == self.block_start);
            if unconditional && self.is_param(s, n) {
                self.rebound_params.insert(key);
            }
        }
        self.facts.binds.push(Bind {
            key,
            scope: self.scope,
            range,
            until: self.block_end,
            block_start: self.block_start,
            value,
            names_slot,
            borrowed,
        });
    }

    /// The slot an assignment target binds: `self.<attr>`, a module name.
    fn slot_target(&self, target: &'a Expr) -> Option<Key<'a>> {
        match target {
            Expr::Attribute(a) if self.is_self(&a.value) => {
                Some(Key::Attr(self.family, a.attr.as_str()))
            }
            Expr::Name(n) => match self.name_key(n.id.as_str()) {
                Some(k @ Key::Module(_)) => Some(k),
                _ => None,
            },
            _ => None,
        }
    }

    /// Slots among the targets a value is unpacked into (`done,
    /// self._pending = await asyncio.wait(self._pending, ...)`): each is
    /// bound to a part of the value, nothing the rule can name.
    fn bound_unpacked(&mut self, target: &'a Expr, range: TextRange) {
        let elts = match target {
            Expr::Tuple(t) => &t.elts,
            Expr::List(t) => &t.elts,
            _ => return,
        };
        for elt in elts {
            let elt = match elt {
                Expr::Starred(s) => &*s.value,
                e => e,
            };
            match self.slot_target(elt) {
                Some(key) => self.event(key, range, EventKind::Bound(BoundValue::Other)),
                None => guard(|| self.bound_unpacked(elt, range)),
            }
        }
    }

    /// Whether a local's value is a collection the function did not make:
    /// anything but a literal, a comprehension, a constructor or copy of a
    /// collection, another local, a task or an expression of those.
    fn borrowed_value(&self, value: &Expr) -> bool {
        match value {
            Expr::If(i) => guard(|| self.borrowed_value(&i.body) || self.borrowed_value(&i.orelse)),
            Expr::BoolOp(b) => b.values.iter().any(|v| guard(|| self.borrowed_value(v))),
            Expr::Name(n) => {
                let scope = &self.model.scopes[self.scope as usize];
                scope.params.contains(&n.id.as_str()) || scope.kwonly.contains(&n.id.as_str())
            }
            Expr::Attribute(a) => !self.is_self(&a.value),
            // A part of a collection: the collection's (`tasks[1:]` of the
            // function's own list is its own).
            Expr::Subscript(s) => guard(|| self.borrowed_value(&s.value)),
            Expr::Await(_) => true,
            Expr::Call(call) => {
                if self.facts.site_by_range.contains_key(&call.range()) {
                    return false;
                }
                // `set[Task]()`: the constructor under its type arguments.
                let func = match &*call.func {
                    Expr::Subscript(s) => &*s.value,
                    f => f,
                };
                // A method of a collection the function holds
                // (`groups.setdefault(k, [])`): not another object's.
                if let Expr::Attribute(a) = func {
                    if let Expr::Name(n) = &*a.value {
                        if !self.is_self(&a.value)
                            && matches!(self.name_key(n.id.as_str()), Some(Key::Local(..)))
                        {
                            return self.borrowed_value(&a.value);
                        }
                    }
                }
                !matches!(
                    last_identifier(func).unwrap_or_default(),
                    "set"
                        | "list"
                        | "dict"
                        | "tuple"
                        | "frozenset"
                        | "sorted"
                        | "deque"
                        | "defaultdict"
                        | "OrderedDict"
                        | "Counter"
                        | "WeakSet"
                        | "WeakValueDictionary"
                        | "WeakKeyDictionary"
                        | "copy"
                        | "create_task"
                        | "ensure_future"
                        | "gather"
                        // (`asyncio.wait`'s sets are its own, decision 49.)
                        | "wait"
                        | "Queue"
                )
            }
            _ => false,
        }
    }

    /// `self` (or `cls`), or the name of the method's own class or of a
    /// class of its family (`Runner.running_tasks` in a static method of
    /// `Runner`): its attributes are the owner's, as through `cls`
    /// (decision 17).
    fn is_self(&self, expr: &Expr) -> bool {
        let Expr::Name(n) = expr else {
            return false;
        };
        let name = n.id.as_str();
        if !self.lambda_params.is_empty() && self.lambda_params.iter().any(|(p, _)| *p == name) {
            return false;
        }
        Some(name) == self.self_name
            || self.family.is_some_and(|family| {
                self.model
                    .class_by_name
                    .get(name)
                    .is_some_and(|&c| self.model.classes[c as usize].family == family)
                    && self.model.resolve_name(self.scope, name) == NameHome::Module
                    // (Not a comprehension's variable of that name.)
                    && (self.late_bound.is_empty()
                        || !self.late_bound.contains(&(self.scope, name)))
            })
    }

    fn classify_value(&self, value: &Expr) -> BoundValue {
        guard(|| self.classify_value_inner(value))
    }

    fn classify_value_inner(&self, value: &Expr) -> BoundValue {
        match value {
            Expr::NoneLiteral(_) => BoundValue::None,
            Expr::List(_)
            | Expr::Set(_)
            | Expr::Dict(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_) => BoundValue::Fresh,
            Expr::Call(call) => {
                if self.facts.site_by_range.contains_key(&call.range()) {
                    return BoundValue::Task;
                }
                let name = last_identifier(&call.func).unwrap_or_default();
                match name {
                    _ if is_weak_container(name) => BoundValue::SelfPruning,
                    "deque"
                        if call
                            .arguments
                            .keywords
                            .iter()
                            .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "maxlen"))
                            || call.arguments.args.len() >= 2 =>
                    {
                        BoundValue::SelfPruning
                    }
                    "set" | "list" | "dict" | "deque" | "defaultdict" | "OrderedDict"
                    | "Counter" => BoundValue::Fresh,
                    // `self.task_manager = TaskManager()`: another object
                    // (a class of this module is left to what it is).
                    _ if self.another_object(&call.func) => BoundValue::Borrowed,
                    _ => BoundValue::Other,
                }
            }
            Expr::Name(n) => {
                let scope = &self.model.scopes[self.scope as usize];
                if scope.params.contains(&n.id.as_str()) || scope.kwonly.contains(&n.id.as_str()) {
                    BoundValue::Borrowed
                } else {
                    BoundValue::Other
                }
            }
            Expr::Attribute(a) if !self.is_self(&a.value) => BoundValue::Borrowed,
            Expr::If(i) => {
                let (b, o) = (self.classify_value(&i.body), self.classify_value(&i.orelse));
                if b == BoundValue::Borrowed || o == BoundValue::Borrowed {
                    BoundValue::Borrowed
                } else {
                    b
                }
            }
            Expr::BoolOp(b) => {
                if b.values
                    .iter()
                    .any(|v| self.classify_value(v) == BoundValue::Borrowed)
                {
                    BoundValue::Borrowed
                } else {
                    BoundValue::Other
                }
            }
            _ => BoundValue::Other,
        }
    }

    // ---- expressions ------------------------------------------------------

    fn expr(&mut self, e: &'a Expr, u: Use<'a>, in_coll: bool) {
        // Most operands and arguments are constants and names that record
        // nothing where they stand: they are passed over here, without a
        // call or a stack check ([`Walker::expr_inner`] does nothing with
        // them either).
        let quiet = match e {
            Expr::FString(_) | Expr::TString(_) | Expr::IpyEscapeCommand(_) => true,
            Expr::Name(_) => matches!(u, Use::Neutral),
            e => e.is_literal_expr(),
        };
        if !quiet {
            guard(|| self.expr_inner(e, u, in_coll));
        }
    }

    fn expr_inner(&mut self, e: &'a Expr, u: Use<'a>, in_coll: bool) {
        // Only calls, names, attributes and element accesses can denote a key.
        // A name or an attribute denotes no spawn site, so a use that records
        // nothing for other keys (most uses: `x` in `x.strip()`, `self` in
        // `self.x`) needs no key (resolving names is most of the walk's cost).
        let wanted = match e {
            Expr::Call(_) | Expr::Subscript(_) | Expr::BinOp(_) => true,
            Expr::Name(_) | Expr::Attribute(_) => match u {
                Use::Neutral => false,
                Use::Receiver(method, _) => {
                    OBSERVING_METHODS.contains(&method) || PRUNE_METHODS.contains(&method)
                }
                _ => true,
            },
            _ => false,
        };
        let pos = self.tuple_pos.take();
        if wanted {
            if let Some(key) = self.key_of(e) {
                self.cur_pos = pos;
                self.record(key, e, u, in_coll);
                self.cur_pos = None;
            }
        }
        match e {
            Expr::Call(call) => self.call(call, u),
            Expr::Await(a) => {
                if let Expr::Call(c) = &*a.value {
                    self.facts.awaited_calls.insert(c.range());
                }
                self.expr(&a.value, Use::Awaited(false), false);
                // While the function waits, another may cancel the task.
                self.forget_bound(|_| true);
            }
            Expr::Named(n) => {
                self.bind_late(&n.target);
                self.expr(&n.value, u, in_coll);
                if !self.not_cancelled.is_empty() {
                    if let Expr::Name(t) = &*n.target {
                        let name = t.id.as_str();
                        self.forget_bound(|x| x == name);
                    }
                }
                if let Some(key) = self.key_of(&n.value) {
                    self.store(key, &n.target, in_coll, e.range());
                }
            }
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                let (cu, ci) = if u.carries() {
                    (u, true)
                } else {
                    (Use::Neutral, false)
                };
                // Where each element of a tuple goes: a loop over the
                // container unpacks it in the same place. (The elements of
                // a tuple or list inside a tuple are in the outer place.)
                let tuple = ci && e.is_tuple_expr();
                let len = u8::try_from(elts.len()).ok().filter(|_| tuple);
                for (i, elt) in elts.iter().enumerate() {
                    self.tuple_pos = pos.filter(|_| ci).or(len.map(|n| (i as u8, n)));
                    self.expr(elt, cu, ci);
                    self.tuple_pos = None;
                }
            }
            Expr::Dict(d) => {
                let (cu, ci) = if u.carries() {
                    (u, true)
                } else {
                    (Use::Neutral, false)
                };
                for item in &d.items {
                    if let Some(k) = &item.key {
                        self.dict_key(k, cu, ci);
                    }
                    self.expr(&item.value, cu, ci);
                }
            }
            Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            })
            | Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => {
                if e.is_generator_expr() {
                    self.facts.deferred.push(e.range());
                }
                let saved = self.mask_comprehension(generators);
                self.generators(generators, e.range());
                let (cu, ci) = if u.carries() {
                    (u, true)
                } else {
                    (Use::Neutral, false)
                };
                self.expr(elt, cu, ci);
                if let Some(saved) = saved {
                    self.not_cancelled = saved;
                    // (A `:=` in it binds the enclosing function's name.)
                    self.forget_bound(|n| super::names::walrus_binds_in(e, n));
                }
            }
            Expr::DictComp(d) => {
                let saved = self.mask_comprehension(&d.generators);
                self.generators(&d.generators, e.range());
                let (cu, ci) = if u.carries() {
                    (u, true)
                } else {
                    (Use::Neutral, false)
                };
                // Keys hold tasks too (`{create_task(f(x)): x for x in xs}`).
                if let Some(k) = &d.key {
                    self.dict_key(k, cu, ci);
                }
                self.expr(&d.value, cu, ci);
                if let Some(saved) = saved {
                    self.not_cancelled = saved;
                    self.forget_bound(|n| super::names::walrus_binds_in(e, n));
                }
            }
            Expr::Starred(s) => self.expr(&s.value, u, in_coll),
            Expr::If(i) => {
                self.expr(&i.test, Use::Neutral, false);
                self.expr(&i.body, u, in_coll);
                self.expr(&i.orelse, u, in_coll);
            }
            Expr::BoolOp(b) => {
                for v in &b.values {
                    self.expr(v, u, in_coll);
                }
            }
            // A lambda's value goes to whoever calls it: a callback's to the
            // event loop, which drops it (`add_done_callback(lambda t:
            // running.pop(k))` hands nothing on, `call_later(1, lambda:
            // create_task(…))` leaves the task dangling); to any other call
            // the lambda is handed to, that call (not followed: it is not the
            // parameter that gets the task).
            Expr::Lambda(l) => {
                self.facts.deferred.push(e.range());
                // Its body runs later, when the task may be cancelled.
                let saved = (!self.not_cancelled.is_empty()).then(|| self.not_cancelled.clone());
                self.forget_bound(|_| true);
                let body_use = match u {
                    Use::Arg(call, _)
                        if matches!(&*call.func, Expr::Attribute(a)
                            if LOOP_CALLBACK_METHODS.contains(&a.attr.as_str())) =>
                    {
                        Use::Discard
                    }
                    Use::Arg(call, _) => Use::Handed(call),
                    _ => Use::Returned,
                };
                let outer = self.lambda_params.len();
                if let Some(p) = &l.parameters {
                    self.lambda_params.extend(
                        p.iter_non_variadic_params()
                            .map(|p| {
                                let default = match p.default.as_deref() {
                                    Some(Expr::Name(d)) => Some(d.id.as_str()),
                                    _ => None,
                                };
                                (p.parameter.name.as_str(), default)
                            })
                            .chain(p.vararg.iter().map(|v| (v.name.as_str(), None)))
                            .chain(p.kwarg.iter().map(|v| (v.name.as_str(), None))),
                    );
                }
                self.expr(&l.body, body_use, false);
                self.lambda_params.truncate(outer);
                if let Some(saved) = saved {
                    self.not_cancelled = saved;
                }
            }
            Expr::Yield(y) => {
                if let Some(v) = &y.value {
                    self.expr(v, Use::Yielded, false);
                }
            }
            // `yield from task` (in `__await__`) waits for it.
            Expr::YieldFrom(y) => self.expr(&y.value, Use::Awaited(false), false),
            Expr::Attribute(a) => {
                // A method of the task passed as a callable is called later:
                // `task.result` retrieves the outcome, and `task.cancel`
                // handed to a call (`loop.call_soon_threadsafe(task.cancel)`,
                // `call_later`, `partial`) cancels it; a bare `task.cancel`
                // (no call, nothing to call it) does nothing.
                if !matches!(u, Use::Receiver(..)) {
                    let kind = match a.attr.as_str() {
                        "result" | "exception" => Some(EventKind::Awaited {
                            protected: self.protect_depth > 0,
                        }),
                        "cancel" if matches!(u, Use::Arg(..)) => Some(EventKind::Cancelled),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        if let Some(key) = self.key_of(&a.value) {
                            if kind == EventKind::Cancelled {
                                self.facts.handed_cancels.push(a.value.range());
                            }
                            self.event(key, a.value.range(), kind);
                        }
                    }
                }
                self.expr(&a.value, Use::Neutral, false);
            }
            Expr::Subscript(s) => {
                self.expr(&s.value, Use::Neutral, false);
                self.expr(&s.slice, Use::Neutral, false);
            }
            Expr::Compare(c) => {
                self.expr(&c.left, Use::Neutral, false);
                for x in &*c.comparators {
                    self.expr(x, Use::Neutral, false);
                }
            }
            // Lists joined (`first + second`) and sets united (`first |
            // second`) hold the tasks of both, as `[*first, *second]` does.
            Expr::BinOp(b)
                if matches!(b.op, ast::Operator::Add | ast::Operator::BitOr) && u.carries() =>
            {
                self.expr(&b.left, u, true);
                self.expr(&b.right, u, true);
            }
            Expr::BinOp(b) => {
                self.expr(&b.left, Use::Neutral, false);
                self.expr(&b.right, Use::Neutral, false);
            }
            Expr::UnaryOp(x) => self.expr(&x.operand, Use::Neutral, false),
            Expr::Slice(s) => {
                for part in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    self.expr(part, Use::Neutral, false);
                }
            }
            // Constants, f-strings and names in a neutral use land here and
            // record nothing: `expr` passes over them without calling this
            // (a new arm for one of them must change that test too).
            _ => {}
        }
    }

    fn generators(&mut self, generators: &'a [ast::Comprehension], whole: TextRange) {
        for g in generators {
            self.bind_late(&g.target);
            // (A comprehension's name is bound for the whole of it.)
            if let Expr::Name(n) = &g.target {
                self.facts
                    .for_loops
                    .entry((self.scope, n.id.as_str()))
                    .or_default()
                    .push((g.iter.range(), whole));
            }
            self.expr(&g.iter, Use::Iterated(&g.target), false);
            for cond in &g.ifs {
                self.expr(cond, Use::Neutral, false);
            }
        }
    }

    fn call(&mut self, call: &'a ExprCall, u: Use<'a>) {
        // Awaited through a wait function (`await asyncio.wait_for(self.close(), 5)`,
        // `await asyncio.gather(self.close())`) as well as directly.
        if (self.args_run && matches!(u, Use::Awaited(_)))
            || (self.args_driven && matches!(u, Use::Iterated(_)))
        {
            self.facts.awaited_calls.insert(call.range());
        }
        if let Expr::Attribute(a) = &*call.func {
            let scope = &self.model.scopes[self.scope as usize];
            if scope.class.is_some() && is_super_call(&a.value, scope.self_name) {
                self.facts
                    .super_calls
                    .push((self.scope, a.attr.as_str(), call.range()));
            }
        }
        // `first.union(second)` holds the tasks of both, as `first | second`.
        if let Expr::Attribute(a) = &*call.func {
            if a.attr.as_str() == "union" && u.carries() {
                self.expr(&a.value, u, true);
                for arg in &*call.arguments.args {
                    self.expr(arg, u, true);
                }
                for k in &call.arguments.keywords {
                    self.expr(&k.value, Use::Neutral, false);
                }
                return;
            }
        }
        // `task.add_done_callback(partial(forget, self._tasks))`: the
        // partial's arguments go to a callback that runs once the task is
        // done; they are not handed on (the callback is judged by
        // `callback_observes`).
        if let (Expr::Attribute(a), [Expr::Call(p)]) = (&*call.func, &*call.arguments.args) {
            if a.attr.as_str() == "add_done_callback" && last_identifier(&p.func) == Some("partial")
            {
                self.expr(&a.value, Use::Receiver("add_done_callback", call), false);
                self.expr(&p.func, Use::Neutral, false);
                // `context=…`.
                for k in &call.arguments.keywords {
                    self.expr(&k.value, Use::Neutral, false);
                }
                // A collection tasks were put into is pruned by the callback
                // (`callback_observes`); anything else given to it (a task)
                // is handed on, as to any call.
                for (i, arg) in p.arguments.args.iter().enumerate() {
                    let u = if self.is_task_collection(arg) {
                        Use::Neutral
                    } else {
                        Use::Arg(p, ArgPos::Index(i))
                    };
                    self.expr(arg, u, false);
                }
                for k in &p.arguments.keywords {
                    let u = match &k.arg {
                        Some(name) if !self.is_task_collection(&k.value) => {
                            Use::Arg(p, ArgPos::Keyword(name.as_str()))
                        }
                        _ => Use::Neutral,
                    };
                    self.expr(&k.value, u, false);
                }
                return;
            }
        }
        let is_site = self.facts.site_by_range.contains_key(&call.range());
        let copy = !is_site && self.unwrap_copy(call).is_some();
        match &*call.func {
            Expr::Attribute(a) => self.expr(&a.value, Use::Receiver(a.attr.as_str(), call), false),
            other => self.expr(other, Use::Neutral, false),
        }
        let args = &*call.arguments.args;
        if copy
            || (is_site
                && self.facts.sites[self.facts.site_by_range[&call.range()] as usize]
                    .api
                    .is_some())
        {
            // The coroutine of a spawn, or the argument of a copy: not a
            // hand-off. But a copy of a display of tasks is used as the
            // copy is (`asyncio.wait(frozenset((a, b)))`).
            for a in args {
                let display = match a {
                    Expr::List(ast::ExprList { elts, .. })
                    | Expr::Tuple(ast::ExprTuple { elts, .. })
                    | Expr::Set(ast::ExprSet { elts, .. }) => {
                        !(elts.len() == 1 && elts[0].is_starred_expr())
                    }
                    // A copy of lists joined or sets united holds the
                    // tasks of both (`list(self._a | self._b)`, decision 39).
                    Expr::BinOp(b) => matches!(b.op, ast::Operator::Add | ast::Operator::BitOr),
                    _ => false,
                };
                if copy && display {
                    self.expr(a, u, false);
                    continue;
                }
                self.expr(a, Use::Neutral, false);
            }
            for k in &call.arguments.keywords {
                self.expr(&k.value, Use::Neutral, false);
            }
            return;
        }
        if let Some(wait) = spawn::wait_fn(self.model, call, self.scope) {
            if wait == WaitFn::Wait && wait_may_return_early(call) {
                self.facts.early_waits.push(call.range());
                let single = match wait_source(call) {
                    Some(
                        Expr::List(ast::ExprList { elts, .. })
                        | Expr::Tuple(ast::ExprTuple { elts, .. })
                        | Expr::Set(ast::ExprSet { elts, .. }),
                    ) => elts.len() == 1 && !elts[0].is_starred_expr(),
                    _ => false,
                };
                if single && !wait_has_timeout(call) {
                    self.facts.single_waits.push(call.range());
                }
            }
            let arg_use = match (wait, u) {
                // `for f in as_completed(tasks): await f` awaits the elements.
                (WaitFn::Drives, Use::Iterated(target)) => Use::Iterated(target),
                (WaitFn::Drives, _) => Use::Awaited(false),
                (WaitFn::Gather(rx), Use::Awaited(_)) => Use::Awaited(rx),
                (WaitFn::Wait, Use::Awaited(_)) => Use::Awaited(true),
                (WaitFn::WaitFor, Use::Awaited(p)) => Use::Awaited(p),
                // `asyncio.wait([t])` or `wait_for(t, 1)` left unawaited is a
                // coroutine that never runs, `shield(t)` a future nobody
                // keeps (also bound to `_`, or inside another such call):
                // the task is dropped with it.
                (WaitFn::Wait | WaitFn::WaitFor, Use::Discard) => Use::Discard,
                (WaitFn::Wait | WaitFn::WaitFor, Use::Assigned([Expr::Name(n)]))
                    if n.id.as_str() == "_" =>
                {
                    Use::Discard
                }
                // `asyncio.wait` inside an awaited `wait_for` is still `wait`.
                _ => Use::WaitArg,
            };
            // `as_completed(…)` runs its arguments only where it is iterated
            // (the calls in them are then awaited through it).
            let saved = (self.args_run, self.args_driven);
            if wait == WaitFn::Drives && last_identifier(&call.func) == Some("as_completed") {
                let iterated = matches!(u, Use::Iterated(_));
                self.args_run = self.args_run && iterated;
                self.args_driven = iterated;
            }
            for a in args {
                self.expr(a, arg_use, false);
            }
            for k in &call.arguments.keywords {
                // `wait(fs=…)`, `wait_for(fut=…)`, `shield(arg=…)`.
                let carries = k
                    .arg
                    .as_ref()
                    .is_some_and(|a| matches!(a.as_str(), "fs" | "fut" | "arg"));
                self.expr(
                    &k.value,
                    if carries { arg_use } else { Use::Neutral },
                    false,
                );
            }
            (self.args_run, self.args_driven) = saved;
            return;
        }
        // `self.tasks.add(task)` where `self.tasks` is an object of a class
        // of the module (`self.tasks = Tasks()`): a call of `Tasks.add`,
        // whose parameter the task flows into (decision 4), not an add to a
        // collection of this class.
        let of_module_class = !self.model.attr_classes.is_empty()
            && matches!(&*call.func, Expr::Attribute(a) if matches!(&*a.value, Expr::Attribute(_)))
            && self.resolve_callee(&call.func).is_some();
        if let Expr::Attribute(a) = &*call.func {
            let method = a.attr.as_str();
            if !of_module_class
                && (ADD_METHODS.contains(&method) || method == "extend" || method == "update")
            {
                let skip = usize::from(matches!(method, "insert" | "setdefault"));
                for (i, arg) in args.iter().enumerate() {
                    if i < skip {
                        self.expr(arg, Use::Neutral, false);
                    } else {
                        self.expr(
                            arg,
                            Use::Added(&a.value),
                            matches!(method, "extend" | "update"),
                        );
                    }
                }
                for k in &call.arguments.keywords {
                    self.expr(&k.value, Use::Neutral, false);
                }
                return;
            }
        }
        // Taking a task out of a container, or looking for it, hands nothing on.
        let container_lookup = !of_module_class
            && matches!(&*call.func, Expr::Attribute(a)
            if PRUNE_METHODS.contains(&a.attr.as_str()) || matches!(a.attr.as_str(), "index" | "count" | "__contains__"));
        let neutral =
            container_lookup || spawn::is_neutral_callee(self.model, &call.func, self.scope);
        for (i, arg) in args.iter().enumerate() {
            let u = if neutral {
                Use::Neutral
            } else {
                Use::Arg(call, ArgPos::Index(i))
            };
            self.expr(arg, u, false);
        }
        for k in &call.arguments.keywords {
            let u = match (&k.arg, neutral) {
                (Some(name), false) => Use::Arg(call, ArgPos::Keyword(name.as_str())),
                _ => Use::Neutral,
            };
            self.expr(&k.value, u, false);
        }
    }

    // ---- recording --------------------------------------------------------

    fn record(&mut self, key: Key<'a>, e: &'a Expr, u: Use<'a>, in_coll: bool) {
        let range = e.range();
        let is_site = matches!(key, Key::Site(_));
        match u {
            Use::Discard => self.event(key, range, EventKind::Discarded),
            // Every method with an event here is in OBSERVING_METHODS or
            // PRUNE_METHODS (expr_inner relies on it).
            Use::Receiver(method, call) => match method {
                "cancel" => self.event(key, range, EventKind::Cancelled),
                // Retrieving the outcome observes it like an await does;
                // `task.__await__()` delegates to it.
                "result" | "exception" | "__await__" => {
                    let protected = self.protect_depth > 0
                        || (method != "__await__"
                            && matches!(e, Expr::Name(n)
                                if self.not_cancelled.contains(&n.id.as_str())));
                    self.event(key, range, EventKind::Awaited { protected });
                }
                "add_done_callback" => {
                    let observing = match call.arguments.args.first() {
                        Some(cb) => self.callback_observes(cb, call.range()),
                        None => true,
                    };
                    self.event(key, range, EventKind::DoneCallback { observing });
                    if is_site {
                        self.event(key, range, EventKind::Discarded);
                    }
                }
                m if PRUNE_METHODS.contains(&m) => {
                    self.event(key, range, EventKind::Pruned);
                    if is_site {
                        self.event(key, range, EventKind::Discarded);
                    }
                }
                _ => {
                    if is_site {
                        self.event(key, range, EventKind::Discarded);
                    }
                }
            },
            Use::Awaited(p) => {
                let protected = p || self.protect_depth > 0;
                self.event(key, range, EventKind::Awaited { protected });
                self.facts.await_exprs.insert(range);
                if self.slot_target(e) == Some(key) {
                    self.facts.direct_waits.insert(range);
                }
            }
            Use::WaitArg => self.event(key, range, EventKind::HandedOn(Transfer::Gathered)),
            Use::Assigned(targets) => {
                for t in targets {
                    self.store(key, t, in_coll, range);
                }
            }
            Use::AugAssigned(target) => self.store(key, target, true, range),
            Use::Added(container) => self.add(key, container, range),
            Use::Arg(call, pos) => self.arg(key, call, pos, range),
            Use::Handed(call) => self.event(
                key,
                range,
                EventKind::HandedOn(Transfer::PassedTo {
                    func: &call.func,
                    constructor: false,
                }),
            ),
            Use::Returned => self.event(key, range, EventKind::Returned),
            Use::Yielded => self.event(key, range, EventKind::Yielded),
            Use::Iterated(target) => match target {
                // `for k, task in d.items()`: the value, and the key if a
                // task was put in as one (`d[task] = conn`). Unpacking the
                // tuples of a list (`for task, name in pending`): the name
                // in the place where a tuple put into it holds a task; the
                // last one when no tuple put into it is known. Decided once
                // the walk has seen every `add` ([`resolve_tuple_elements`]).
                Expr::Tuple(t) if t.elts.len() >= 2 => {
                    let items = is_items_call(e);
                    let n = u8::try_from(t.elts.len()).unwrap_or(u8::MAX);
                    for (i, elt) in t.elts.iter().enumerate() {
                        let Expr::Name(name) = elt else { continue };
                        let Some(to) = self.name_key(name.id.as_str()) else {
                            continue;
                        };
                        let tag = ElementTag {
                            container: key,
                            pos: u8::try_from(i).unwrap_or(u8::MAX),
                            len: n,
                            items,
                        };
                        if !(items && i + 1 == t.elts.len()) {
                            self.tagged.push((self.facts.flows.len() as u32, tag));
                        }
                        self.flow(key, to, FlowKind::Element, range);
                    }
                }
                target => {
                    let target = match target {
                        Expr::Tuple(t) => t.elts.last().unwrap_or(target),
                        other => other,
                    };
                    if let Expr::Name(n) = target {
                        if let Some(to) = self.name_key(n.id.as_str()) {
                            self.flow(key, to, FlowKind::Element, range);
                        }
                    }
                }
            },
            Use::Neutral => {
                if is_site {
                    self.event(key, range, EventKind::Other);
                }
            }
        }
    }

    /// Whether `e` names a collection tasks were put into before (a
    /// `partial` done-callback given it prunes it).
    fn is_task_collection(&mut self, e: &'a Expr) -> bool {
        self.key_of(e).is_some_and(|k| {
            self.facts
                .flows
                .iter()
                .any(|f| f.to == k && f.kind == FlowKind::Add)
        })
    }

    /// Whether a done-callback can observe the task: anything but a bare
    /// `discard`/`remove`/`pop` of a collection (which is recorded as a prune).
    fn callback_observes(&mut self, cb: &'a Expr, range: TextRange) -> bool {
        // `partial(forget, self._tasks)`: the collections it is given are
        // pruned by it (unless it is a function of the module that takes
        // nothing out of a collection); it observes unless it is a function
        // of the module that only prunes (decision 11).
        if let Expr::Call(p) = cb {
            if last_identifier(&p.func) == Some("partial") {
                let Some((f, rest)) = p.arguments.args.split_first() else {
                    return true;
                };
                // `partial(self._tasks.pop, name)`: a bare removal.
                if let Expr::Attribute(a) = f {
                    if REMOVAL_METHODS.contains(&a.attr.as_str()) {
                        if let Some(k) = self.key_of(&a.value) {
                            self.event(k, range, EventKind::Pruned);
                        }
                        return false;
                    }
                }
                let rebound =
                    matches!(f, Expr::Name(n) if self.model.module_rebound.contains(n.id.as_str()));
                let def = if rebound {
                    None
                } else {
                    self.resolve_callee(f)
                        .and_then(|id| self.model.scopes[id as usize].def)
                };
                let prunes_only = def.is_some_and(|d| only_prunes(&d.body, 0));
                if def.is_none_or(|d| block_any(&d.body, is_prune_stmt)) {
                    let given = rest
                        .iter()
                        .chain(p.arguments.keywords.iter().map(|k| &k.value));
                    for arg in given {
                        if self.is_task_collection(arg) {
                            if let Some(k) = self.key_of(arg) {
                                self.event(k, range, EventKind::Pruned);
                            }
                        }
                    }
                }
                return !prunes_only;
            }
        }
        let pruned = match cb {
            Expr::Attribute(a) if REMOVAL_METHODS.contains(&a.attr.as_str()) => Some(&*a.value),
            Expr::Lambda(l) => match &*l.body {
                Expr::Call(c) => match &*c.func {
                    Expr::Attribute(a) if REMOVAL_METHODS.contains(&a.attr.as_str()) => {
                        Some(&*a.value)
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        match pruned {
            Some(container) => {
                if let Some(k) = self.key_of(container) {
                    self.event(k, range, EventKind::Pruned);
                }
                false
            }
            // A method or function of the module that only takes the task
            // out of a collection (`def _remove_task(self, task):
            // self._tasks.remove(task)`) is a bare removal too (decision
            // 11); the removal itself is seen through its parameter.
            // A module-level name bound again after its `def` may be
            // another function by then (decision 41): it observes.
            None => {
                !matches!(cb, Expr::Name(_) | Expr::Attribute(_))
                    || matches!(cb, Expr::Name(n) if self.model.module_rebound.contains(n.id.as_str()))
                    || !self
                        .resolve_callee(cb)
                        .and_then(|f| self.model.scopes[f as usize].def)
                        .is_some_and(|def| only_prunes(&def.body, 0))
            }
        }
    }

    fn store(&mut self, key: Key<'a>, target: &'a Expr, in_coll: bool, range: TextRange) {
        let kind = if in_coll {
            FlowKind::Add
        } else {
            FlowKind::Assign
        };
        match target {
            Expr::Name(n) if n.id.as_str() == "_" => self.event(key, range, EventKind::Discarded),
            Expr::Name(n) => {
                let to = self
                    .name_key(n.id.as_str())
                    .unwrap_or(Key::Local(self.scope, n.id.as_str()));
                self.flow(key, to, kind, range);
            }
            Expr::Attribute(a) => {
                if self.is_self(&a.value) {
                    self.flow(key, Key::Attr(self.family, a.attr.as_str()), kind, range);
                } else {
                    self.event(key, range, EventKind::HandedOn(Transfer::StoredOn(target)));
                }
            }
            Expr::Subscript(s) => {
                if self.is_fixed_key(&s.slice)
                    && matches!(&*s.value, Expr::Name(_) | Expr::Attribute(_))
                {
                    self.facts.const_key_stores.insert(range);
                }
                self.add(key, &s.value, range);
                if self.facts.nested_adds.contains(&range) {
                    self.facts.nested_mapping_adds.insert(range);
                }
            }
            // `task, conn = d.popitem()` of a dict keyed by tasks.
            Expr::Tuple(t) if t.elts.len() == 2 && self.task_keyed.contains(&key) => {
                self.element_into(key, &t.elts[0], range);
            }
            _ => self.event(key, range, EventKind::Other),
        }
    }

    /// `done, pending = await asyncio.wait(tasks)`: `pending` holds tasks
    /// of `tasks` (decision 49), as `pending = list(tasks)` would; of a
    /// display (`asyncio.wait([a, b])`), its elements. (`done` holds the
    /// ones that ended: an await of them is no await of the ones still
    /// pending, which a cancel of `pending` cancels.)
    fn wait_result_sets(&mut self, targets: &'a [Expr], value: &'a Expr, range: TextRange) {
        let [Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. })] =
            targets
        else {
            return;
        };
        let Expr::Await(awaited) = value else {
            return;
        };
        let Expr::Call(call) = &*awaited.value else {
            return;
        };
        if elts.len() != 2 || spawn::wait_fn(self.model, call, self.scope) != Some(WaitFn::Wait) {
            return;
        }
        let Some(source) = wait_source(call) else {
            return;
        };
        let Expr::Name(n) = &elts[1] else {
            return;
        };
        let Some(pending @ Key::Local(..)) = self.name_key(n.id.as_str()) else {
            return;
        };
        // An assignment of `pending`, ordered as one (decision 38: a later
        // `done, pending = await asyncio.wait(others)` hides this value;
        // `… = await asyncio.wait(pending)` keeps it).
        self.bind(pending, range, &awaited.value);
        let (held, kind): (Vec<Key<'a>>, FlowKind) = match source {
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. })
                if !elts.iter().any(Expr::is_starred_expr) =>
            {
                let held = elts
                    .iter()
                    .filter_map(|e| match e {
                        Expr::Name(_) | Expr::Attribute(_) => self.key_of(e),
                        _ => None,
                    })
                    .collect();
                (held, FlowKind::Add)
            }
            // `(t for t in self._tasks if …)`: some of those tasks.
            Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            })
            | Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            }) => match (&**elt, generators.as_slice()) {
                (Expr::Name(e), [g]) if matches!(&g.target, Expr::Name(t) if t.id == e.id) => {
                    (self.key_of(&g.iter).into_iter().collect(), FlowKind::Assign)
                }
                _ => return,
            },
            other => (self.key_of(other).into_iter().collect(), FlowKind::Assign),
        };
        for from in held {
            if from != pending {
                self.flow(from, pending, kind, range);
            }
        }
    }

    /// A key of a dict display or comprehension: a task as a key is held by
    /// the dict too (`tasks = {create_task(tcp()): tcp, …}`, then
    /// `asyncio.wait(set(tasks))`), as by `d[task] = v`.
    fn dict_key(&mut self, k: &'a Expr, u: Use<'a>, in_coll: bool) {
        let first = self.facts.flows.len();
        self.expr(k, u, in_coll);
        for f in &self.facts.flows[first..] {
            if f.kind == FlowKind::Add {
                self.facts.key_adds.insert(f.range);
                self.task_keyed.insert(f.to);
                self.keyed_adds.push((f.to, f.from));
            }
        }
    }

    /// An element of the container `key` taken out into `target`.
    fn element_into(&mut self, key: Key<'a>, target: &'a Expr, range: TextRange) {
        if let Expr::Name(n) = target {
            if let Some(to) = self.name_key(n.id.as_str()) {
                self.flow(key, to, FlowKind::Element, range);
            }
        }
    }

    fn add(&mut self, key: Key<'a>, container: &'a Expr, range: TextRange) {
        let mut c = container;
        let mut nested = false;
        loop {
            if !std::ptr::eq(c, container) {
                nested = true;
            }
            match c {
                Expr::Subscript(s) => c = &s.value,
                Expr::Call(call) => match &*call.func {
                    Expr::Attribute(a)
                        if matches!(a.attr.as_str(), "setdefault" | "get" | "__getitem__") =>
                    {
                        c = &a.value
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        let to = match c {
            Expr::Name(n) => self.name_key(n.id.as_str()),
            Expr::Attribute(a) if self.is_self(&a.value) => {
                Some(Key::Attr(self.family, a.attr.as_str()))
            }
            _ => None,
        };
        // A container that came in as a parameter belongs to the caller
        // (unless the function assigned the name a value of its own first).
        let to = to.filter(|k| match k {
            Key::Local(s, n) => !self.is_param(*s, n) || self.rebound_params.contains(k),
            _ => true,
        });
        match to {
            Some(to) => {
                if nested {
                    self.facts.nested_adds.insert(range);
                }
                self.flow(key, to, FlowKind::Add, range);
            }
            None => self.event(key, range, EventKind::HandedOn(Transfer::AddedTo(c))),
        }
    }

    fn arg(&mut self, key: Key<'a>, call: &'a ExprCall, pos: ArgPos<'a>, range: TextRange) {
        // A stub (`@abstractmethod`, a body of `...`, `pass` or `raise
        // NotImplementedError`) called through `self` or `cls` is not what
        // runs: an override elsewhere takes the argument, as any function
        // the module cannot see does (decision 53).
        let through_self = matches!(&*call.func, Expr::Attribute(a)
            if matches!(&*a.value, Expr::Name(n)
                if self.model.scopes[self.scope as usize].self_name == Some(n.id.as_str())));
        let callee = self
            .resolve_callee(&call.func)
            .filter(|&f| !(through_self && self.model.scopes[f as usize].def.is_some_and(is_stub)));
        if let Some(callee) = callee {
            let scope = &self.model.scopes[callee as usize];
            let offset =
                usize::from(matches!(&*call.func, Expr::Attribute(_)) && scope.self_name.is_some());
            let param = match pos {
                ArgPos::Index(i) => scope.params.get(i + offset).copied(),
                ArgPos::Keyword(k) => scope
                    .params
                    .iter()
                    .chain(scope.kwonly.iter())
                    .find(|p| **p == k)
                    .copied(),
            };
            if let Some(param) = param {
                if !self.facts.awaited_calls.is_empty()
                    && self.facts.awaited_calls.contains(&call.range())
                {
                    self.facts
                        .awaited_params
                        .insert(self.facts.flows.len() as u32);
                }
                // A call that runs the callee here and now: not a coroutine
                // made and awaited elsewhere, not in a lambda run later.
                if self.protect_depth > 0
                    && (scope.def.is_none_or(|d| !d.is_async)
                        || self.facts.awaited_calls.contains(&call.range()))
                    && !self
                        .facts
                        .deferred
                        .iter()
                        .any(|d| d.contains_range(call.range()))
                {
                    self.facts
                        .protected_params
                        .insert(self.facts.flows.len() as u32);
                }
                self.flow(key, Key::Local(callee, param), FlowKind::Param, range);
                return;
            }
        }
        // Classes are named by plain names (`class_by_name` has no dotted
        // keys), so only a plain name can be a constructor.
        let constructor = matches!(&*call.func,
            Expr::Name(n) if self.model.class_by_name.contains_key(n.id.as_str()));
        let to = Transfer::PassedTo {
            func: &call.func,
            constructor,
        };
        self.event(key, range, EventKind::HandedOn(to));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::PySourceType;

    fn kinds(src: &str) -> Vec<String> {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let model = Model::build(parsed.syntax());
        let facts = collect(&model, &Settings::default(), parsed.syntax());
        let mut out: Vec<String> = facts
            .events
            .iter()
            .filter(|e| !matches!(e.kind, EventKind::Bound(_)))
            .map(|e| format!("{:?} {:?}", e.key, e.kind))
            .collect();
        out.extend(
            facts
                .flows
                .iter()
                .map(|f| format!("{:?} -{:?}-> {:?}", f.from, f.kind, f.to)),
        );
        out
    }

    #[test]
    fn uses_are_classified() {
        let src = "import asyncio\nasync def f():\n    asyncio.create_task(a())\n    await asyncio.create_task(b())\n    t = asyncio.create_task(c())\n    t.cancel()\n";
        assert_eq!(
            kinds(src),
            [
                "Site(0) Discarded",
                "Site(1) Awaited { protected: false }",
                "Local(1, \"t\") Cancelled",
                "Site(2) -Assign-> Local(1, \"t\")",
            ]
        );
    }

    /// `expr_inner` skips the key of a name or attribute whose method call
    /// records nothing: it must be exactly the methods `record` ignores.
    #[test]
    fn only_observing_and_pruning_methods_record_events_on_names() {
        // The methods `record` gives an event, written out here so that the
        // test fails if OBSERVING_METHODS loses one.
        let observing = [
            "cancel",
            "result",
            "exception",
            "__await__",
            "add_done_callback",
        ];
        for method in observing
            .iter()
            .chain(PRUNE_METHODS.iter())
            .chain(["done", "get_name", "append", "set_result", "cancelled"].iter())
        {
            let src = format!(
                "import asyncio\nclass C:\n    def go(self):\n        t = asyncio.create_task(a())\n        self._t = t\n        t.{method}()\n        self._t.{method}()\n"
            );
            let events: Vec<String> = kinds(&src)
                .into_iter()
                .filter(|k| !k.contains("->"))
                .collect();
            let observed = observing.contains(method) || PRUNE_METHODS.contains(method);
            let on_local = events.iter().any(|e| e.starts_with("Local(1, \"t\")"));
            let on_attr = events
                .iter()
                .any(|e| e.starts_with("Attr(Some(0), \"_t\")"));
            assert_eq!(
                (on_local, on_attr),
                (observed, observed),
                "{method}: {events:?}"
            );
            if !observed {
                assert_eq!(events, Vec::<String>::new(), "{method}");
            }
        }
    }

    #[test]
    fn containers_and_pruning_callbacks() {
        let src = "import asyncio\nclass C:\n    def go(self):\n        t = asyncio.create_task(a())\n        self._ts.add(t)\n        t.add_done_callback(self._ts.discard)\n";
        let k = kinds(src);
        assert!(
            k.contains(&"Local(1, \"t\") -Add-> Attr(Some(0), \"_ts\")".to_string()),
            "{k:?}"
        );
        assert!(
            k.contains(&"Attr(Some(0), \"_ts\") Pruned".to_string()),
            "{k:?}"
        );
        assert!(
            k.contains(&"Local(1, \"t\") DoneCallback { observing: false }".to_string()),
            "{k:?}"
        );
    }
}
