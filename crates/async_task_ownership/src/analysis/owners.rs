//! SPEC §1 task factories and §2 owners: which candidate sites spawn, and
//! where the value of each spawn site ends up.

use ruff_text_size::{TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};

use super::facts::{BoundValue, EventKind, Facts, Flow, FlowKind, Key, SiteId};
use super::model::{Model, ScopeId};
use crate::messages::transfer;
use ruff_python_ast::Expr;

/// A key bound to a fresh collection (`set()`, `[]`).
const BOUND_FRESH: u8 = 1;
/// A key bound to a container that prunes itself (`WeakSet()`).
const BOUND_SELF_PRUNING: u8 = 2;
/// A key bound to a collection from elsewhere (decision 5).
const BOUND_BORROWED: u8 = 4;

/// The facts, indexed by key and by function.
///
/// Each index is one flat array of fact numbers grouped by bucket (a key's
/// dense number, or a function), in the order of the facts: two
/// allocations per index instead of a map of small vectors (building the
/// maps, with their rehashes, was a tenth of the analysis).
pub(crate) struct Index<'a> {
    /// A dense number for every key of an event or a flow.
    key_ids: FxHashMap<Key<'a>, u32>,
    /// For every key, what it is ever bound to: `BOUND_FRESH`,
    /// `BOUND_SELF_PRUNING`, `BOUND_BORROWED` (asked for every spawn
    /// site's slot: a scan of the slot's events each time was quadratic
    /// for a slot thousands of sites store into).
    bound: Vec<u8>,
    events_by_key: Groups,
    /// Assignments to keys of events or flows (no other key is followed).
    binds_by_key: Groups,
    flows_from: Groups,
    flows_to: Groups,
    /// Candidate sites by the function of the module they call.
    sites_by_callee: Groups,
    /// Candidate sites by the function that contains them.
    sites_by_scope: Groups,
    events_by_scope: Groups,
    flows_by_scope: Groups,
    handlers_by_scope: Groups,
}

/// Numbers grouped by bucket (compressed rows): bucket `b` holds
/// `items[starts[b]..starts[b + 1]]`.
struct Groups {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Groups {
    /// Groups `(bucket, item)` pairs, keeping their order within a bucket.
    fn build<I>(buckets: usize, pairs: I) -> Groups
    where
        I: Iterator<Item = (u32, u32)> + Clone,
    {
        // Callers pass buckets below `buckets`; one that is not is left out
        // rather than indexed out of bounds.
        let mut starts = vec![0u32; buckets + 1];
        for (b, _) in pairs.clone() {
            if let Some(count) = starts.get_mut(b as usize + 1) {
                *count += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut items = vec![0u32; starts[buckets] as usize];
        for (b, item) in pairs {
            if let Some(at) = next.get_mut(b as usize).filter(|_| (b as usize) < buckets) {
                if let Some(slot) = items.get_mut(*at as usize) {
                    *slot = item;
                }
                *at += 1;
            }
        }
        Groups { starts, items }
    }

    /// Groups the positions of `items` by `bucket_of` each item.
    fn by<T>(buckets: usize, items: &[T], bucket_of: impl Fn(&T) -> u32 + Clone) -> Groups {
        Groups::build(
            buckets,
            items.iter().map(bucket_of).zip(0..items.len() as u32),
        )
    }

    fn get(&self, bucket: u32) -> &[u32] {
        let b = bucket as usize;
        match (self.starts.get(b), self.starts.get(b + 1)) {
            (Some(&from), Some(&to)) => &self.items[from as usize..to as usize],
            _ => &[],
        }
    }
}

impl<'a> Index<'a> {
    pub fn build(facts: &Facts<'a>) -> Index<'a> {
        let mut key_ids: FxHashMap<Key<'a>, u32> = FxHashMap::default();
        key_ids.reserve(facts.events.len() + facts.flows.len());
        let mut id_of = |key: Key<'a>| {
            let next = key_ids.len() as u32;
            *key_ids.entry(key).or_insert(next)
        };
        let event_keys: Vec<u32> = facts.events.iter().map(|e| id_of(e.key)).collect();
        let flow_keys: Vec<(u32, u32)> = facts
            .flows
            .iter()
            .map(|f| (id_of(f.from), id_of(f.to)))
            .collect();
        let keys = key_ids.len();
        let mut bound = vec![0u8; keys];
        for (e, &k) in facts.events.iter().zip(&event_keys) {
            bound[k as usize] |= match e.kind {
                EventKind::Bound(BoundValue::Fresh) => BOUND_FRESH,
                EventKind::Bound(BoundValue::SelfPruning) => BOUND_SELF_PRUNING,
                EventKind::Bound(BoundValue::Borrowed) => BOUND_BORROWED,
                _ => 0,
            };
        }
        // Dataclass fields: one from outside is borrowed unless a method of
        // the family binds the attribute to a collection of its own.
        for (key, value) in &facts.field_values {
            if let Some(&k) = key_ids.get(key) {
                let b = &mut bound[k as usize];
                match value {
                    BoundValue::Borrowed if *b & (BOUND_FRESH | BOUND_SELF_PRUNING) == 0 => {
                        *b |= BOUND_BORROWED;
                    }
                    BoundValue::SelfPruning => *b |= BOUND_SELF_PRUNING,
                    _ => {}
                }
            }
        }
        let bind_keys: Vec<(u32, u32)> = facts
            .binds
            .iter()
            .zip(0u32..)
            .filter_map(|(b, i)| key_ids.get(&b.key).map(|&k| (k, i)))
            .collect();
        // Functions are numbered densely from the module (0).
        let scopes = facts
            .events
            .iter()
            .map(|e| e.scope)
            .chain(facts.flows.iter().map(|f| f.scope))
            .chain(facts.handlers.iter().map(|h| h.scope))
            .chain(facts.sites.iter().map(|s| s.scope))
            .chain(facts.sites.iter().filter_map(|s| s.callee))
            .max()
            .map_or(0, |m| m as usize + 1);
        Index {
            bound,
            events_by_key: Groups::by(keys, &event_keys, |k| *k),
            binds_by_key: {
                // In source order (a value's walrus is recorded before its
                // statement), for the searches of `unseen`.
                let mut g = Groups::build(keys, bind_keys.iter().copied());
                for w in g.starts.windows(2) {
                    if let Some(group) = g.items.get_mut(w[0] as usize..w[1] as usize) {
                        group.sort_by_key(|&b| facts.binds[b as usize].range.start());
                    }
                }
                g
            },
            flows_from: Groups::by(keys, &flow_keys, |k| k.0),
            flows_to: Groups::by(keys, &flow_keys, |k| k.1),
            key_ids,
            events_by_scope: Groups::by(scopes, &facts.events, |e| e.scope),
            flows_by_scope: Groups::by(scopes, &facts.flows, |f| f.scope),
            handlers_by_scope: Groups::by(scopes, &facts.handlers, |h| h.scope),
            sites_by_scope: Groups::by(scopes, &facts.sites, |s| s.scope),
            sites_by_callee: Groups::build(
                scopes,
                facts
                    .sites
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| s.callee.map(|c| (c, i as SiteId))),
            ),
        }
    }

    fn key_group<'i>(&'i self, groups: &'i Groups, key: &Key<'a>) -> &'i [u32] {
        self.key_ids.get(key).map_or(&[], |&id| groups.get(id))
    }

