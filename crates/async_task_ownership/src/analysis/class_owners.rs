//! SPEC §9 inputs from one module: the classes that own tasks, with the
//! methods that start them (spawn into a slot) and the methods that stop them
//! (cancel or await a slot), closed over `self.method()` calls.

use std::borrow::Cow;

use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap, FxHashSet};

use super::facts::{EventKind, Facts, Key, SiteId};
use super::lifecycle;
use super::model::{ClassId, Model, ScopeId, MODULE_SCOPE};
use super::names::any_expr;
use super::owners::{self, Index, RawOwner};
use ruff_python_ast::{Expr, Stmt};

/// A class of the module that owns tasks.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClassOwner {
    pub class: String,
    pub start: Vec<String>,
    pub stop: Vec<String>,
    /// The spawn calls that feed its slots.
    pub spawns: Vec<TextRange>,
}

/// The method a scope belongs to (itself, or the method it is nested in).
fn method_of(model: &Model, mut scope: ScopeId) -> Option<ScopeId> {
    let class = model.scopes[scope as usize].class?;
    loop {
        let parent = model.scopes[scope as usize].parent?;
        if parent == MODULE_SCOPE || model.scopes[parent as usize].class != Some(class) {
            return Some(scope);
        }
        scope = parent;
    }
}

/// Per class: start methods, stop methods, spawn calls, and the methods
/// whose cancel or await of a slot stands in an `except` clause that raises
/// (a stop unless the method starts the owner: decision 50).
type ByClass = FxHashMap<
    u32,
    (
        FxHashSet<ScopeId>,
        FxHashSet<ScopeId>,
        Vec<TextRange>,
        Vec<ScopeId>,
    ),
>;

/// The `except` clauses that raise, by function (built once per module,
/// and only asked about a stop).
struct Raising(FxHashMap<ScopeId, Vec<TextRange>>);

impl Raising {
    fn new(facts: &Facts) -> Self {
        let mut by_scope: FxHashMap<ScopeId, Vec<TextRange>> = FxHashMap::default();
        for h in facts.handlers.iter().filter(|h| h.raises) {
            by_scope.entry(h.scope).or_default().push(h.range);
        }
        Raising(by_scope)
    }

    /// Whether `range`, in function `scope`, stands in such a clause.
    fn contains(&self, scope: ScopeId, range: TextRange) -> bool {
        !self.0.is_empty()
            && self
                .0
                .get(&scope)
                .is_some_and(|hs| hs.iter().any(|h| h.contains_range(range)))
    }
}

/// A call of one method of the module by another: the caller, the callee,
/// where the call stands (its function and range), and whether it
/// dispatches on the instance (`self.m()`, which runs an override of a
/// subclass) or not (`super().m()`, which runs a base's).
type MethodCall = (ScopeId, ScopeId, ScopeId, TextRange, bool);

/// The class and its bases of the module, nearest first (at most 16).
fn class_chain(model: &Model, class: ClassId) -> Vec<ClassId> {
    let mut chain: Vec<ClassId> = vec![class];
    let mut i = 0;
    while i < chain.len() && chain.len() < 16 {
        let c = chain[i];
        for base in &model.classes[c as usize].bases {
            if let Some(&b) = model.class_by_name.get(base) {
                if !chain.contains(&b) {
                    chain.push(b);
                }
            }
        }
        i += 1;
    }
    chain
}

