//! SPEC §9, application lifetime: a second, still pure, phase over all the
//! modules of one run.
//!
//! [`module_facts`] extracts plain data from one module (the classes that own
//! tasks with their start and stop methods, the instances the module creates,
//! the method calls it makes on names and attributes, its imports); a host
//! can cache these per file. [`check_project`] joins the facts of all modules
//! and follows each owner instance from where the project starts it to where
//! it stops it. An owner started but never stopped on the same instance is
//! `shutdown-not-wired`; an owner the project never starts is not reported
//! (a library leaves that to its users).
//!
//! The join is deliberately conservative: an instance is followed only by
//! name (a module-level singleton, imported under any alias; a `self.<attr>`
//! holder — never a local, which is its function's business), and a stop
//! method called on anything the join cannot resolve (a local included)
//! counts as a possible stop of every owner with that method.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};
use serde::{Deserialize, Serialize};

use crate::analysis::stack_guard as guard;
use crate::diagnostic::ser_range;
use crate::{
    Diagnostic, Kind, Lifetime, Report, SecondaryLocation, Settings, RULE_CODE, RULE_NAME,
};

/// What one module contributes to the project-level pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModuleFacts {
    /// The file's path, as the host names it.
    pub path: String,
    /// The dotted module name (`app.scheduler`).
    pub module: String,
    /// Classes of the module that own tasks.
    pub owners: Vec<OwnerFacts>,
    /// Instances of classes the module creates and holds.
    pub instances: Vec<InstanceFacts>,
    /// Method calls on instances the join can follow.
    pub calls: Vec<CallFacts>,
    /// Methods called on receivers the module cannot name.
    pub unresolved_methods: MethodNames,
}

/// A sorted set of method names, kept as one string: a run keeps these for
/// thousands of modules, each calling dozens of methods, and one allocation
/// per module instead of one per name saved both memory and the time to
/// free them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodNames(String);

impl MethodNames {
    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split('\n').filter(|s| !s.is_empty())
    }

    /// Whether `name` is one of them.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n == name)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
}

impl<'s> FromIterator<&'s str> for MethodNames {
    fn from_iter<I: IntoIterator<Item = &'s str>>(names: I) -> Self {
        let mut names: Vec<&str> = names
            .into_iter()
            .filter(|n| !n.is_empty() && !n.contains('\n'))
            .collect();
        names.sort_unstable();
        names.dedup();
        MethodNames(names.join("\n"))
    }
}

impl Serialize for MethodNames {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// The methods called on receivers no module can name, gathered over many
/// modules ([`crate::check_module_with_facts_into`]), instead of a
/// [`MethodNames`] per module: a run's modules call tens of thousands of
/// such methods, and the join needs only the few that stop an owner
/// ([`MethodUnion::only`]). Each name is kept once, with its hash, so that
/// adding a module's names and merging two unions hash nothing again.
#[derive(Debug, Clone, Default)]
pub struct MethodUnion {
    table: hashbrown::HashTable<(u64, Box<str>)>,
}

/// The hash a name is kept under (in a module's table and in a union).
fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

impl MethodUnion {
    /// An empty union.
    pub fn new() -> Self {
        MethodUnion::default()
    }

    /// Whether `name` is one of them.
    pub fn contains(&self, name: &str) -> bool {
        self.table
            .find(name_hash(name), |(_, n)| **n == *name)
            .is_some()
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The names, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.table.iter().map(|(_, n)| &**n)
    }

    /// Adds `name`, whose hash is `hash`.
    fn add(&mut self, hash: u64, name: &str) {
        if let hashbrown::hash_table::Entry::Vacant(slot) =
            self.table
                .entry(hash, |(h, n)| *h == hash && **n == *name, |(h, _)| *h)
        {
            slot.insert((hash, name.into()));
        }
    }

    /// Adds every name of `other`.
    pub fn merge(&mut self, other: MethodUnion) {
        let (mut big, small) = if other.len() > self.len() {
            (other, std::mem::take(self))
        } else {
            (std::mem::take(self), other)
        };
        for (hash, name) in small.table {
            if let hashbrown::hash_table::Entry::Vacant(slot) =
                big.table
                    .entry(hash, |(h, n)| *h == hash && *n == name, |(h, _)| *h)
            {
                slot.insert((hash, name));
            }
        }
        *self = big;
    }

    /// The names among `wanted` that are in the union.
    pub fn only<'w>(&self, wanted: impl IntoIterator<Item = &'w str>) -> MethodNames {
        wanted.into_iter().filter(|n| self.contains(n)).collect()
    }
}

/// A class that spawns tasks into its own slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OwnerFacts {
    /// The class name.
    pub class: String,
    /// Methods that start it (spawn into a slot, directly or via `self`).
    pub start_methods: Vec<String>,
    /// Methods that stop it (cancel or await a slot, directly or via `self`).
    pub stop_methods: Vec<String>,
    /// The spawn calls feeding its slots, with their 1-based lines.
    pub spawns: Vec<SpawnAt>,
}

/// A spawn call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpawnAt {
    /// The call's range.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// 1-based line.
    pub line: u32,
}

/// Where an instance (or a call's receiver) lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Holder {
    /// A module-level name of `module`.
    Global {
        /// The module.
        module: String,
        /// The name.
        name: String,
    },
    /// `self.<attr>` of a class.
    SelfAttr {
        /// The module of the class.
        module: String,
        /// The class.
        class: String,
        /// The attribute.
        attr: String,
    },
}

/// A [`Holder`] borrowed from the scan.
#[derive(Clone, Copy)]
enum HolderRef<'h> {
    Global {
        module: &'h str,
        name: &'h str,
    },
    SelfAttr {
        module: &'h str,
        class: &'h str,
        attr: &'h str,
    },
}

impl HolderRef<'_> {
    fn to_owned(self) -> Holder {
        match self {
            HolderRef::Global { module, name } => Holder::Global {
                module: module.to_string(),
                name: name.to_string(),
            },
            HolderRef::SelfAttr {
                module,
                class,
                attr,
            } => Holder::SelfAttr {
                module: module.to_string(),
                class: class.to_string(),
                attr: attr.to_string(),
            },
        }
    }
}

/// An instance created and held by the module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceFacts {
    /// Who holds it.
    pub holder: Holder,
    /// The class: its module and name.
    pub class_module: String,
    /// The class name.
    pub class: String,
    /// The constructor call.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// 1-based line of the constructor call.
    pub line: u32,
}

/// A call `receiver.method(...)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallFacts {
    /// The receiver, when the module can name it.
    pub receiver: Option<Holder>,
    /// The method.
    pub method: String,
    /// The call.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// 1-based line.
    pub line: u32,
    /// The function that makes the call (`lifespan`), or `<module>`.
    pub function: String,
    /// The lifespan shape the call sits in, if any.
    pub shape: Option<LifespanShape>,
}

/// Where application shutdown code lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LifespanShape {
    /// After the `yield` of an `@asynccontextmanager` lifespan.
    LifespanAfterYield,
    /// Before the `yield` of an `@asynccontextmanager` lifespan.
    LifespanStartup,
    /// A function registered as a shutdown/cleanup handler
    /// (`on_shutdown`, `on_cleanup`, `add_event_handler("shutdown", …)`).
    ShutdownHandler,
    /// A function registered with `atexit`.
    Atexit,
    /// A `finally:` block.
    Finally,
}