    /// What `key` is ever bound to (`BOUND_*` flags).
    pub fn bound(&self, key: &Key<'a>) -> u8 {
        self.key_ids
            .get(key)
            .map_or(0, |&id| self.bound[id as usize])
    }

    pub fn events(&self, key: &Key<'a>) -> &[u32] {
        self.key_group(&self.events_by_key, key)
    }

    /// The assignments binding `key` (indexes into `Facts::binds`).
    pub fn binds(&self, key: &Key<'a>) -> &[u32] {
        self.key_group(&self.binds_by_key, key)
    }

    pub fn scope_events(&self, scope: ScopeId) -> &[u32] {
        self.events_by_scope.get(scope)
    }

    pub fn scope_flows(&self, scope: ScopeId) -> &[u32] {
        self.flows_by_scope.get(scope)
    }

    pub fn scope_handlers(&self, scope: ScopeId) -> &[u32] {
        self.handlers_by_scope.get(scope)
    }

    pub fn flows_into(&self, key: &Key<'a>) -> &[u32] {
        self.key_group(&self.flows_to, key)
    }

    pub fn scope_sites(&self, scope: ScopeId) -> &[SiteId] {
        self.sites_by_scope.get(scope)
    }

    pub fn callers(&self, scope: ScopeId) -> &[SiteId] {
        self.sites_by_callee.get(scope)
    }

    pub fn flows(&self, key: &Key<'a>) -> &[u32] {
        self.key_group(&self.flows_from, key)
    }
}

/// Which sites spawn a task: the base forms, then calls of task factories
/// (functions of the module that return a spawn result, directly or through
/// a local), repeated until nothing new is found.
/// Whether the function a site stands in returns its value, as itself
/// (not as part of a returned tuple), directly or through a local.
pub(crate) fn returns_site(facts: &Facts, index: &Index, id: SiteId) -> bool {
    let site = &facts.sites[id as usize];
    let key = Key::Site(id);
    let returns = |key: &Key| {
        index.events(key).iter().any(|&e| {
            let ev = &facts.events[e as usize];
            ev.kind == EventKind::Returned && !facts.in_returned_tuple.contains(&ev.range)
        })
    };
    returns(&key)
        || index.flows(&key).iter().any(|&f| {
            let flow = &facts.flows[f as usize];
            flow.kind == FlowKind::Assign
                && matches!(flow.to, Key::Local(s, _) if s == site.scope)
                && returns(&flow.to)
        })
}