/// The calls, plus, for `self.m()` made in a method of a base of `class`
/// (of the module), a call of `class`'s own `m` where it overrides the
/// base's: a template method (`Service.close()` calling `self.stop()`)
/// runs the subclass's `stop()` on the subclass's instances.
fn with_overrides<'c>(
    model: &Model,
    class: ClassId,
    calls: &'c [MethodCall],
) -> Cow<'c, [MethodCall]> {
    let chain = class_chain(model, class);
    if chain.len() == 1 {
        // No base of the module: the calls as they are.
        return Cow::Borrowed(calls);
    }
    let mut out = calls.to_vec();
    for &(caller, callee, at, range, dispatch) in calls {
        if !dispatch {
            continue;
        }
        let Some(caller_class) = model.scopes[caller as usize].class else {
            continue;
        };
        let Some(pos) = chain.iter().position(|&c| c == caller_class) else {
            continue;
        };
        if pos == 0 {
            continue;
        }
        let Some(name) = model.scopes[callee as usize].def.map(|d| d.name.as_str()) else {
            continue;
        };
        // The nearest definition below the base that makes the call.
        let over = chain[..pos]
            .iter()
            .find_map(|&c| model.classes[c as usize].methods.get(name).copied());
        if let Some(over) = over.filter(|&o| o != callee) {
            out.push((caller, over, at, range, true));
        }
    }
    Cow::Owned(out)
}

/// Whether a function body runs a loop that lasts: a `while` or an
/// `async for` of its own (not a nested function's), anywhere in it.
fn runs_a_loop(body: &[Stmt]) -> bool {
    let mut blocks: Vec<&[Stmt]> = vec![body];
    while let Some(block) = blocks.pop() {
        for stmt in block {
            match stmt {
                Stmt::While(_) => return true,
                Stmt::For(f) if f.is_async => return true,
                Stmt::For(f) => {
                    blocks.push(&f.body);
                    blocks.push(&f.orelse);
                }
                Stmt::If(i) => {
                    blocks.push(&i.body);
                    blocks.extend(i.elif_else_clauses.iter().map(|c| &c.body[..]));
                }
                Stmt::With(w) => blocks.push(&w.body),
                Stmt::Try(t) => {
                    blocks.push(&t.body);
                    blocks.extend(t.handlers.iter().map(|h| {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                        &h.body[..]
                    }));
                    blocks.push(&t.orelse);
                    blocks.push(&t.finalbody);
                }
                Stmt::Match(m) => blocks.extend(m.cases.iter().map(|c| &c.body[..])),
                _ => {}
            }
        }
    }
    false
}

/// Whether method `from`, or one it calls (a few calls deep), is one of
/// `targets`.
fn reaches(
    callees: &FxHashMap<ScopeId, Vec<ScopeId>>,
    from: ScopeId,
    targets: &FxHashSet<ScopeId>,
) -> bool {
    let mut seen: FxHashSet<ScopeId> = FxHashSet::default();
    let mut stack = vec![from];
    while let Some(m) = stack.pop() {
        if targets.contains(&m) {
            return true;
        }
        if seen.len() >= 64 || !seen.insert(m) {
            continue;
        }
        stack.extend(callees.get(&m).into_iter().flatten().copied());
    }
    false
}