impl LifespanShape {
    /// In words.
    pub fn describe(self) -> &'static str {
        match self {
            LifespanShape::LifespanAfterYield => "lifespan shutdown, after `yield`",
            LifespanShape::LifespanStartup => "lifespan startup, before `yield`",
            LifespanShape::ShutdownHandler => "shutdown handler",
            LifespanShape::Atexit => "`atexit` handler",
            LifespanShape::Finally => "`finally` block",
        }
    }
}

/// Extracts the facts of one module. `module_name` is its dotted name
/// (`app.scheduler`; for a package's `__init__.py`, the package), used to
/// resolve relative imports. A host that also wants the module's own report
/// calls [`crate::check_module_with_facts`] instead: one analysis for both.
pub fn module_facts(
    parsed: &ruff_python_parser::Parsed<ModModule>,
    source: &str,
    path: &str,
    module_name: &str,
    settings: &Settings,
) -> ModuleFacts {
    let module = parsed.syntax();
    let (_, owners) =
        crate::analysis::check_full(module, Some(parsed.tokens()), source, path, settings, true);
    facts_from(module, source, path, module_name, owners, None, None)
}

pub(crate) fn facts_from(
    module: &ModModule,
    source: &str,
    path: &str,
    module_name: &str,
    owners: Vec<crate::analysis::ClassOwner>,
    is_project_module: Option<&dyn Fn(&str) -> bool>,
    union: Option<&mut MethodUnion>,
) -> ModuleFacts {
    let owners = owners
        .into_iter()
        .map(|o| OwnerFacts {
            class: o.class,
            start_methods: o.start,
            stop_methods: o.stop,
            spawns: o
                .spawns
                .into_iter()
                .map(|range| SpawnAt { range, line: 0 })
                .collect(),
        })
        .collect();
    let is_package = path.ends_with("__init__.py");
    let mut scan = Scan {
        module: module_name,
        is_project: is_project_module,
        is_package,
        // Room for the top-level imports from the start (a module imports
        // dozens of names: the map would grow and rehash five times).
        imports: FxHashMap::with_capacity_and_hasher(
            module
                .body
                .iter()
                .map(|stmt| match stmt {
                    Stmt::Import(i) => i.names.len(),
                    Stmt::ImportFrom(i) => i.names.len(),
                    _ => 0,
                })
                .sum(),
            Default::default(),
        ),
        classes: Vec::new(),
        class_methods: Vec::new(),
        instance_names: FxHashSet::default(),
        self_instances: FxHashSet::default(),
        pending: Vec::new(),
        functions: Vec::new(),
        // Most modules call dozens of methods: room for them from the start
        // instead of five rehashes on the way (about one per 200 bytes of
        // source, up to 128; a small module's table stays small, since the
        // union visits every slot of it).
        unresolved: hashbrown::HashTable::with_capacity((source.len() / 200).clamp(4, 128)),
        last_unresolved: "",
        facts: ModuleFacts {
            path: path.to_string(),
            module: module_name.to_string(),
            owners,
            ..ModuleFacts::default()
        },
        shutdown_handlers: Vec::new(),
    };
    scan.collect_top(&module.body);
    if let Some(is_project) = is_project_module {
        // Imported modules first: most modules that import from the
        // project name one of its modules, and these need no allocation.
        let relevant = !scan.facts.owners.is_empty()
            || scan
                .imports
                .values()
                .any(|import| is_project(&import.module))
            || {
                let mut dotted = String::new();
                scan.imports.values().any(|import| {
                    !import.item.is_empty() && {
                        dotted.clear();
                        dotted.push_str(&import.module);
                        dotted.push('.');
                        dotted.push_str(import.item);
                        is_project(&dotted)
                    }
                })
            };
        if !relevant {
            return scan.facts;
        }
    }
    scan.collect_instance_names(&module.body);
    scan.body(&module.body, Ctx::default());
    scan.resolve_pending();
    let Scan {
        mut facts,
        shutdown_handlers: handlers,
        unresolved,
        ..
    } = scan;
    match union {
        Some(union) => {
            for (hash, name) in unresolved {
                union.add(hash, name);
            }
        }
        None => facts.unresolved_methods = unresolved.into_iter().map(|(_, n)| n).collect(),
    }
    // Calls made in functions registered as handlers get that shape.
    for call in &mut facts.calls {
        if call.shape.is_none() {
            if let Some((_, shape)) = handlers.iter().find(|(f, _)| *f == call.function) {
                call.shape = Some(*shape);
            }
        }
    }
    // Lines, only where something was kept.
    let mut lines: Vec<(TextRange, &mut u32)> = Vec::new();
    for o in &mut facts.owners {
        lines.extend(o.spawns.iter_mut().map(|s| (s.range, &mut s.line)));
    }
    lines.extend(facts.instances.iter_mut().map(|i| (i.range, &mut i.line)));
    lines.extend(facts.calls.iter_mut().map(|c| (c.range, &mut c.line)));
    set_lines(source, lines);
    facts
}

/// Sets the 1-based line of each range's start: a counting sweep over the
/// line feeds (vectorised) when the source has no carriage return (almost
/// always), else Ruff's line index.
fn set_lines(source: &str, mut ranges: Vec<(TextRange, &mut u32)>) {
    if ranges.is_empty() {
        return;
    }
    let bytes = source.as_bytes();
    if memchr::memchr(b'\r', bytes).is_some() {
        let index = LineIndex::from_source_text(source);
        for (range, line) in ranges {
            *line = index.line_index(range.start()).get() as u32;
        }
        return;
    }
    ranges.sort_by_key(|(range, _)| range.start());
    let (mut at, mut feeds) = (0usize, 0usize);
    for (range, line) in ranges {
        let offset = range.start().to_usize().min(bytes.len());
        if offset > at {
            feeds += memchr::memchr_iter(b'\n', &bytes[at..offset]).count();
            at = offset;
        }
        *line = u32::try_from(feeds + 1).unwrap_or(u32::MAX);
    }
}

/// Where the scan is: plain copies, no allocation per statement.
#[derive(Default, Clone, Copy)]
struct Ctx<'a> {
    /// The enclosing function (an index into `Scan::functions`).
    function: Option<usize>,
    class: Option<&'a str>,
    self_name: Option<&'a str>,
    lifespan: bool,
    after_yield: bool,
    in_finally: bool,
    /// The statement is directly in the body walked, not in a nested block.
    direct: bool,
    /// `class` is a class defined directly in the module's body.
    top_class: bool,
    /// The methods defined in the body of `class`: a range of
    /// `Scan::class_methods`.
    methods: (u32, u32),
    /// In a method of such a class, where an assignment `….<attr> =
    /// Class(...)` makes `self.<attr>` a followed instance: the method's
    /// body and its `if`, `try` (not the handlers or `else`), `finally` and
    /// `with` blocks.
    instance_class: Option<&'a str>,
}