pub(crate) fn spawning_sites(model: &Model, facts: &Facts, index: &Index) -> Vec<bool> {
    let mut is_spawn: Vec<bool> = facts.sites.iter().map(|s| s.api.is_some()).collect();
    // For each function: the sites whose value it returns.
    let mut returned: FxHashMap<ScopeId, Vec<SiteId>> = FxHashMap::default();
    for (id, site) in facts.sites.iter().enumerate() {
        if returns_site(facts, index, id as SiteId) {
            returned.entry(site.scope).or_default().push(id as SiteId);
        }
    }
    let mut callers: FxHashMap<ScopeId, Vec<SiteId>> = FxHashMap::default();
    for (id, site) in facts.sites.iter().enumerate() {
        if let Some(callee) = site.callee {
            let is_sync = model.scopes[callee as usize]
                .def
                .is_some_and(|d| !d.is_async);
            if is_sync {
                callers.entry(callee).or_default().push(id as SiteId);
            }
        }
    }
    let mut factories: FxHashSet<ScopeId> = FxHashSet::default();
    loop {
        let mut changed = false;
        for (scope, sites) in &returned {
            if factories.contains(scope) || !sites.iter().any(|&s| is_spawn[s as usize]) {
                continue;
            }
            factories.insert(*scope);
            changed = true;
            let none_param = none_coro_param(model, facts, *scope, &returned, &is_spawn);
            for &caller in callers.get(scope).map_or(&[][..], Vec::as_slice) {
                // `loop.run()` of `def run(self, task=None)`, which spawns
                // `ensure_future(task)` only when given one: no task.
                if none_param.is_some_and(|p| !binds(model, &facts.sites[caller as usize], p)) {
                    continue;
                }
                is_spawn[caller as usize] = true;
            }
        }
        if !changed {
            break;
        }
    }
    is_spawn
}

/// The parameter of factory `f` that every task it returns is made from,
/// when it defaults to `None` and the function never binds it again
/// (decision 52): a call that leaves it at `None` spawns nothing (the spawn
/// would raise `TypeError`; the factory guards it, `if task is not None:`).
fn none_coro_param<'a>(
    model: &Model<'a>,
    facts: &Facts<'a>,
    f: ScopeId,
    returned: &FxHashMap<ScopeId, Vec<SiteId>>,
    is_spawn: &[bool],
) -> Option<&'a str> {
    let param = spawn_param(model, facts, f, returned, is_spawn, 0)?;
    let p = model.scopes[f as usize]
        .def?
        .parameters
        .iter_non_variadic_params()
        .find(|p| p.parameter.name.as_str() == param)?;
    p.default
        .as_deref()
        .is_some_and(Expr::is_none_literal_expr)
        .then_some(param)
}

/// The parameter of `f`, never bound again in `f`, that every task `f`
/// returns is made from: the argument of a base spawn form
/// (`ensure_future(task)`), or the one a factory of the module is given for
/// its own such parameter (`self.ensure_future(task)`).
fn spawn_param<'a>(
    model: &Model<'a>,
    facts: &Facts<'a>,
    f: ScopeId,
    returned: &FxHashMap<ScopeId, Vec<SiteId>>,
    is_spawn: &[bool],
    depth: u8,
) -> Option<&'a str> {
    if depth > 4 {
        return None;
    }
    let mut param: Option<&'a str> = None;
    for &s in returned.get(&f)?.iter().filter(|&&s| is_spawn[s as usize]) {
        let site = &facts.sites[s as usize];
        let arg = if site.api.is_some() {
            super::findings::coroutine_arg(site.call)
        } else {
            let callee = site.callee?;
            let inner = spawn_param(model, facts, callee, returned, is_spawn, depth + 1)?;
            bound_arg(model, site, inner).ok()?
        };
        let Some(Expr::Name(n)) = arg else {
            return None;
        };
        let name = n.id.as_str();
        if param.is_some_and(|p| p != name) {
            return None;
        }
        param = Some(name);
    }
    let param = param?;
    let scope = &model.scopes[f as usize];
    let is_param = scope.params.contains(&param) || scope.kwonly.contains(&param);
    // Bound by no statement (`for task in …` included) nor by `:=`.
    let rebound = scope
        .def
        .is_none_or(|d| super::findings::bindings(&d.body, param) != Some(0))
        || facts.late_bound.contains(&(f, param));
    (is_param && !rebound).then_some(param)
}