pub(crate) fn class_owners(
    model: &Model,
    facts: &Facts,
    index: &Index,
    is_spawn: &[bool],
) -> Vec<ClassOwner> {
    // Per class: start and stop method scopes, spawn ranges.
    let mut by_class: ByClass = FxHashMap::default();
    let mut slots_done: FxHashSet<Key> = FxHashSet::default();
    // Per function of the module a slot is handed to: for each attribute
    // its callers hand it, their methods (built once per function).
    let mut handed_by: FxHashMap<ScopeId, FxHashMap<String, Vec<ScopeId>>> = FxHashMap::default();
    let raising = Raising::new(facts);
    // Each spawn's slot, and for each slot the methods that cancel or
    // await it.
    let mut spawn_key: FxHashMap<TextRange, Key> = FxHashMap::default();
    let mut key_stops: FxHashMap<Key, FxHashSet<ScopeId>> = FxHashMap::default();
    for (id, site) in facts.sites.iter().enumerate() {
        if !is_spawn[id] {
            continue;
        }
        let res = owners::resolve(facts, index, id as SiteId);
        let RawOwner::Slot {
            key: key @ Key::Attr(Some(_), _),
            store_scope,
            ..
        } = res.owner
        else {
            continue;
        };
        let Some(class) = model.scopes[store_scope as usize].class else {
            continue;
        };
        let entry = by_class.entry(class).or_default();
        if let Some(m) = method_of(model, site.scope) {
            entry.0.insert(m);
        }
        entry.2.push(site.call.range());
        spawn_key.insert(site.call.range(), key);
        if slots_done.insert(key) {
            let lc = lifecycle::compute(model, facts, index, key);
            // Each function the slot is handed to, once.
            let mut helpers: FxHashSet<ScopeId> = FxHashSet::default();
            // Not a stop: a cancel of a value before the method stores it
            // (decision 48), nor the storing method's own wait that may
            // return while the task runs (`await asyncio.wait({ready,
            // self._t}, return_when=FIRST_COMPLETED)`, decision 22).
            let cancels = lc
                .cancels
                .iter()
                .filter(|c| !lc.pre_store_cancels.contains(&c.range));
            let awaits = lc.awaits.iter().map(|(a, _)| a).filter(|a| {
                !(lc.storing.contains(&a.scope)
                    && facts
                        .early_waits
                        .iter()
                        .any(|w| w.contains_range(a.range) && !facts.single_waits.contains(w)))
            });
            for at in cancels.chain(awaits) {
                if let Some(m) = method_of(model, at.scope) {
                    key_stops.entry(key).or_default().insert(m);
                    if raising.contains(at.scope, at.range) {
                        entry.3.push(m);
                    } else {
                        entry.1.insert(m);
                    }
                } else {
                    // A function of the module the slot is handed to
                    // (`await _drain({self._t})`): the methods of the class
                    // that call it with the slot stop the task.
                    let Key::Attr(_, attr) = key else { continue };
                    if !helpers.insert(at.scope) {
                        continue;
                    }
                    let by_attr = handed_by.entry(at.scope).or_insert_with(|| {
                        let mut by_attr: FxHashMap<String, Vec<ScopeId>> = FxHashMap::default();
                        for &c in index.callers(at.scope) {
                            let caller = &facts.sites[c as usize];
                            let Some(m) = method_of(model, caller.scope) else {
                                continue;
                            };
                            for a in &*caller.call.arguments.args {
                                any_expr(a, |e| {
                                    if let Expr::Attribute(x) = e {
                                        by_attr.entry(x.attr.to_string()).or_default().push(m);
                                    }
                                    false
                                });
                            }
                        }
                        by_attr
                    });
                    for &m in by_attr.get(attr).into_iter().flatten() {
                        if model.scopes[m as usize].class == Some(class) {
                            entry.1.insert(m);
                        }
                    }
                }
            }
        }
    }
    // Close over `self.method()` calls: a method that calls a start (stop)
    // method starts (stops) too.
    let mut calls: Vec<MethodCall> = Vec::new();
    for site in &facts.sites {
        if let (Some(callee), Some(caller)) = (site.callee, method_of(model, site.scope)) {
            if model.scopes[callee as usize].class.is_some() {
                calls.push((caller, callee, site.scope, site.call.range(), true));
            }
        }
    }
    // `super().m()`: the nearest base of the module above the caller's
    // class that defines `m`.
    for &(scope, name, range) in &facts.super_calls {
        let (Some(caller), Some(class)) =
            (method_of(model, scope), model.scopes[scope as usize].class)
        else {
            continue;
        };
        let callee = class_chain(model, class)[1..]
            .iter()
            .find_map(|&c| model.classes[c as usize].methods.get(name).copied());
        if let Some(callee) = callee {
            calls.push((caller, callee, scope, range, false));
        }
    }
    // Keepalives (decision 54): the coroutine calls of spawns whose method
    // runs a loop of its own and, in one of its `except` clauses, stops
    // the very slot the spawn stores into (cancels it, or calls a method
    // that cancels or awaits it, a few calls deep), each with its spawn.
    let mut keepalives: FxHashMap<TextRange, TextRange> = FxHashMap::default();
    if !key_stops.is_empty() {
        let mut callees: FxHashMap<ScopeId, Vec<ScopeId>> = FxHashMap::default();
        for &(caller, callee, ..) in &calls {
            callees.entry(caller).or_default().push(callee);
        }
        let mut handlers: FxHashMap<ScopeId, Vec<TextRange>> = FxHashMap::default();
        for h in &facts.handlers {
            handlers.entry(h.scope).or_default().push(h.range);
        }
        for (id, site) in facts.sites.iter().enumerate() {
            if !is_spawn[id] {
                continue;
            }
            let Some(key) = spawn_key.get(&site.call.range()) else {
                continue;
            };
            let Some(stops) = key_stops.get(key) else {
                continue;
            };
            let args = &site.call.arguments;
            for a in args
                .args
                .iter()
                .chain(args.keywords.iter().map(|k| &k.value))
            {
                let Expr::Call(c) = a else { continue };
                let Some(body) = facts
                    .site_by_range
                    .get(&c.range())
                    .and_then(|&s| facts.sites[s as usize].callee)
                else {
                    continue;
                };
                let Some(clauses) = handlers.get(&body) else {
                    continue;
                };
                if !model.scopes[body as usize]
                    .def
                    .is_some_and(|d| runs_a_loop(&d.body))
                {
                    continue;
                }
                let in_clause = |r: TextRange| clauses.iter().any(|h| h.contains_range(r));
                let stops_in_clause = stops.contains(&body)
                    && index.scope_events(body).iter().any(|&e| {
                        let ev = &facts.events[e as usize];
                        ev.key == *key && ev.kind == EventKind::Cancelled && in_clause(ev.range)
                    });
                let calls_stop_in_clause = calls.iter().any(|&(caller, callee, at, range, _)| {
                    caller == body
                        && at == body
                        && in_clause(range)
                        && reaches(&callees, callee, stops)
                });
                if stops_in_clause || calls_stop_in_clause {
                    keepalives.insert(c.range(), site.call.range());
                }
            }
        }
    }
    let mut out = Vec::new();
    for (class, (mut start, mut stop, spawns, cleanups)) in by_class {
        let calls = with_overrides(model, class, &calls);
        let calls: &[_] = &calls;
        loop {
            let mut changed = false;
            for &(caller, callee, ..) in calls {
                if start.contains(&callee) && start.insert(caller) {
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // A start method that stops the owner only in an `except` clause
        // that raises cleans up after a failed start (`except Exception:
        // await self.stop(); raise`): calling it starts the owner, it does
        // not stop it (decision 50).
        stop.extend(cleanups.into_iter().filter(|m| !start.contains(m)));
        // The keepalives' bodies stop the owner only through what they
        // call: no shutdown of its own to name (unless they stop a slot
        // themselves).
        let keepalive_bodies: FxHashSet<ScopeId> = if keepalives.is_empty() {
            FxHashSet::default()
        } else {
            calls
                .iter()
                .filter(|c| keepalives.get(&c.3).is_some_and(|s| spawns.contains(s)))
                .map(|c| c.1)
                .filter(|b| !stop.contains(b))
                .collect()
        };
        loop {
            let mut changed = false;
            for &(caller, callee, at, range, _) in calls {
                if stop.contains(&callee) && !stop.contains(&caller) {
                    if start.contains(&caller) && raising.contains(at, range) {
                        continue;
                    }
                    // A keepalive of the owner stops it when it fails, not
                    // when the method that spawns it is called (decision 54).
                    if keepalives.get(&range).is_some_and(|s| spawns.contains(s)) {
                        continue;
                    }
                    stop.insert(caller);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let names = |set: FxHashSet<ScopeId>| {
            let mut v: Vec<String> = set
                .into_iter()
                .map(|s| model.scopes[s as usize].short_name().to_string())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        out.push(ClassOwner {
            class: model.classes[class as usize].name.to_string(),
            start: names(start),
            stop: names(
                stop.into_iter()
                    .filter(|s| !keepalive_bodies.contains(s))
                    .collect(),
            ),
            spawns,
        });
    }
    out.sort_by(|a, b| a.class.cmp(&b.class));
    out
}