/// A call on `self.<attr>` whose receiver is an instance only if a method of
/// the class assigns one to it, which may come later in the module: decided
/// once the walk has seen every assignment.
struct Pending<'a> {
    /// The class and the attribute.
    receiver: (&'a str, &'a str),
    method: &'a str,
    range: TextRange,
    function: Option<usize>,
    shape: Option<LifespanShape>,
    /// How many calls were kept before it (where it goes if it is kept).
    at: usize,
}

/// A function of the module: its parent function, its class (for a method)
/// and its name; qualified names are built only for the facts kept.
struct Function<'a> {
    parent: Option<usize>,
    class: Option<&'a str>,
    name: &'a str,
}

/// An import: the module, and the name imported from it (empty for a
/// module import).
struct Import<'a> {
    module: std::borrow::Cow<'a, str>,
    item: &'a str,
}

struct Scan<'s, 'a> {
    module: &'s str,
    /// Whether a dotted name is a module of the run, when the host says.
    is_project: Option<&'s dyn Fn(&str) -> bool>,
    is_package: bool,
    /// Local name → what it imports.
    imports: FxHashMap<&'a str, Import<'a>>,
    classes: Vec<&'a str>,
    /// The names of the methods defined in each class body walked (each
    /// class's a range of them, in its `Ctx`).
    class_methods: Vec<&'a str>,
    /// Module-level names bound to a constructor call.
    instance_names: FxHashSet<&'a str>,
    /// `(class, attr)` of `self.<attr> = Class(...)` in the class's methods.
    self_instances: FxHashSet<(&'a str, &'a str)>,
    /// Calls waiting for every assignment to be seen.
    pending: Vec<Pending<'a>>,
    functions: Vec<Function<'a>>,
    /// Methods called on receivers the module cannot name, with their
    /// hashes (kept for [`MethodUnion`]).
    unresolved: hashbrown::HashTable<(u64, &'a str)>,
    /// The method last added to `unresolved` (empty before the first).
    last_unresolved: &'a str,
    facts: ModuleFacts,
    shutdown_handlers: Vec<(String, LifespanShape)>,
}

fn last_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

impl<'a> Scan<'_, 'a> {
    /// Adds a method called on a receiver the module cannot name.
    fn unresolved(&mut self, method: &'a str) {
        // The same method as the call before (`x.append(…)` after
        // `y.append(…)`) is in the table already.
        if self.last_unresolved == method {
            return;
        }
        self.last_unresolved = method;
        let hash = name_hash(method);
        if let hashbrown::hash_table::Entry::Vacant(slot) =
            self.unresolved
                .entry(hash, |(h, n)| *h == hash && *n == method, |(h, _)| *h)
        {
            slot.insert((hash, method));
        }
    }

    /// Leaves a call on a possible instance for [`Scan::resolve_pending`].
    fn defer(
        &mut self,
        receiver: (&'a str, &'a str),
        method: &'a str,
        range: TextRange,
        ctx: &Ctx<'a>,
        shape: Option<LifespanShape>,
    ) {
        self.pending.push(Pending {
            receiver,
            method,
            range,
            function: ctx.function,
            shape,
            at: self.facts.calls.len(),
        });
    }