/// The argument a call of a function of the module gives parameter
/// `param`: `Ok(None)` when it gives none, `Err` when it may (`*args`,
/// `**kwargs`, a callee unknown).
fn bound_arg<'e>(
    model: &Model,
    site: &super::facts::Site<'e>,
    param: &str,
) -> Result<Option<&'e Expr>, ()> {
    let callee = site.callee.ok_or(())?;
    let scope = &model.scopes[callee as usize];
    let args = &site.call.arguments;
    if args.args.iter().any(Expr::is_starred_expr) || args.keywords.iter().any(|k| k.arg.is_none())
    {
        return Err(());
    }
    if let Some(k) = args
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == param))
    {
        return Ok(Some(&k.value));
    }
    let offset =
        usize::from(matches!(&*site.call.func, Expr::Attribute(_)) && scope.self_name.is_some());
    Ok(match scope.params.iter().position(|p| *p == param) {
        Some(i) if i >= offset => args.args.get(i - offset),
        // A keyword-only parameter not given, or the bound `self`.
        _ => None,
    })
}

/// Whether a call of a function of the module gives parameter `param`
/// something other than `None` (or may).
fn binds(model: &Model, site: &super::facts::Site, param: &str) -> bool {
    match bound_arg(model, site, param) {
        Err(()) => true,
        Ok(arg) => arg.is_some_and(|e| !e.is_none_literal_expr()),
    }
}

/// Where a spawn site's task ends up.
#[derive(Debug, Clone)]
pub(crate) enum RawOwner<'a> {
    Discarded,
    Inline,
    /// Owned by a local that is awaited (or a local collection that is).
    LocalAwaited(&'a str, ScopeId),
    /// A local that is never awaited, returned or handed on.
    LocalUnawaited(&'a str, ScopeId),
    /// An owner slot: `self.<attr>` / a module-level name.
    Slot {
        key: Key<'a>,
        collection: bool,
        /// The statement that stores it.
        store: TextRange,
        store_scope: ScopeId,
        guarded: bool,
        /// The statement list the store stands in.
        block_start: TextSize,
    },
    Transferred(String),
}

/// What the walk from a spawn site saw.
pub(crate) struct Resolution<'a> {
    pub owner: RawOwner<'a>,
    /// Observing done-callbacks on the task or its locals.
    pub observing: Vec<TextRange>,
    /// Awaits of the task through locals, with whether `CancelledError`
    /// is handled there.
    pub awaits: Vec<(ScopeId, TextRange, bool)>,
    /// Cancels of the task through locals (`task.cancel()`).
    pub cancels: Vec<(ScopeId, TextRange)>,
    /// The owner's other slots the task is also stored in (`self._states[t]
    /// = …` then `self._pending.add(t)`), or the slot a storing factory put
    /// it in: any of them may be the one that stops it (decision 45). A
    /// borrowed collection among them (`Transferred`) takes the task.
    pub other_slots: Vec<RawOwner<'a>>,
    /// The first slot, when the task is judged by another one (decision
    /// 45): its `unbounded-collection` still stands.
    pub switched_from: Option<RawOwner<'a>>,
}

/// Which uses of a local cannot see the value the flow `entry` put into it
/// by an assignment statement: a use before the statement in straight-line
/// code (no loop around it), or one another assignment of the local
/// between them covers (`task = spawn(a()); self._a = task; task =
/// spawn(b()); self._b = task`). Uses in other functions (closures) may run
/// at any time, and values bound otherwise (`for` targets, comprehensions,
/// `:=`) are not followed in order. Worked out once per local and entry,
/// then asked for each use.
pub(crate) struct Sight {
    home: ScopeId,
    own_start: TextSize,
    in_loop: bool,
    /// Where a later assignment hides the value: from its end to the end of
    /// its block.
    hidden: Vec<(TextSize, TextSize)>,
}

impl Sight {
    pub(crate) fn of(facts: &Facts, index: &Index, key: Key, entry: &Flow) -> Option<Sight> {
        let Key::Local(home, _) = key else {
            return None;
        };
        if entry.scope != home {
            return None;
        }
        // The binds in source order: found by a binary search, and only the
        // nearest looked at (a local assigned thousands of times, each task
        // awaited, made every task see every await).
        const NEAR: usize = 64;
        let binds = index.binds(&key);
        let bind = |b: &u32| &facts.binds[*b as usize];
        let upto = binds.partition_point(|b| bind(b).range.start() <= entry.range.start());
        let own = binds[..upto]
            .iter()
            .rev()
            .take(NEAR)
            .map(bind)
            .find(|b| b.range.contains_range(entry.range))?;
        let from = binds.partition_point(|b| bind(b).range.start() < own.range.end());
        let hidden = binds[from..]
            .iter()
            .take(NEAR)
            .map(bind)
            .filter(|b| !b.keeps_old_value())
            .map(|b| (b.range.end(), b.until))
            .collect();
        Some(Sight {
            home,
            own_start: own.range.start(),
            in_loop: entry.in_loop,
            hidden,
        })
    }

    /// The uses of a local that cannot see the value it had when `store`
    /// put it into a slot (`task = spawn(a()); self._t = task; task =
    /// spawn(b()); await task`, decision 38): those after a later
    /// assignment of the local that covers them. Uses before the store
    /// are all seen (the value may come from any assignment before it).
    pub(crate) fn after_store(
        facts: &Facts,
        index: &Index,
        key: Key,
        store: &Flow,
        slot: Key,
    ) -> Option<Sight> {
        const NEAR: usize = 64;
        let Key::Local(home, _) = key else {
            return None;
        };
        if store.scope != home {
            return None;
        }
        let binds = index.binds(&key);
        let bind = |b: &u32| &facts.binds[*b as usize];
        let from = binds.partition_point(|b| bind(b).range.start() < store.range.end());
        let hidden: Vec<(TextSize, TextSize)> = binds[from..]
            .iter()
            .take(NEAR)
            .map(bind)
            // (Not one that reads the slot again: `task = self._t`.)
            .filter(|b| !b.keeps_old_value() && !reads_slot(b.value, slot))
            .map(|b| (b.range.end(), b.until))
            .collect();
        (!hidden.is_empty()).then_some(Sight {
            home,
            own_start: store.range.start(),
            in_loop: true,
            hidden,
        })
    }

    /// Whether the use at `at` (in `scope`) cannot see the value.
    pub(crate) fn unseen(&self, facts: &Facts, scope: ScopeId, at: TextRange) -> bool {
        if scope != self.home {
            return false;
        }
        let hidden = if at.end() <= self.own_start {
            !self.in_loop
        } else {
            self.hidden
                .iter()
                .any(|&(from, until)| from <= at.start() && at.start() < until)
        };
        // A lambda or a generator expression runs when it is called or
        // iterated, later than it stands (asked last: most uses are seen).
        hidden && !facts.deferred.iter().any(|d| d.contains_range(at))
    }
}

/// Whether `value` may be the slot `slot` read back (`self._t`, a module
/// name, an element of it: `self._tasks[k]`, `self._tasks.pop(k)`; one
/// side of `or` or of a conditional; `ensure_future(self._t)`, the same
/// task), not an expression that only mentions it.
fn reads_slot(value: &Expr, slot: Key) -> bool {
    let mut e = value;
    loop {
        match e {
            Expr::Subscript(s) => e = &s.value,
            Expr::BoolOp(b) => {
                return b
                    .values
                    .iter()
                    .any(|v| super::stack_guard(|| reads_slot(v, slot)))
            }
            Expr::If(i) => {
                return super::stack_guard(|| {
                    reads_slot(&i.body, slot) || reads_slot(&i.orelse, slot)
                })
            }
            Expr::Call(c) => match &*c.func {
                Expr::Attribute(a) if matches!(a.attr.as_str(), "get" | "pop") => e = &a.value,
                f if super::names::last_identifier(f) == Some("ensure_future")
                    && c.arguments.args.len() == 1 =>
                {
                    e = &c.arguments.args[0];
                }
                _ => return false,
            },
            Expr::Attribute(a) => {
                return matches!(slot, Key::Attr(_, attr) if a.attr.as_str() == attr)
            }
            Expr::Name(n) => return matches!(slot, Key::Module(name) if n.id.as_str() == name),
            _ => return false,
        }
    }
}