    /// Decides the calls left for later, now that every assignment of an
    /// instance is known: a call on one is kept in its place among the
    /// others, a call on anything else counts by its method name.
    fn resolve_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut earlier = std::mem::take(&mut self.facts.calls).into_iter();
        let mut calls = Vec::with_capacity(earlier.len());
        let mut placed = 0;
        for p in pending {
            let (class, attr) = p.receiver;
            if !self.self_instances.contains(&(class, attr)) {
                self.unresolved(p.method);
                continue;
            }
            let holder = HolderRef::SelfAttr {
                module: self.module,
                class,
                attr,
            };
            let Some(call) = self.call_fact(Some(holder), p.method, p.range, p.function, p.shape)
            else {
                continue;
            };
            calls.extend(earlier.by_ref().take(p.at - placed));
            placed = p.at;
            calls.push(call);
        }
        calls.extend(earlier);
        self.facts.calls = calls;
    }

    fn resolve_relative(&self, level: u32, module: Option<&str>) -> String {
        let mut parts: Vec<&str> = self.module.split('.').filter(|p| !p.is_empty()).collect();
        if level > 0 {
            // The package of this module, then up `level - 1` more.
            if !self.is_package {
                parts.pop();
            }
            for _ in 1..level {
                parts.pop();
            }
        } else {
            parts.clear();
        }
        if let Some(m) = module {
            parts.extend(m.split('.'));
        }
        parts.join(".")
    }

    /// The qualified name of a function (`Class.method`,
    /// `outer.<locals>.inner`), or `<module>`.
    fn function_name(&self, function: Option<usize>) -> String {
        let Some(mut at) = function else {
            return "<module>".to_string();
        };
        let mut parts: Vec<&str> = Vec::new();
        loop {
            let f = &self.functions[at];
            parts.push(f.name);
            match f.parent {
                Some(parent) => {
                    parts.push("<locals>");
                    at = parent;
                }
                None => {
                    if let Some(class) = f.class {
                        parts.push(class);
                    }
                    break;
                }
            }
        }
        parts.reverse();
        parts.join(".")
    }

    /// The module-level names bound to a constructor call directly in the
    /// module's body (`server = Server()`), known before the walk so that
    /// a call on a name is decided where it is met. Needs the classes and
    /// imports of [`Scan::collect_top`].
    fn collect_instance_names(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            let Some((targets, value)) = assignment(stmt) else {
                continue;
            };
            let Expr::Call(call) = value else {
                continue;
            };
            if self.constructor(&call.func).is_none() {
                continue;
            }
            for t in targets {
                if let Expr::Name(n) = t {
                    self.instance_names.insert(n.id.as_str());
                }
            }
        }
    }

    fn collect_top(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Import(i) => {
                    for alias in &i.names {
                        let full = alias.name.as_str();
                        let (local, module) = match &alias.asname {
                            Some(asname) => (asname.as_str(), full),
                            None => {
                                let first = full.split('.').next().unwrap_or_default();
                                (first, first)
                            }
                        };
                        self.imports.insert(
                            local,
                            Import {
                                module: module.into(),
                                item: "",
                            },
                        );
                    }
                }
                Stmt::ImportFrom(i) => {
                    let module: std::borrow::Cow<'a, str> = match (i.level, &i.module) {
                        (0, Some(m)) => m.as_str().into(),
                        (level, m) => self
                            .resolve_relative(level, m.as_ref().map(|m| m.as_str()))
                            .into(),
                    };
                    for alias in &i.names {
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        self.imports.insert(
                            local,
                            Import {
                                module: module.clone(),
                                item: alias.name.as_str(),
                            },
                        );
                    }
                }
                Stmt::ClassDef(c) => self.classes.push(c.name.as_str()),
                Stmt::If(i) => {
                    self.collect_top(&i.body);
                    for c in &i.elif_else_clauses {
                        self.collect_top(&c.body);
                    }
                }
                Stmt::Try(t) => {
                    self.collect_top(&t.body);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        self.collect_top(&h.body);
                    }
                }
                _ => {}
            }
        }
    }

    /// The class a constructor call names: `(module, class)`.
    fn constructor(&self, func: &'a Expr) -> Option<(&str, &'a str)> {
        if !last_name(func).is_some_and(starts_upper) {
            return None;
        }
        match func {
            Expr::Name(n) => {
                let name = n.id.as_str();
                if self.classes.contains(&name) {
                    return Some((self.module, name));
                }
                let import = self.imports.get(name)?;
                (!import.item.is_empty() && starts_upper(import.item))
                    .then(|| (&*import.module, import.item))
            }
            Expr::Attribute(a) => {
                let Expr::Name(base) = &*a.value else {
                    return None;
                };
                let import = self.imports.get(base.id.as_str())?;
                if !import.item.is_empty() || !starts_upper(a.attr.as_str()) {
                    return None;
                }
                Some((&*import.module, a.attr.as_str()))
            }
            _ => None,
        }
    }

    /// Names a receiver expression.
    fn holder(&self, expr: &Expr, ctx: &Ctx<'a>, locals: &[&'a str]) -> Option<Holder> {
        self.holder_ref(expr, ctx, locals).map(HolderRef::to_owned)
    }

    /// [`Scan::holder`], borrowed: whether the join can use it is asked
    /// before anything is allocated.
    fn holder_ref<'e>(
        &'e self,
        expr: &'e Expr,
        ctx: &Ctx<'a>,
        locals: &[&'a str],
    ) -> Option<HolderRef<'e>> {
        match expr {
            Expr::Name(n) => {
                let name = n.id.as_str();
                if ctx.function.is_some() && locals.contains(&name) {
                    return None;
                }
                if let Some(import) = self.imports.get(name) {
                    if import.item.is_empty() {
                        return None;
                    }
                    return Some(HolderRef::Global {
                        module: &import.module,
                        name: import.item,
                    });
                }
                Some(HolderRef::Global {
                    module: self.module,
                    name,
                })
            }
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(base) if ctx.self_name == Some(base.id.as_str()) => {
                    Some(HolderRef::SelfAttr {
                        module: self.module,
                        class: ctx.class?,
                        attr: a.attr.as_str(),
                    })
                }
                Expr::Name(base) => {
                    let import = self.imports.get(base.id.as_str())?;
                    import.item.is_empty().then(|| HolderRef::Global {
                        module: &import.module,
                        name: a.attr.as_str(),
                    })
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether a module is outside the run (when the host says which are
    /// in it): what it holds cannot be an owner the join follows.
    fn outside(&self, module: &str) -> bool {
        self.is_project
            .is_some_and(|is_project| !is_project(module))
    }

    fn body(&mut self, body: &'a [Stmt], ctx: Ctx<'a>) {
        let mut locals: Vec<&'a str> = Vec::new();
        let mut ctx = Ctx {
            direct: true,
            ..ctx
        };
        for stmt in body {
            guard(|| self.stmt(stmt, &mut ctx, &mut locals));
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt, ctx: &mut Ctx<'a>, locals: &mut Vec<&'a str>) {
        match stmt {
            Stmt::FunctionDef(f) => {
                let lifespan = f.decorator_list.iter().any(|d| {
                    let e = match &d.expression {
                        Expr::Call(c) => &*c.func,
                        e => e,
                    };
                    last_name(e) == Some("asynccontextmanager")
                });
                let id = self.functions.len();
                self.functions.push(Function {
                    parent: ctx.function,
                    class: if ctx.function.is_none() {
                        ctx.class
                    } else {
                        None
                    },
                    name: f.name.as_str(),
                });
                for d in &f.decorator_list {
                    self.note_decorator(&d.expression, f.name.as_str());
                }
                let self_name = if ctx.class.is_some() && ctx.function.is_none() {
                    f.parameters.args.first().map(|p| p.parameter.name.as_str())
                } else {
                    ctx.self_name
                };
                let method_of_top_class =
                    ctx.class.is_some() && ctx.function.is_none() && ctx.top_class && ctx.direct;
                let inner = Ctx {
                    function: Some(id),
                    class: ctx.class,
                    methods: ctx.methods,
                    self_name,
                    lifespan,
                    instance_class: ctx.class.filter(|_| method_of_top_class),
                    ..Ctx::default()
                };
                self.body(&f.body, inner);
            }
            Stmt::ClassDef(c) => {
                let first = self.class_methods.len() as u32;
                self.class_methods
                    .extend(c.body.iter().filter_map(|s| match s {
                        Stmt::FunctionDef(f) => Some(f.name.as_str()),
                        _ => None,
                    }));
                let inner = Ctx {
                    class: Some(c.name.as_str()),
                    methods: (first, self.class_methods.len() as u32),
                    top_class: ctx.function.is_none() && ctx.class.is_none() && ctx.direct,
                    ..Ctx::default()
                };
                self.body(&c.body, inner);
            }
            // (`self._transport: Final[Transport] = Transport()` too.)
            Stmt::Assign(_) | Stmt::AnnAssign(ast::StmtAnnAssign { value: Some(_), .. }) => {
                let Some((targets, value)) = assignment(stmt) else {
                    return;
                };
                if let Expr::Call(call) = value {
                    if let Some((class_module, class)) = self.constructor(&call.func) {
                        // A class of a module outside the run is no owner.
                        let outside = self.outside(class_module);
                        let (class_module, class) = (class_module.to_string(), class.to_string());
                        // Attributes that hold instances (calls on them are
                        // decided once all are known; module-level names
                        // were collected before the walk).
                        if let Some(class) = ctx.instance_class {
                            for t in targets {
                                if let Expr::Attribute(attr) = t {
                                    self.self_instances.insert((class, attr.attr.as_str()));
                                }
                            }
                        }
                        for t in targets {
                            let holder = match t {
                                Expr::Name(n) if ctx.function.is_none() && ctx.class.is_none() => {
                                    Some(Holder::Global {
                                        module: self.module.to_string(),
                                        name: n.id.to_string(),
                                    })
                                }
                                // A local is its function's business: the
                                // join follows none, and calls on it count
                                // as calls on receivers the module cannot
                                // name (`method_call`). No instance fact:
                                // most constructor calls land in locals.
                                Expr::Name(n) if ctx.function.is_some() => {
                                    locals.push(n.id.as_str());
                                    None
                                }
                                Expr::Attribute(_) => self.holder(t, ctx, locals),
                                _ => None,
                            };
                            if let Some(holder) = holder.filter(|_| !outside) {
                                self.facts.instances.push(InstanceFacts {
                                    holder,
                                    class_module: class_module.clone(),
                                    class: class.clone(),
                                    range: call.range(),
                                    line: 0,
                                });
                            }
                        }
                    }
                }
                self.expr(value, ctx, locals);
            }
            Stmt::Expr(e) => {
                self.expr(&e.value, ctx, locals);
                if matches!(&*e.value, Expr::Yield(_)) && ctx.lifespan {
                    ctx.after_yield = true;
                }
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v, ctx, locals);
                }
            }
            Stmt::If(i) => {
                self.expr(&i.test, ctx, locals);
                self.block(&i.body, ctx, locals);
                for c in &i.elif_else_clauses {
                    self.block(&c.body, ctx, locals);
                }
            }
            Stmt::For(f) => {
                self.other_block(&f.body, ctx, locals);
                self.other_block(&f.orelse, ctx, locals);
            }
            Stmt::While(w) => {
                self.other_block(&w.body, ctx, locals);
                self.other_block(&w.orelse, ctx, locals);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr, ctx, locals);
                    // `async with owner:` enters and exits it.
                    if w.is_async
                        && matches!(&item.context_expr, Expr::Name(_) | Expr::Attribute(_))
                    {
                        for method in ["__aenter__", "__aexit__"] {
                            self.method_call(&item.context_expr, method, item.range(), ctx, locals);
                        }
                    }
                }
                self.block(&w.body, ctx, locals);
            }
            Stmt::Try(t) => {
                self.block(&t.body, ctx, locals);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    self.other_block(&h.body, ctx, locals);
                }
                self.other_block(&t.orelse, ctx, locals);
                let saved = ctx.in_finally;
                ctx.in_finally = true;
                self.block(&t.finalbody, ctx, locals);
                ctx.in_finally = saved;
            }
            _ => {}
        }
    }

    /// A nested block: same function, same locals; a `yield` inside it
    /// still switches to shutdown for the statements after it.
    fn block(&mut self, body: &'a [Stmt], ctx: &mut Ctx<'a>, locals: &mut Vec<&'a str>) {
        let direct = std::mem::replace(&mut ctx.direct, false);
        for stmt in body {
            guard(|| self.stmt(stmt, ctx, locals));
        }
        ctx.direct = direct;
    }

    /// A nested block where assignments make no followed `self` instance
    /// (loops, `except` and `else` blocks).
    fn other_block(&mut self, body: &'a [Stmt], ctx: &mut Ctx<'a>, locals: &mut Vec<&'a str>) {
        let instance_class = ctx.instance_class.take();
        self.block(body, ctx, locals);
        ctx.instance_class = instance_class;
    }

    fn note_decorator(&mut self, deco: &Expr, function: &str) {
        // `@app.on_event("shutdown")`, `@atexit.register`, `@app.on_shutdown`
        let (func, args): (&Expr, &[Expr]) = match deco {
            Expr::Call(c) => (&c.func, &c.arguments.args),
            e => (e, &[]),
        };
        let name = last_name(func).unwrap_or_default();
        let shape = match name {
            "register" if matches!(func, Expr::Attribute(a) if last_name(&a.value) == Some("atexit")) => {
                Some(LifespanShape::Atexit)
            }
            "on_event" if args.first().is_some_and(is_shutdown_literal) => {
                Some(LifespanShape::ShutdownHandler)
            }
            "on_shutdown" | "on_cleanup" => Some(LifespanShape::ShutdownHandler),
            _ => None,
        };
        if let Some(shape) = shape {
            self.shutdown_handlers.push((function.to_string(), shape));
        }
    }

    /// Calls inside an expression statement, an await, an assignment's value.
    fn expr(&mut self, expr: &'a Expr, ctx: &Ctx<'a>, locals: &[&'a str]) {
        match expr {
            Expr::Await(a) => self.inner(&a.value, ctx, locals),
            Expr::Yield(y) => {
                if let Some(v) = &y.value {
                    self.inner(v, ctx, locals);
                }
            }
            Expr::Call(call) => {
                self.call(call, ctx, locals);
                if let Expr::Attribute(a) = &*call.func {
                    self.inner(&a.value, ctx, locals);
                }
                for arg in &*call.arguments.args {
                    self.inner(arg, ctx, locals);
                }
            }
            Expr::List(l) => l.elts.iter().for_each(|e| self.inner(e, ctx, locals)),
            Expr::Tuple(l) => l.elts.iter().for_each(|e| self.inner(e, ctx, locals)),
            _ => {}
        }
    }

    /// A nested expression: only the kinds `expr` looks into are visited
    /// (most arguments and receivers are names and attributes: no call, no
    /// stack check for them).
    fn inner(&mut self, expr: &'a Expr, ctx: &Ctx<'a>, locals: &[&'a str]) {
        if matches!(
            expr,
            Expr::Await(_) | Expr::Yield(_) | Expr::Call(_) | Expr::List(_) | Expr::Tuple(_)
        ) {
            guard(|| self.expr(expr, ctx, locals));
        }
    }

    fn call(&mut self, call: &'a ast::ExprCall, ctx: &Ctx<'a>, locals: &[&'a str]) {
        let Expr::Attribute(a) = &*call.func else {
            return;
        };
        let method = a.attr.as_str();
        // Handler registration: `app.on_shutdown.append(f)`,
        // `app.add_event_handler("shutdown", f)`, `atexit.register(f)`.
        let registered = match method {
            "append" if matches!(last_name(&a.value), Some("on_shutdown" | "on_cleanup")) => call
                .arguments
                .args
                .first()
                .map(|f| (f, LifespanShape::ShutdownHandler)),
            "add_event_handler" if call.arguments.args.first().is_some_and(is_shutdown_literal) => {
                call.arguments
                    .args
                    .get(1)
                    .map(|f| (f, LifespanShape::ShutdownHandler))
            }
            "register" if last_name(&a.value) == Some("atexit") => call
                .arguments
                .args
                .first()
                .map(|f| (f, LifespanShape::Atexit)),
            _ => None,
        };
        if let Some((f, shape)) = registered {
            if let Some(name) = last_name(f) {
                let qualified = match (ctx.class, f) {
                    (Some(c), Expr::Attribute(_)) => format!("{c}.{name}"),
                    _ => name.to_string(),
                };
                self.shutdown_handlers.push((qualified, shape));
            }
        }
        self.method_call(&a.value, method, call.range(), ctx, locals);
    }

    /// Records `receiver.method(...)` (or an `async with receiver:`).
    fn method_call(
        &mut self,
        receiver: &'a Expr,
        method: &'a str,
        range: TextRange,
        ctx: &Ctx<'a>,
        locals: &[&'a str],
    ) {
        let shape = if ctx.in_finally {
            Some(LifespanShape::Finally)
        } else if ctx.lifespan {
            Some(if ctx.after_yield {
                LifespanShape::LifespanAfterYield
            } else {
                LifespanShape::LifespanStartup
            })
        } else {
            None
        };
        // Keep only calls the join can use: on an instance this module holds,
        // or on a name of another module. The methods called on anything
        // else are kept by name (a stop method among them may stop any owner).
        let keep = match receiver {
            // `self.stop()` of a method the class defines: the class's
            // own call, closed over by its owner facts (a start or stop
            // method calling it), no call on an instance the join could
            // miss. (A subclass of the module overriding it is seen by the
            // owner facts too: `Service.close()` calling `self.stop()`
            // stops a `Worker` whose `stop()` overrides the base's. A
            // method it inherits may be a base's of another module,
            // `Mixin.close()` calling the owner's `stop()`: a receiver the
            // module cannot name.)
            Expr::Name(n)
                if ctx.self_name == Some(n.id.as_str())
                    && ctx.class.is_some()
                    && self
                        .class_methods
                        .get(ctx.methods.0 as usize..ctx.methods.1 as usize)
                        .is_some_and(|m| m.contains(&method)) =>
            {
                return;
            }
            Expr::Name(n) => {
                let name = n.id.as_str();
                if ctx.function.is_some() && locals.contains(&name) {
                    false
                } else if let Some(import) = self.imports.get(name) {
                    !import.item.is_empty()
                } else if self.instance_names.contains(name) {
                    // A module-level instance: kept in its place now.
                    let holder = HolderRef::Global {
                        module: self.module,
                        name,
                    };
                    if let Some(call) =
                        self.call_fact(Some(holder), method, range, ctx.function, shape)
                    {
                        self.facts.calls.push(call);
                    }
                    return;
                } else {
                    false
                }
            }
            // `super().stop()`: a base's method run on `self`, never a
            // method of a subclass below the class (the owner facts close
            // over it where the base is the module's), nor of any other
            // object: not a possible stop of every owner with that method.
            Expr::Call(_)
                if ctx.class.is_some()
                    && crate::analysis::is_super_call(receiver, ctx.self_name) =>
            {
                return;
            }
            Expr::Attribute(inner) => match &*inner.value {
                Expr::Name(base) if ctx.self_name == Some(base.id.as_str()) => match ctx.class {
                    Some(class) => {
                        let attr = inner.attr.as_str();
                        return self.defer((class, attr), method, range, ctx, shape);
                    }
                    None => false,
                },
                Expr::Name(base) => self
                    .imports
                    .get(base.id.as_str())
                    .is_some_and(|import| import.item.is_empty()),
                _ => false,
            },
            _ => false,
        };
        if !keep {
            self.unresolved(method);
            return;
        }
        let receiver = self.holder_ref(receiver, ctx, locals);
        if let Some(call) = self.call_fact(receiver, method, range, ctx.function, shape) {
            self.facts.calls.push(call);
        }
    }

    /// The fact of a call the join can use; `None` for a call on a name of
    /// a module outside the run, which cannot start or stop an owner.
    fn call_fact(
        &self,
        receiver: Option<HolderRef<'_>>,
        method: &str,
        range: TextRange,
        function: Option<usize>,
        shape: Option<LifespanShape>,
    ) -> Option<CallFacts> {
        if let Some(HolderRef::Global { module, .. }) = receiver {
            if self.outside(module) {
                return None;
            }
        }
        Some(CallFacts {
            receiver: receiver.map(HolderRef::to_owned),
            method: method.to_string(),
            range,
            line: 0,
            function: self.function_name(function),
            shape,
        })
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

fn is_shutdown_literal(e: &Expr) -> bool {
    matches!(e, Expr::StringLiteral(s) if matches!(s.value.to_str(), "shutdown" | "cleanup"))
}

/// A call site in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectSite {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The function that makes the call.
    pub function: String,
    /// The lifespan shape it sits in.
    pub shape: Option<LifespanShape>,
}

/// The application-level lifetime of one owner's spawn site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppLifetime {
    /// The file of the spawn site.
    pub path: String,
    /// The spawn call.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// The owner class.
    pub class: String,
    /// Where the project starts the owner.
    pub started: Vec<ProjectSite>,
    /// Where the project stops it (empty when not wired).
    pub stopped: Vec<ProjectSite>,
}

/// A diagnostic of the project-level pass, with the file it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectDiagnostic {
    /// The file of the spawn site.
    pub path: String,
    /// The diagnostic; its secondary locations are in `secondary_paths`' files.
    pub diagnostic: Diagnostic,
    /// For each secondary location, its file.
    pub secondary_paths: Vec<String>,
}

/// The result of [`check_project`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectReport {
    /// `shutdown-not-wired` diagnostics.
    pub diagnostics: Vec<ProjectDiagnostic>,
    /// The application lifetime of every spawn site of a started owner.
    pub lifetimes: Vec<AppLifetime>,
}

impl ProjectSite {
    /// `app/main.py:8 in `lifespan` (lifespan shutdown, after `yield`)`.
    pub fn describe(&self) -> String {
        let mut s = format!("{}:{}", self.path, self.line);
        if !self.function.is_empty() && self.function != "<module>" {
            s.push_str(&format!(" in `{}`", self.function));
        }
        if let Some(shape) = self.shape {
            s.push_str(&format!(" ({})", shape.describe()));
        }
        s
    }
}

impl ProjectReport {
    /// Applies the project's verdicts to one file's report: adds its
    /// `shutdown-not-wired` diagnostics (unless `# noqa` on the spawn line
    /// suppresses them) and sets the application lifetime of its spawn sites.
    pub fn apply_to(&self, path: &str, source: &str, report: &mut Report) {
        let lines = LineIndex::from_source_text(source);
        for d in self.diagnostics.iter().filter(|d| d.path == path) {
            let line = lines.line_index(d.diagnostic.range.start());
            let r = lines.line_range(line, source);
            let text = source
                .get(r.start().to_usize()..r.end().to_usize())
                .unwrap_or("");
            if crate::noqa::suppresses(text, Kind::ShutdownNotWired) {
                continue;
            }
            report.diagnostics.push(d.diagnostic.clone());
            for record in report
                .inventory
                .iter_mut()
                .filter(|r| r.range == d.diagnostic.range)
            {
                if !record.findings.contains(&Kind::ShutdownNotWired) {
                    record.findings.push(Kind::ShutdownNotWired);
                    record.findings.sort();
                }
                record.risk = record.risk.max(Kind::ShutdownNotWired.risk());
            }
        }
        for l in self.lifetimes.iter().filter(|l| l.path == path) {
            for record in report.inventory.iter_mut().filter(|r| r.range == l.range) {
                record.lifetime = Lifetime::Application {
                    class: l.class.clone(),
                    started: l.started.iter().map(ProjectSite::describe).collect(),
                    stopped: l.stopped.iter().map(ProjectSite::describe).collect(),
                };
            }
        }
        report
            .diagnostics
            .sort_by_key(|d| (d.range.start(), d.kind));
    }
}

/// Joins the facts of all modules of one run (SPEC §9).
pub fn check_project(modules: &[ModuleFacts], settings: &Settings) -> ProjectReport {
    // A module name given to two files (two projects in one run, scripts
    // named alike) cannot be joined reliably: leave it out.
    let mut names: FxHashMap<&str, usize> = FxHashMap::default();
    for m in modules {
        *names.entry(m.module.as_str()).or_default() += 1;
    }
    let modules: Vec<&ModuleFacts> = modules
        .iter()
        .filter(|m| names[m.module.as_str()] == 1)
        .collect();
    // Owner classes by (module, class).
    let mut owners: FxHashMap<(&str, &str), (&ModuleFacts, &OwnerFacts)> = FxHashMap::default();
    for m in &modules {
        for o in &m.owners {
            owners.insert((m.module.as_str(), o.class.as_str()), (m, o));
        }
    }
    let mut report = ProjectReport::default();
    if owners.is_empty() {
        return report;
    }
    // Instances of owner classes.
    // Every instance a holder is assigned, in module order (`self.listener
    // = Listener()` in three methods: three starts of one holder).
    type Made<'m> = (&'m str, &'m str, &'m ModuleFacts, &'m InstanceFacts);
    let mut instances: BTreeMap<&Holder, Vec<Made>> = BTreeMap::new();
    for m in &modules {
        for i in &m.instances {
            if owners.contains_key(&(i.class_module.as_str(), i.class.as_str())) {
                instances.entry(&i.holder).or_default().push((
                    i.class_module.as_str(),
                    i.class.as_str(),
                    m,
                    i,
                ));
            }
        }
    }
    // Stop methods called on receivers the join cannot name: possibly any
    // owner. (Only stop methods are looked for: modules call many methods.)
    let stops: FxHashSet<&str> = owners
        .values()
        .flat_map(|(_, o)| o.stop_methods.iter().map(String::as_str))
        .collect();
    let mut unresolved_stops: FxHashSet<&str> = FxHashSet::default();
    // Looked up for every call of every module (the map above is walked in
    // order, this set only asked).
    let held: FxHashSet<&Holder> = instances.keys().copied().collect();
    let mut calls_by_holder: FxHashMap<&Holder, Vec<(&ModuleFacts, &CallFacts)>> =
        FxHashMap::default();
    for m in &modules {
        for c in &m.calls {
            match &c.receiver {
                Some(h) if held.contains(h) => calls_by_holder.entry(h).or_default().push((m, c)),
                _ => {
                    if stops.contains(c.method.as_str()) {
                        unresolved_stops.insert(c.method.as_str());
                    }
                }
            }
        }
        unresolved_stops.extend(m.unresolved_methods.iter().filter(|n| stops.contains(n)));
    }
    let site = |m: &ModuleFacts, c: &CallFacts| ProjectSite {
        path: m.path.clone(),
        line: c.line,
        function: c.function.clone(),
        shape: c.shape,
    };
    // Per owner: every followed instance's start and stop calls.
    type Runs = Vec<(Vec<ProjectSite>, Vec<ProjectSite>, Vec<(String, TextRange)>)>;
    let mut per_owner: BTreeMap<(&str, &str), Runs> = BTreeMap::new();
    for (holder, made) in &instances {
        // One run per class the holder is assigned (a holder bound to
        // instances of two classes is followed for each).
        let mut classes: Vec<(&str, &str)> = Vec::new();
        for (class_module, class, _, _) in made {
            if !classes.contains(&(*class_module, *class)) {
                classes.push((*class_module, *class));
            }
        }
        for (class_module, class) in classes {
            let Some((_, owner)) = owners.get(&(class_module, class)) else {
                continue;
            };
            let calls = calls_by_holder.get(holder).map_or(&[][..], Vec::as_slice);
            let mut started: Vec<ProjectSite> = Vec::new();
            let mut start_ranges: Vec<(String, TextRange)> = Vec::new();
            let mut stopped: Vec<ProjectSite> = Vec::new();
            // Constructing it starts it when `__init__` is a start method:
            // at every place the holder is assigned one.
            if owner.start_methods.iter().any(|m| m == "__init__") {
                for (_, _, m, instance) in made
                    .iter()
                    .filter(|(cm, c, _, _)| (*cm, *c) == (class_module, class))
                {
                    started.push(ProjectSite {
                        path: m.path.clone(),
                        line: instance.line,
                        function: String::new(),
                        shape: None,
                    });
                    start_ranges.push((m.path.clone(), instance.range));
                }
            }
            for (cm, c) in calls {
                if owner.start_methods.contains(&c.method) {
                    started.push(site(cm, c));
                    start_ranges.push((cm.path.clone(), c.range));
                }
                if owner.stop_methods.contains(&c.method) {
                    stopped.push(site(cm, c));
                }
            }
            if !started.is_empty() {
                per_owner.entry((class_module, class)).or_default().push((
                    started,
                    stopped,
                    start_ranges,
                ));
            }
        }
    }
    for (key, runs) in per_owner {
        let Some((owner_module, owner)) = owners.get(&key) else {
            continue;
        };
        let started: Vec<ProjectSite> = runs.iter().flat_map(|r| r.0.iter().cloned()).collect();
        let stopped: Vec<ProjectSite> = runs.iter().flat_map(|r| r.1.iter().cloned()).collect();
        for spawn in &owner.spawns {
            report.lifetimes.push(AppLifetime {
                path: owner_module.path.clone(),
                range: spawn.range,
                class: owner.class.clone(),
                started: started.clone(),
                stopped: stopped.clone(),
            });
        }
        // An owner without a shutdown method is `no-shutdown` already; a stop
        // method called on something the join cannot name may be its stop.
        let possibly_stopped = owner
            .stop_methods
            .iter()
            .any(|s| unresolved_stops.contains(s.as_str()));
        if owner.stop_methods.is_empty()
            || possibly_stopped
            || !settings.is_enabled(Kind::ShutdownNotWired)
        {
            continue;
        }
        let not_wired: Vec<&(String, TextRange)> = runs
            .iter()
            .filter(|r| r.1.is_empty())
            .flat_map(|r| r.2.iter())
            .collect();
        if not_wired.is_empty() {
            continue;
        }
        let others = owner
            .stop_methods
            .iter()
            .map(|s| format!("`{s}()`"))
            .collect::<Vec<_>>()
            .join(", ");
        let ctx = crate::messages::MessageContext {
            task: "",
            slot: &owner.class,
            owner: "",
            function: "",
            others: &others,
            local: "",
            coroutine: "",
            task_group: false,
            collection: false,
            mapping: false,
            nested: false,
            nested_mapping: false,
        };
        for spawn in &owner.spawns {
            report.diagnostics.push(ProjectDiagnostic {
                path: owner_module.path.clone(),
                diagnostic: Diagnostic {
                    code: RULE_CODE,
                    name: RULE_NAME,
                    kind: Kind::ShutdownNotWired,
                    message: crate::messages::message(Kind::ShutdownNotWired, &ctx),
                    help: crate::messages::help(Kind::ShutdownNotWired, &ctx),
                    range: spawn.range,
                    secondary: not_wired
                        .iter()
                        .take(crate::messages::MAX_LISTED)
                        .map(|(_, r)| SecondaryLocation {
                            range: *r,
                            label: crate::messages::LABEL_STARTED.to_string(),
                        })
                        .collect(),
                },
                secondary_paths: not_wired
                    .iter()
                    .take(crate::messages::MAX_LISTED)
                    .map(|(p, _)| p.clone())
                    .collect(),
            });
        }
    }
    report.diagnostics.sort_by(|a, b| {
        (&a.path, a.diagnostic.range.start()).cmp(&(&b.path, b.diagnostic.range.start()))
    });
    report
        .lifetimes
        .sort_by(|a, b| (&a.path, a.range.start()).cmp(&(&b.path, b.range.start())));
    report
}

/// The targets and value of an assignment, annotated (with a value) or not.
fn assignment(stmt: &Stmt) -> Option<(&[Expr], &Expr)> {
    match stmt {
        Stmt::Assign(a) => Some((&a.targets, &a.value)),
        Stmt::AnnAssign(a) => Some((std::slice::from_ref(&*a.target), a.value.as_deref()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts of `source` as the module `app.main`.
    fn facts_of_main(source: &str) -> ModuleFacts {
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        module_facts(
            &parsed,
            source,
            "app/main.py",
            "app.main",
            &Settings::default(),
        )
    }

    #[test]
    fn method_names_are_a_sorted_set() {
        let names: MethodNames = ["stop", "close", "stop", "", "a\nb", "aclose"]
            .into_iter()
            .collect();
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            ["aclose", "close", "stop"]
        );
        assert_eq!(names.len(), 3);
        assert!(names.contains("close"));
        assert!(!names.contains("clos"));
        assert!(!names.contains(""));
        assert_eq!(
            serde_json::to_string(&names).ok().as_deref(),
            Some(r#"["aclose","close","stop"]"#)
        );
        let none: MethodNames = std::iter::empty().collect();
        assert!(none.is_empty());
        assert_eq!(none.iter().count(), 0);
    }

    #[test]
    fn a_method_union_keeps_each_name_once() {
        let mut a = MethodUnion::new();
        for (name, len) in [("stop", 1), ("close", 2), ("stop", 2)] {
            a.add(name_hash(name), name);
            assert_eq!(a.len(), len);
        }
        let mut b = MethodUnion::new();
        for name in ["aclose", "close", "cancel"] {
            b.add(name_hash(name), name);
        }
        // Merged either way round: the same five names.
        let mut ab = a.clone();
        ab.merge(b.clone());
        b.merge(a);
        for union in [&ab, &b] {
            let mut names: Vec<&str> = union.iter().collect();
            names.sort_unstable();
            assert_eq!(names, ["aclose", "cancel", "close", "stop"]);
            assert!(union.contains("cancel") && !union.contains("cance"));
        }
        // Only the names asked for, as a sorted set.
        let only = ab.only(["stop", "shutdown", "aclose", "stop"]);
        assert_eq!(only.iter().collect::<Vec<_>>(), ["aclose", "stop"]);
        assert!(MethodUnion::new().only(["stop"]).is_empty());
    }

    #[test]
    fn a_module_adds_its_unresolved_methods_to_a_union() {
        let source = "\
from app import sched

def main(conn, other):
    conn.stop()
    other.stop()
    conn.close()
";
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        let mut union = MethodUnion::new();
        union.add(name_hash("start"), "start");
        let (_, facts) = crate::check_module_with_facts_into(
            &parsed,
            source,
            "app/main.py",
            "app.main",
            &Settings::default(),
            &|_| true,
            &mut union,
        );
        assert!(facts.unresolved_methods.is_empty());
        let mut names: Vec<&str> = union.iter().collect();
        names.sort_unstable();
        assert_eq!(names, ["close", "start", "stop"]);
    }

    #[test]
    fn facts_about_modules_outside_the_run_are_left_out() {
        let source = "\
import app
import requests
from app.sched import Scheduler, runner
from other import Pool, pool

SCHED = Scheduler()
POOL = Pool()

def main():
    runner.start()
    pool.start()
    app.queue.stop()
    requests.session.close()
";
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        let in_run = |m: &str| m == "app" || m.starts_with("app.");
        let (_, facts) = crate::check_module_with_facts(
            &parsed,
            source,
            "app/main.py",
            "app.main",
            &Settings::default(),
            &in_run,
        );
        let classes: Vec<&str> = facts.instances.iter().map(|i| i.class.as_str()).collect();
        assert_eq!(classes, ["Scheduler"]);
        let calls: Vec<&str> = facts.calls.iter().map(|c| c.method.as_str()).collect();
        assert_eq!(calls, ["start", "stop"]);
        // Without the run's modules, everything is kept.
        let all = module_facts(
            &parsed,
            source,
            "app/main.py",
            "app.main",
            &Settings::default(),
        );
        assert_eq!(all.instances.len(), 2);
        assert_eq!(all.calls.len(), 4);
    }

    /// Which names and `self` attributes hold instances, whatever the order
    /// of the assignments and calls: a module-level name assigned directly in
    /// the module's body, an attribute assigned in a method of a top-level
    /// class outside loops and `except`/`else` blocks.
    #[test]
    fn calls_on_instances_are_kept_wherever_the_instance_is_assigned() {
        let source = "\
from app.sched import Scheduler

def early():
    SCHED.start()
    LATE.start()

class Owner:
    def start(self):
        self.worker.run()
        self.looped.run()
        self.handled.run()
        self.guarded.run()
        self.orelse.run()

    def __init__(self):
        self.worker = Scheduler()
        for _ in range(1):
            self.looped = Scheduler()
        try:
            pass
        except Exception:
            self.handled = Scheduler()
        else:
            self.orelse = Scheduler()
        finally:
            with x:
                if y:
                    self.guarded = Scheduler()

    class Inner:
        def go(self):
            self.worker.stop()

SCHED = Scheduler()
if True:
    LATE = Scheduler()
";
        let facts = facts_of_main(source);
        let calls: Vec<String> = facts
            .calls
            .iter()
            .map(|c| {
                let r = match &c.receiver {
                    Some(Holder::Global { name, .. }) => name.clone(),
                    Some(Holder::SelfAttr { class, attr, .. }) => format!("{class}.{attr}"),
                    None => "-".into(),
                };
                format!("{r}.{}@{}:{}", c.method, c.line, c.function)
            })
            .collect();
        let unresolved: Vec<&str> = facts.unresolved_methods.iter().collect();
        assert_eq!(
            calls,
            [
                "SCHED.start@4:early",
                "Owner.worker.run@9:Owner.start",
                "Owner.guarded.run@12:Owner.start"
            ]
        );
        assert_eq!(unresolved, ["run", "start", "stop"]);
    }

    #[test]
    fn locals_are_left_to_their_function() {
        let source = "\
from app.sched import Scheduler, make

def main():
    s = Scheduler()
    s.start()
    e = ValueError()
    conn = make()
    conn.stop()
";
        let facts = facts_of_main(source);
        // No instance fact for a local, and calls on locals (or on what the
        // module cannot name) are kept by method name only.
        assert_eq!(facts.instances, []);
        assert_eq!(facts.calls, []);
        assert!(facts.unresolved_methods.contains("start"));
        assert!(facts.unresolved_methods.contains("stop"));
    }

    #[test]
    fn lines_are_counted_alike_for_every_line_ending() {
        let lf = "a\nb\n\nc.stop()\nd.start()\n";
        let crlf = lf.replace('\n', "\r\n");
        let cr = lf.replace('\n', "\r");
        for source in [lf.to_string(), crlf, cr] {
            let stop = TextRange::at(
                ruff_text_size::TextSize::try_from(source.find("c.stop").unwrap_or(0))
                    .unwrap_or_default(),
                1.into(),
            );
            let start = TextRange::at(
                ruff_text_size::TextSize::try_from(source.find("d.start").unwrap_or(0))
                    .unwrap_or_default(),
                1.into(),
            );
            let (mut a, mut b, mut c) = (0, 0, 0);
            // Out of order on purpose: the sweep sorts them.
            set_lines(
                &source,
                vec![
                    (start, &mut a),
                    (stop, &mut b),
                    (TextRange::default(), &mut c),
                ],
            );
            assert_eq!((a, b, c), (5, 4, 1), "{source:?}");
        }
    }
}