pub(crate) fn resolve<'a>(facts: &Facts<'a>, index: &Index<'a>, site: SiteId) -> Resolution<'a> {
    let start = Key::Site(site);
    // Each key with the flow that reached it (none for the site).
    let mut queue: Vec<(Key<'a>, Option<&Flow<'a>>)> = vec![(start, None)];
    let mut seen: FxHashSet<Key<'a>> = FxHashSet::default();
    seen.insert(start);
    let mut discarded = false;
    let mut inline = false;
    let mut awaited_local: Option<Key<'a>> = None;
    let mut first_local: Option<Key<'a>> = None;
    let mut transferred: Option<String> = None;
    let mut other = false;
    let mut slot: Option<(u32, Key<'a>, FlowKind)> = None;
    let mut candidates: Vec<(u32, Key<'a>, FlowKind)> = Vec::new();
    let mut observing = Vec::new();
    let mut awaits = Vec::new();
    let mut cancels = Vec::new();
    let mut i = 0;
    while i < queue.len() {
        let (key, entry) = queue[i];
        i += 1;
        let sight = entry.and_then(|entry| Sight::of(facts, index, key, entry));
        let unseen = |scope, at| sight.as_ref().is_some_and(|s| s.unseen(facts, scope, at));
        for &e in index.events(&key) {
            let ev = &facts.events[e as usize];
            if unseen(ev.scope, ev.range) {
                continue;
            }
            match &ev.kind {
                EventKind::Discarded if key == start => discarded = true,
                // Polled until done: the local's task is waited for (owned),
                // but its outcome is not read (no await to list).
                EventKind::Waited if key != start && awaited_local.is_none() => {
                    awaited_local = Some(key);
                }
                EventKind::Cancelled if key != start => cancels.push((ev.scope, ev.range)),
                EventKind::Awaited { protected } => {
                    awaits.push((ev.scope, ev.range, *protected));
                    if key == start {
                        inline = true;
                    } else if awaited_local.is_none() {
                        awaited_local = Some(key);
                    }
                }
                EventKind::Returned => {
                    transferred.get_or_insert_with(|| transfer::RETURNED.to_string());
                }
                EventKind::Yielded => {
                    transferred.get_or_insert_with(|| transfer::YIELDED.to_string());
                }
                EventKind::HandedOn(to) => {
                    transferred.get_or_insert_with(|| to.describe());
                }
                EventKind::Other if key == start => other = true,
                EventKind::DoneCallback { observing: true } => observing.push(ev.range),
                _ => {}
            }
        }
        for &f in index.flows(&key) {
            let flow = &facts.flows[f as usize];
            if unseen(flow.scope, flow.range) {
                continue;
            }
            // The first store owns the task, but a container that lets go
            // of its own accord (`WeakKeyDictionary`, `WeakSet`) only when
            // nothing else holds it (anyio: a weak map of task states, then
            // the group's set).
            let rank = |f: u32, to: Key<'a>| {
                (
                    self_pruning(index, to),
                    facts.flows[f as usize].range.start(),
                )
            };
            let mut consider = |to: Key<'a>, kind: FlowKind| {
                if !candidates.iter().any(|&(_, k, _)| k == to) {
                    candidates.push((f, to, kind));
                }
                if slot.is_none_or(|(best, best_to, _)| rank(best, best_to) > rank(f, to)) {
                    slot = Some((f, to, kind));
                }
            };
            match flow.to {
                Key::Attr(Some(_), _) | Key::Module(_) => consider(flow.to, flow.kind),
                Key::Local(..) | Key::Site(_) => {
                    // Added to a local name of an owner's collection
                    // (`bucket = self._tasks`, `bucket.add(task)`).
                    if let Some(collection) = collection_alias(facts, index, flow) {
                        consider(collection, FlowKind::Add);
                    } else if flow.kind == FlowKind::Add
                        && index
                            .binds(&flow.to)
                            .iter()
                            .map(|&b| &facts.binds[b as usize])
                            // Bound so last before the task is added (not
                            // bound again to a collection of its own).
                            .filter(|b| b.range.start() < flow.range.start())
                            .max_by_key(|b| b.range.start())
                            .is_some_and(|b| b.borrowed)
                    {
                        // Added to another object's collection under a local
                        // name (`tasks = getattr(app.state, "tasks")`).
                        transferred.get_or_insert_with(|| match flow.to {
                            Key::Local(_, name) => transfer::borrowed_local(name),
                            _ => transfer::BORROWED.to_string(),
                        });
                        continue;
                    }
                    if first_local.is_none() && matches!(flow.to, Key::Local(..)) && key == start {
                        first_local = Some(flow.to);
                    }
                    if seen.insert(flow.to) {
                        queue.push((flow.to, Some(flow)));
                    }
                }
                Key::Attr(None, _) => {}
            }
        }
    }
    // The slot itself added to a collection right after (`self._t =
    // create_task(…)`, then `self.manager.add(self._t)`): a second slot.
    if let Some((first, chosen @ Key::Attr(..), FlowKind::Assign)) = slot {
        let store = &facts.flows[first as usize];
        // Not once the slot holds another task (`self._t = …` again).
        let rebound_before = |at: ruff_text_size::TextSize| {
            index.binds(&chosen).iter().any(|&b| {
                let bind = &facts.binds[b as usize];
                bind.range.start() > store.range.start() && bind.range.start() < at
            })
        };
        for &f in index.flows(&chosen) {
            let flow = &facts.flows[f as usize];
            if flow.kind == FlowKind::Add
                && !rebound_before(flow.range.start())
                && matches!(flow.to, Key::Attr(Some(_), _) | Key::Module(_))
                && flow.scope == store.scope
                && flow.block_start == store.block_start
                && flow.range.start() > store.range.start()
                && !candidates.iter().any(|&(_, k, _)| k == flow.to)
            {
                candidates.push((f, flow.to, flow.kind));
            }
        }
    }
    // Only the slots stored into in the same statement list as the first
    // (not on another branch, not under a condition of their own).
    let other_slots = match slot {
        Some((first, chosen, _)) if candidates.len() > 1 => candidates
            .iter()
            .filter(|&&(f, key, _)| {
                let (a, b) = (&facts.flows[f as usize], &facts.flows[first as usize]);
                key != chosen
                    && a.scope == b.scope
                    && a.block_start == b.block_start
                    && !self_pruning(index, key)
            })
            // A borrowed collection among them takes the task (decision 5).
            .filter_map(|&c| match slot_owner(facts, index, c) {
                owner @ (RawOwner::Slot { .. } | RawOwner::Transferred(_)) => Some(owner),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let owner = if let Some(chosen) = slot {
        slot_owner(facts, index, chosen)
    } else if discarded {
        RawOwner::Discarded
    } else if inline {
        RawOwner::Inline
    } else if let Some(Key::Local(scope, name)) = awaited_local.and(first_local).or(awaited_local) {
        RawOwner::LocalAwaited(name, scope)
    } else if let Some(to) = transferred {
        RawOwner::Transferred(to)
    } else if let Some(Key::Local(scope, name)) = first_local {
        RawOwner::LocalUnawaited(name, scope)
    } else if other {
        RawOwner::Transferred(transfer::IN_EXPRESSION.to_string())
    } else {
        RawOwner::Transferred(transfer::NOT_FOLLOWED.to_string())
    };
    Resolution {
        owner,
        observing,
        awaits,
        cancels,
        other_slots,
        switched_from: None,
    }
}

/// The owner a store into a slot makes (`flow` the store).
fn slot_owner<'a>(
    facts: &Facts<'a>,
    index: &Index<'a>,
    (f, key, kind): (u32, Key<'a>, FlowKind),
) -> RawOwner<'a> {
    let flow = &facts.flows[f as usize];
    let collection = kind == FlowKind::Add || slot_is_collection(index, key);
    // §8.5: a collection bound from a parameter or another object is borrowed.
    let borrowed = collection && index.bound(&key) & BOUND_BORROWED != 0;
    if borrowed {
        RawOwner::Transferred(transfer::BORROWED.to_string())
    } else {
        RawOwner::Slot {
            key,
            collection,
            store: flow.range,
            store_scope: flow.scope,
            guarded: flow.guarded,
            block_start: flow.block_start,
        }
    }
}

/// The owner's collection a local container names, when `flow` adds to
/// that local in the function that binds it, once, to the collection itself
/// (`bucket = self._tasks`, or `self._a if flag else self._b`: the first;
/// not a copy, `list(self._tasks)`, nor another object's attribute).
fn collection_alias<'a>(facts: &Facts<'a>, index: &Index<'a>, flow: &Flow<'a>) -> Option<Key<'a>> {
    if flow.kind != FlowKind::Add || !matches!(flow.to, Key::Local(s, _) if s == flow.scope) {
        return None;
    }
    let [only] = index.binds(&flow.to) else {
        return None;
    };
    let bind = &facts.binds[*only as usize];
    bind.names_slot
        .filter(|_| bind.scope == flow.scope && bind.range.end() <= flow.range.start())
}

/// A slot bound to a container that drops its tasks by itself.
/// Whether a key holds a task spawned in the module: a spawn site, or a
/// local bound from one (not a future handed in from outside).
pub(crate) fn holds_spawned(facts: &Facts, index: &Index, key: &Key) -> bool {
    match key {
        Key::Site(_) => true,
        Key::Local(..) => index
            .flows_into(key)
            .iter()
            .any(|&g| matches!(facts.flows[g as usize].from, Key::Site(_))),
        _ => false,
    }
}

pub(crate) fn self_pruning(index: &Index, key: Key) -> bool {
    index.bound(&key) & BOUND_SELF_PRUNING != 0
}

/// A slot that something is ever added to is a collection.
fn slot_is_collection(index: &Index, key: Key) -> bool {
    index.bound(&key) & (BOUND_FRESH | BOUND_SELF_PRUNING) != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{facts, model::Model};
    use crate::Settings;
    use ruff_python_ast::PySourceType;
    use ruff_text_size::Ranged;

    fn owners_of(src: &str) -> Vec<String> {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let model = Model::build(parsed.syntax());
        let facts = facts::collect(&model, &Settings::default(), parsed.syntax());
        let index = Index::build(&facts);
        let is_spawn = spawning_sites(&model, &facts, &index);
        (0..facts.sites.len() as SiteId)
            .filter(|s| is_spawn[*s as usize])
            .map(|s| match resolve(&facts, &index, s).owner {
                RawOwner::Discarded => "discarded".to_string(),
                RawOwner::Inline => "inline".to_string(),
                RawOwner::LocalAwaited(n, _) => format!("local-awaited {n}"),
                RawOwner::LocalUnawaited(n, _) => format!("local-unawaited {n}"),
                RawOwner::Slot {
                    key, collection, ..
                } => format!("slot {key:?} collection={collection}"),
                RawOwner::Transferred(to) => format!("transferred {to}"),
            })
            .collect()
    }

    #[test]
    fn a_local_assigned_many_times_sees_only_its_own_awaits() {
        // More assignments than the nearest looked at: each task still owns
        // only the await after it (every task saw every await, a list as
        // long as the function for each task).
        let mut src = String::from("import asyncio\nasync def f():\n");
        for _ in 0..100 {
            src.push_str("    t = asyncio.create_task(w())\n    await t\n");
        }
        let parsed = ruff_python_parser::parse_unchecked_source(&src, PySourceType::Python);
        let model = Model::build(parsed.syntax());
        let facts = facts::collect(&model, &Settings::default(), parsed.syntax());
        let index = Index::build(&facts);
        let is_spawn = spawning_sites(&model, &facts, &index);
        let sites: Vec<SiteId> = (0..facts.sites.len() as SiteId)
            .filter(|s| is_spawn[*s as usize])
            .collect();
        assert_eq!(sites.len(), 100);
        for s in sites {
            let res = resolve(&facts, &index, s);
            assert!(matches!(res.owner, RawOwner::LocalAwaited("t", _)));
            let call = facts.sites[s as usize].call.range();
            assert_eq!(res.awaits.len(), 1, "site at {call:?}");
            assert!(res.awaits[0].1.start() > call.end());
            // The await on the next line, before the next spawn.
            assert!(res.awaits[0].1.start() < call.end() + TextSize::from(40));
        }
    }

    #[test]
    fn groups_keep_the_order_of_their_items() {
        let pairs = [(2u32, 10u32), (0, 11), (2, 12), (2, 13), (0, 14)];
        let g = Groups::build(4, pairs.iter().copied());
        assert_eq!(g.get(0), [11, 14]);
        assert_eq!(g.get(1), [] as [u32; 0]);
        assert_eq!(g.get(2), [10, 12, 13]);
        assert_eq!(g.get(3), [] as [u32; 0]);
        // Past the last bucket: nothing, no panic.
        assert_eq!(g.get(4), [] as [u32; 0]);
        assert_eq!(g.get(u32::MAX), [] as [u32; 0]);
        let none = Groups::build(0, std::iter::empty());
        assert_eq!(none.get(0), [] as [u32; 0]);
        // A bucket out of range is left out, not a panic.
        let stray = Groups::build(2, [(1u32, 7u32), (5, 8)].into_iter());
        assert_eq!(stray.get(1), [7]);
        assert_eq!(stray.get(5), [] as [u32; 0]);
    }

    #[test]
    fn factories_are_found_to_a_fixpoint() {
        let src = "import asyncio\n\
                   def spawn(c):\n    t = asyncio.create_task(c)\n    return t\n\
                   def spawn2(c):\n    return spawn(c)\n\
                   async def f():\n    spawn2(g())\n";
        assert_eq!(
            owners_of(src),
            [
                "transferred returned to the caller",
                "transferred returned to the caller",
                "discarded"
            ]
        );
    }

    #[test]
    fn a_slot_wins_over_an_alias_and_a_return() {
        let src = "import asyncio\nclass C:\n    def start(self):\n        self._t = t = asyncio.create_task(w())\n        return t\n";
        assert_eq!(
            owners_of(src),
            ["slot Attr(Some(0), \"_t\") collection=false"]
        );
    }

    #[test]
    fn locals_are_followed_through_collections_and_loops() {
        let src = "import asyncio\n\
                   async def a(xs):\n    ts = [asyncio.create_task(w(x)) for x in xs]\n    for t in ts:\n        await t\n\
                   async def b(xs):\n    ts = []\n    ts.append(asyncio.create_task(w()))\n";
        assert_eq!(owners_of(src), ["local-awaited ts", "local-unawaited ts"]);
    }

    #[test]
    fn handoff_follows_the_callee_parameter() {
        let src = "import asyncio\nclass C:\n    def _keep(self, task):\n        self._tasks.add(task)\n    def go(self):\n        self._keep(asyncio.create_task(w()))\n";
        assert_eq!(
            owners_of(src),
            ["slot Attr(Some(0), \"_tasks\") collection=true"]
        );
    }
}
