//! SPEC §3: the lifecycle of an owner slot (`self.<attr>` of a class family,
//! or a module-level name), over every function that can see it.
//!
//! A reference is the slot itself, a local bound from it, the loop variable
//! of a `for` over it, or a parameter it is passed to (§8.1, §8.4). Each slot
//! is computed once and cached by the caller, so many spawn sites feeding the
//! same slot cost one walk.

use ruff_python_ast::Expr;
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};

use super::facts::{BoundValue, EventKind, Facts, FlowKind, Key};
use super::model::{Model, ScopeId, MODULE_SCOPE};
use super::owners::Index;

/// A place in a function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    pub scope: ScopeId,
    pub range: TextRange,
}

/// What the owner's functions do with a slot.
#[derive(Debug, Default)]
pub(crate) struct Lifecycle {
    pub cancels: Vec<At>,
    /// Awaits, with whether `CancelledError` is handled there.
    pub awaits: Vec<(At, bool)>,
    /// `while not task.done(): await ...`: waits for the end, not the outcome.
    pub polls: Vec<At>,
    /// Pairs (cancel, await or poll) in one function that lie in two
    /// branches of one `if` (`if not t.done(): t.cancel()` / `else:
    /// t.result()`), or with the slot rebound between them on every path:
    /// the await never waits for the task that cancel cancelled.
    pub exclusive: FxHashSet<(TextRange, TextRange)>,
    /// How many of `cancels` are the slot's own (the rest cancel tasks moved
    /// into another slot: no restart guard for this one).
    pub own_cancels: usize,
    /// Rebinding, `del`, `.clear()` — the slot forgets the task.
    pub clears: Vec<At>,
    /// `discard`/`remove`/`pop`/`del c[k]`, a pruning done-callback.
    pub prunes: Vec<At>,
    /// Rebinding or deleting outside the initialiser.
    pub rebinds: Vec<At>,
    pub observing: Vec<At>,
    /// Handed to a callee the rule cannot see, returned or yielded.
    pub escapes: bool,
    /// Cancelled tasks returned to callers the rule cannot see, which use
    /// the value (decision 23): they may await them there.
    pub cancel_handed: bool,
    /// Where a reference is handed to a callee the rule cannot see
    /// (`cancel_and_wait(self._t)`): it may be stopped there.
    pub handed: Vec<At>,
    /// Bound to a container that prunes itself (`WeakSet`, `deque(maxlen=…)`).
    pub self_pruning: bool,
    /// Functions that store tasks into the slot.
    pub storing: Vec<ScopeId>,
    /// Functions of the module a storing function hands the task to in
    /// an awaited call (`await self._wait(task)`): they wait on its behalf.
    pub consumers: Vec<ScopeId>,
    /// Where they store the tasks they spawn (or get from a factory).
    pub stores: Vec<At>,
    /// Every function that stores into the slot then awaits the task with
    /// `await` (`self._f = ensure_future(…)`, `await self._f`, or `await t`
    /// of the name it had before): an await under way while another
    /// function cancels.
    pub consumed: bool,
    /// Cancels made through a local that took the task out of the slot,
    /// with where it was taken (`task = self._t` or `self._tasks.pop(k)`,
    /// then `task.cancel()`): a clear at the take, or a binding of the slot
    /// after it in a block around the cancel, even one before the cancel,
    /// leaves the slot without that task ([`cleared_cancels`]).
    pub taken: Vec<(TextRange, TextSize)>,
    /// Cancels after which the cancelling function has cleared or replaced
    /// the slot on every path (decision 7).
    pub cleared: FxHashSet<TextRange>,
    /// Awaits of a cancelled task handed by the name it was taken out
    /// under to a function of the module (`self._reap(task)`, or to the
    /// new task: `create_task(self._run(old))`): of that very task.
    pub object_awaits: Vec<At>,
    /// (cancel, await) pairs where the awaiting function calls the
    /// cancelling one before the await (`t = self._t; self._cancel();
    /// await t`): the await follows the cancel.
    pub after_call: FxHashSet<(TextRange, TextRange)>,
    /// Cancels, in a function that stores into the slot, of a name the
    /// task has before it is stored, made before every store of that
    /// function (`if closing: job.cancel(); return`, then `self._jobs[n] =
    /// job`): of a value the slot never held, not a stop of the owner.
    pub pre_store_cancels: Vec<TextRange>,
    /// [`Lifecycle::awaits_after_cancel`], once computed.
    after_cancel: std::cell::OnceCell<Option<Vec<(At, bool)>>>,
    /// [`Lifecycle::escaping_awaits`], once computed.
    escaping: std::cell::OnceCell<Option<Vec<At>>>,
}

fn is_initialiser(model: &Model, scope: ScopeId, slot: &Key) -> bool {
    match slot {
        Key::Module(_) => scope == MODULE_SCOPE,
        _ => model.scopes[scope as usize]
            .def
            .is_some_and(|d| matches!(d.name.as_str(), "__init__" | "__post_init__")),
    }
}

pub(crate) fn compute<'a>(
    model: &Model<'a>,
    facts: &Facts<'a>,
    index: &Index<'a>,
    slot: Key<'a>,
) -> Lifecycle {
    let mut lc = Lifecycle {
        // Bound to a weak container (a dataclass field made by
        // `field(default_factory=WeakSet)` has no binding event).
        self_pruning: super::owners::self_pruning(index, slot),
        ..Lifecycle::default()
    };
    let mut queue = vec![slot];
    let mut seen: FxHashSet<Key<'a>> = FxHashSet::default();
    seen.insert(slot);
    // The value stored into the slot is the same task under its other names
    // (`self._t = task = create_task(...)`, `task = ...; self._tasks.add(task)`).
    // Only their own awaits, cancels and callbacks count: the local may hold
    // other tasks on other paths (`tasks.append(t)` in one branch,
    // `self._tasks.add(t)` in the other), so its other uses are not the slot's.
    let mut aliases: Vec<Key<'a>> = Vec::new();
    // Names of the task handed to a function of the module in an awaited
    // call (`await self._wait(task)`): the caller, where, and the function
    // (an await under way in the caller if that function awaits it).
    let mut handed_awaited: Vec<(ScopeId, TextSize, ScopeId)> = Vec::new();
    // The same hand-offs as flows (the name handed, where it stands).
    let mut handed_flows: Vec<u32> = Vec::new();
    // Every function of the module the slot's tasks are handed to, with
    // the function that hands them (a helper the stopping function also
    // hands them to waits for the stopper too, not only for a consumer).
    let mut handed_from: Vec<(ScopeId, ScopeId)> = Vec::new();
    // The functions the slot's tasks are handed to, with whether the call
    // handles `CancelledError` around it.
    let mut handed_protected: Vec<(ScopeId, bool)> = Vec::new();
    // Cancels made under a name the task had before its slot, with that
    // name (`owner_task.cancel()`, then `self._t = owner_task`).
    let mut cancelled_as: FxHashMap<TextRange, Key<'a>> = FxHashMap::default();
    // Calls of a setter that stores its parameter into the slot (decision
    // 21): the caller's stores.
    let mut setter_calls: Vec<u32> = Vec::new();
    // The uses of a name the task had before its slot that a later
    // assignment of that name hides (decision 38), for a name stored once.
    let mut sights: FxHashMap<Key<'a>, Option<super::owners::Sight>> = FxHashMap::default();
    for &f in index.flows_into(&slot) {
        let from = facts.flows[f as usize].from;
        if let Key::Local(..) = from {
            sights
                .entry(from)
                .and_modify(|s| *s = None)
                .or_insert_with(|| {
                    super::owners::Sight::after_store(
                        facts,
                        index,
                        from,
                        &facts.flows[f as usize],
                        slot,
                    )
                });
        }
        lc.storing.push(facts.flows[f as usize].scope);
        // A store of a task spawned here (not of a future handed in).
        if super::owners::holds_spawned(facts, index, &from) {
            lc.stores.push(At {
                scope: facts.flows[f as usize].scope,
                range: facts.flows[f as usize].range,
            });
        }
        if matches!(from, Key::Local(..) | Key::Site(_)) {
            aliases.push(from);
            // A parameter a setter stores (`self._set_active(task)`, `def
            // _set_active(self, t): self._active = t`): the caller's name
            // of the task is the slot's as if it stored it there itself,
            // and the caller stores it.
            if let Key::Local(..) = from {
                for &g in index.flows_into(&from) {
                    let flow = &facts.flows[g as usize];
                    if flow.kind == FlowKind::Param && matches!(flow.from, Key::Local(..)) {
                        sights
                            .entry(flow.from)
                            .and_modify(|s| *s = None)
                            .or_insert_with(|| {
                                super::owners::Sight::after_store(
                                    facts, index, flow.from, flow, slot,
                                )
                            });
                        aliases.push(flow.from);
                        lc.storing.push(flow.scope);
                        setter_calls.push(g);
                    }
                }
            }
            if let Key::Site(_) = from {
                for &g in index.flows(&from) {
                    let flow = &facts.flows[g as usize];
                    if matches!(flow.to, Key::Local(..))
                        && flow.kind == super::facts::FlowKind::Assign
                    {
                        aliases.push(flow.to);
                    }
                }
            }
        }
    }
    // A function that returns the slot itself (`def _start(self): …;
    // return self._read`): its calls give the slot's task, so their awaits
    // and cancels, and those of the names they are bound to, are the
    // slot's (`await self._start()`).
    for &e in index.events(&slot) {
        let ev = &facts.events[e as usize];
        if ev.kind != EventKind::Returned || facts.in_returned_tuple.contains(&ev.range) {
            continue;
        }
        // (A getter that also stores the task is a storing factory: its
        // caller's await is a consumer's, decision 22.)
        let storing_getter = lc.storing.contains(&ev.scope);
        for &c in index.callers(ev.scope) {
            let call = Key::Site(c);
            if storing_getter {
                let site = &facts.sites[c as usize];
                lc.storing.push(site.scope);
                lc.stores.push(At {
                    scope: site.scope,
                    range: site.call.range(),
                });
            }
            let mut names = vec![call];
            for &g in index.flows(&call) {
                let flow = &facts.flows[g as usize];
                if matches!(flow.to, Key::Local(..)) && flow.kind == FlowKind::Assign {
                    names.push(flow.to);
                }
            }
            for key in names {
                for &u in index.events(&key) {
                    let use_ = &facts.events[u as usize];
                    if !awaits_the_coroutine(model, facts, key, use_) {
                        lc.note_use(use_);
                    }
                }
            }
        }
    }
    let mut next = 0;
    while next < aliases.len() {
        let key = aliases[next];
        next += 1;
        if !seen.insert(key) {
            continue;
        }
        // Other names of the same value (also a parameter of a function of
        // the module it is handed to: `await self._cleanup(t)`, decision 4),
        // and the value returned to callers.
        for &g in index.flows(&key) {
            let flow = &facts.flows[g as usize];
            if let Key::Local(callee, _) = flow.to {
                match flow.kind {
                    FlowKind::Assign => aliases.push(flow.to),
                    FlowKind::Param => {
                        handed_from.push((flow.scope, callee));
                        handed_protected.push((callee, facts.protected_params.contains(&g)));
                        if facts.awaited_params.contains(&g) {
                            handed_awaited.push((flow.scope, flow.range.start(), callee));
                            handed_flows.push(g);
                        }
                        aliases.push(flow.to);
                    }
                    _ => {}
                }
            }
        }
        for &e in index.events(&key) {
            let ev = &facts.events[e as usize];
            if ev.kind == EventKind::Returned && !facts.in_returned_tuple.contains(&ev.range) {
                let scope = ev.scope;
                // A call of the storing factory stores too: its await is a
                // consumer's (decision 22).
                for &c in index.callers(scope) {
                    let call = &facts.sites[c as usize];
                    lc.storing.push(call.scope);
                    lc.stores.push(At {
                        scope: call.scope,
                        range: call.call.range(),
                    });
                    aliases.push(Key::Site(c));
                }
            }
        }
        let sight = sights.get(&key).and_then(Option::as_ref);
        for &e in index.events(&key) {
            let ev = &facts.events[e as usize];
            if sight.is_some_and(|s| s.unseen(facts, ev.scope, ev.range)) {
                continue;
            }
            if !awaits_the_coroutine(model, facts, key, ev) {
                lc.note_use(ev);
                if ev.kind == EventKind::Cancelled && matches!(key, Key::Local(..)) {
                    cancelled_as.insert(ev.range, key);
                }
            }
        }
    }
    // Where the slot is given a task spawned here, in order.
    let mut spawned_stores: Vec<TextSize> = index
        .flows_into(&slot)
        .iter()
        .map(|&f| &facts.flows[f as usize])
        .filter(|flow| super::owners::holds_spawned(facts, index, &flow.from))
        .map(|flow| flow.range.start())
        .collect();
    spawned_stores.sort_unstable();
    let mut moved: Vec<Key<'a>> = Vec::new();
    // Where each reference of the queue took the task out of the slot
    // (none for the slot itself and the values of callers).
    let mut since: Vec<Option<TextSize>> = vec![None];
    // Whether each reference came through a call's parameter.
    let mut via_param: Vec<bool> = vec![false];
    // Whether each reference is the value of a call of a function that
    // returns tasks it took out of the slot (`return tasks` after `tasks =
    // list(self._tasks.values())`): awaiting it awaits those very tasks.
    // (The function that returns them: only one that also cancels them
    // counts, decision 23.)
    let mut returned_taken: Vec<Option<(ScopeId, TextSize)>> = vec![None];
    let mut returned_awaits: Vec<((ScopeId, TextSize), At)> = Vec::new();
    // Such tasks returned by a function no call of the module resolves to
    // (`watch.cancel()` on an object of a class the rule cannot name): its
    // callers are ones the rule cannot see.
    let mut returned_unseen: Vec<((ScopeId, TextSize), At)> = Vec::new();
    // Awaits of a name the task was taken out under, with where it was taken.
    let mut taken_awaits: Vec<(TextSize, At)> = Vec::new();
    // Every reference the walk below reaches (its queue, ahead of it): a
    // loop over one of them binds its name to the slot's tasks.
    let reach: FxHashSet<Key<'a>> = {
        let mut reach: FxHashSet<Key<'a>> = FxHashSet::default();
        reach.insert(slot);
        let mut todo = vec![slot];
        while let Some(key) = todo.pop() {
            for &e in index.events(&key) {
                let ev = &facts.events[e as usize];
                if ev.kind == EventKind::Returned && key != slot {
                    for &caller in index.callers(ev.scope) {
                        if reach.insert(Key::Site(caller)) {
                            todo.push(Key::Site(caller));
                        }
                    }
                }
            }
            for &f in index.flows(&key) {
                let flow = &facts.flows[f as usize];
                match flow.to {
                    Key::Local(..) if reach.insert(flow.to) => todo.push(flow.to),
                    // Moved into another slot of the owner (decision 28):
                    // a loop over that slot is over these tasks too.
                    Key::Attr(..) | Key::Module(_)
                        if matches!(flow.kind, FlowKind::Add | FlowKind::Assign) =>
                    {
                        reach.insert(flow.to);
                    }
                    _ => {}
                }
            }
        }
        reach
    };
    let mut i = 0;
    while i < queue.len() {
        let key = queue[i];
        // The uses of a local that a later assignment hides from the value
        // taken out (decision 38: `pending = list(self._tasks)`, then
        // `pending = list(others)`; `done, pending = await asyncio.wait(…)`
        // twice), when one flow from the references gives it that value.
        // And the bodies of the loops that bind the local to the elements
        // of something else (`for t in pending: t.cancel()`, then `for t in
        // done: t.result()`).
        let (hidden, loops, parent) = match key {
            Key::Local(home, name) if i > 0 => {
                let entries: Vec<&super::facts::Flow> = index
                    .flows_into(&key)
                    .iter()
                    .map(|&f| &facts.flows[f as usize])
                    .filter(|f| seen.contains(&f.from))
                    .collect();
                let sight = match entries.as_slice() {
                    [entry] => super::owners::Sight::of(facts, index, key, entry),
                    _ => None,
                };
                // Each loop binding the name, with whether it binds it to
                // other tasks: nothing the walk reaches flows into the name
                // in its iterable, nor in its body (`for k in keys: t =
                // self._tasks.pop(k)`).
                // (A loop over the slot's tasks binds nothing else; one
                // over something else, up to where its body takes them out
                // again; an assignment of the name from itself takes
                // nothing out: `t = t or default`.)
                let loops: Vec<(TextRange, TextSize)> = match facts.for_loops.get(&(home, name)) {
                    None => Vec::new(),
                    Some(all) => {
                        // Where the walk's references flow into the name, in
                        // order (each loop looks up its own stretch).
                        let mut taken: Vec<TextRange> = index
                            .flows_into(&key)
                            .iter()
                            .map(|&f| &facts.flows[f as usize])
                            .filter(|f| f.from != key && reach.contains(&f.from))
                            .map(|f| f.range)
                            .collect();
                        taken.sort_unstable_by_key(|r| r.start());
                        let first_in = |within: TextRange| {
                            let i = taken.partition_point(|r| r.start() < within.start());
                            taken[i..]
                                .iter()
                                .take_while(|r| r.start() < within.end())
                                .find(|r| within.contains_range(**r))
                                .map(|r| r.start())
                        };
                        let mut loops: Vec<(TextRange, TextSize)> = all
                            .iter()
                            .map(|&(iter, body)| {
                                let other_until = if first_in(iter).is_some() {
                                    body.start()
                                } else {
                                    match first_in(body) {
                                        // (A comprehension, whose generators
                                        // all bind the name at once: from
                                        // its start.)
                                        Some(_) if body.contains_range(iter) => body.start(),
                                        Some(at) => at,
                                        None => body.end(),
                                    }
                                };
                                (body, other_until)
                            })
                            .collect();
                        // (By where their bodies start, a loop met later
                        // after one with the same start: the inner one.)
                        loops.sort_by_key(|(body, _)| body.start());
                        loops
                    }
                };
                let mut parent: Vec<usize> = Vec::with_capacity(loops.len());
                let mut open: Vec<usize> = Vec::new();
                for (j, (body, _)) in loops.iter().enumerate() {
                    while open
                        .last()
                        .is_some_and(|&top| !loops[top].0.contains_range(*body))
                    {
                        open.pop();
                    }
                    parent.push(open.last().copied().unwrap_or(usize::MAX));
                    open.push(j);
                }
                (sight, loops, parent)
            }
            _ => (None, Vec::new(), Vec::new()),
        };
        // The innermost loop around a use decides (`for t in others:` around
        // `for t in self._tasks: t.cancel()`).
        // Loops nest or stand apart: the innermost one around a use is the
        // last to start before it, or one of that loop's enclosing loops.
        // (Of two with one body, the one met last: the inner loop, or the
        // later generator of a comprehension.)
        let in_other_loop = |at: TextRange| {
            let mut j = loops
                .partition_point(|(body, _)| body.start() <= at.start())
                .wrapping_sub(1);
            while let Some(&(body, other_until)) = loops.get(j) {
                if body.contains_range(at) {
                    return at.start() < other_until;
                }
                j = parent[j];
            }
            false
        };
        let hidden = hidden.as_ref();
        let handed = via_param[i] && since[i].is_some();
        let returned_by = returned_taken[i];
        // A task moved on into another slot of the owner is awaited there
        // (decision 28), whatever becomes of this one.
        let taken = since[i].filter(|_| {
            !index.flows(&key).iter().any(|&f| {
                let flow = &facts.flows[f as usize];
                matches!(flow.to, Key::Attr(..) | Key::Module(_))
                    && matches!(flow.kind, FlowKind::Add | FlowKind::Assign)
            })
        });
        i += 1;
        for &e in index.events(&key) {
            let ev = &facts.events[e as usize];
            if awaits_the_coroutine(model, facts, key, ev)
                || hidden.is_some_and(|s| s.unseen(facts, ev.scope, ev.range))
                || in_other_loop(ev.range)
            {
                continue;
            }
            if lc.note_use(ev) {
                if let (EventKind::Cancelled, Some(at)) = (&ev.kind, taken) {
                    lc.taken.push((ev.range, at));
                }
                if let (EventKind::Awaited { .. } | EventKind::Waited, Some(at)) =
                    (&ev.kind, since[i - 1])
                {
                    taken_awaits.push((
                        at,
                        At {
                            scope: ev.scope,
                            range: ev.range,
                        },
                    ));
                }
                if matches!(ev.kind, EventKind::Awaited { .. } | EventKind::Waited) {
                    let at = At {
                        scope: ev.scope,
                        range: ev.range,
                    };
                    if handed {
                        lc.object_awaits.push(at);
                    } else if let Some(helper) = returned_by {
                        returned_awaits.push((helper, at));
                    }
                }
                continue;
            }
            let at = At {
                scope: ev.scope,
                range: ev.range,
            };
            match &ev.kind {
                EventKind::Pruned => {
                    lc.prunes.push(at);
                    lc.clears.push(at);
                }
                EventKind::Deleted => {
                    lc.clears.push(at);
                    if key == slot {
                        lc.rebinds.push(at);
                    }
                }
                EventKind::Bound(value) if key == slot => {
                    if *value == BoundValue::SelfPruning {
                        lc.self_pruning = true;
                    }
                    if !is_initialiser(model, ev.scope, &slot) {
                        lc.rebinds.push(at);
                        // A task under another name (`self._t = task`) is
                        // stored, not cleared.
                        if *value != BoundValue::Task
                            && !{
                                // (The first store at or after the statement's
                                // start, if it lies in the statement.)
                                let i = spawned_stores.partition_point(|&s| s < ev.range.start());
                                spawned_stores.get(i).is_some_and(|&s| s < ev.range.end())
                            }
                        {
                            lc.clears.push(at);
                        }
                    }
                }
                // A reference returned to a caller of the module: the value of
                // each call of that function is a reference too.
                EventKind::Returned if key != slot => {
                    let taken_out = match since[i - 1] {
                        Some(at) => Some((ev.scope, at)),
                        None => returned_taken[i - 1],
                    };
                    if let (Some(taken_out), []) = (taken_out, index.callers(ev.scope)) {
                        returned_unseen.push((taken_out, at));
                    }
                    for &caller in index.callers(ev.scope) {
                        let k = Key::Site(caller);
                        if seen.insert(k) {
                            queue.push(k);
                            since.push(None);
                            via_param.push(false);
                            returned_taken.push(taken_out);
                        }
                    }
                }
                // Returning the slot does not give it away (§8.2: `self` decides).
                EventKind::HandedOn(_) => {
                    lc.escapes = true;
                    lc.handed.push(at);
                }
                _ => {}
            }
        }
        for &f in index.flows(&key) {
            let flow = &facts.flows[f as usize];
            if hidden.is_some_and(|s| s.unseen(facts, flow.scope, flow.range))
                || in_other_loop(flow.range)
            {
                continue;
            }
            if let (Key::Local(callee, _), FlowKind::Param) = (flow.to, flow.kind) {
                handed_from.push((flow.scope, callee));
                handed_protected.push((callee, facts.protected_params.contains(&f)));
            }
            match flow.to {
                Key::Local(..) if seen.insert(flow.to) => {
                    queue.push(flow.to);
                    since.push(since[i - 1].or(Some(flow.range.start())));
                    via_param.push(via_param[i - 1] || flow.kind == FlowKind::Param);
                    returned_taken.push(returned_taken[i - 1]);
                }
                Key::Local(..) => {}
                // Moved into another slot of the owner (`self._cancelled.add(
                // self._tasks.pop(k))`): cancelled or awaited there, too.
                Key::Attr(..) | Key::Module(_)
                    if matches!(flow.kind, FlowKind::Add | FlowKind::Assign) =>
                {
                    moved.push(flow.to);
                }
                _ => {}
            }
        }
    }
    // Awaits of tasks a helper took out, cancelled and returned.
    // (Taken out before the helper clears the slot: a copy made after
    // the clear is empty.)
    // (The take compared with the helper's clears only when the helper
    // took the tasks out itself, not a caller that handed them in.)
    let hands_cancelled = |lc: &Lifecycle, (helper, take): (ScopeId, TextSize)| {
        let took_here = model.scopes[helper as usize]
            .def
            .is_some_and(|d| d.range().contains(take));
        lc.cancels.iter().any(|c| c.scope == helper)
            && !(took_here
                && lc
                    .clears
                    .iter()
                    .any(|x| x.scope == helper && x.range.end() <= take))
    };
    for (helper, at) in returned_awaits {
        if hands_cancelled(&lc, helper) {
            lc.object_awaits.push(at);
        }
    }
    // Cancelled tasks handed to callers the rule cannot see, that may keep
    // them, may be awaited there (decision 23): no `cancel-not-awaited`.
    for (helper, at) in returned_unseen {
        if hands_cancelled(&lc, helper)
            && model.scopes[helper.0 as usize].def.is_some_and(|d| {
                super::facts::kept_by_unseen_callers(facts.module_body, d.name.as_str())
            })
        {
            lc.cancel_handed = true;
            lc.handed.push(at);
        }
    }
    lc.own_cancels = lc.cancels.len();
    // The other slots' cancels, awaits and observing callbacks, and those of
    // the names their tasks are taken out under (`for t in self._cancelled:
    // await t`); nothing else of theirs is this slot's.
    while let Some(key) = moved.pop() {
        if !seen.insert(key) {
            continue;
        }
        for &e in index.events(&key) {
            lc.note_use(&facts.events[e as usize]);
        }
        for &f in index.flows(&key) {
            let flow = &facts.flows[f as usize];
            if matches!(flow.to, Key::Local(..))
                && matches!(flow.kind, FlowKind::Assign | FlowKind::Element)
            {
                moved.push(flow.to);
            }
        }
    }
    lc.consumers = handed_awaited
        .iter()
        .filter(|&&(caller, _, callee)| {
            lc.storing.contains(&caller)
                && handed_from
                    .iter()
                    .all(|&(from, to)| to != callee || lc.storing.contains(&from))
                // Not when it is handed there after the caller cancelled it
                // by that name (`t.cancel(); await _drive(t)`): the stopper
                // waits there. (The cancel on the way to the hand-off: in
                // its statement list or one around it, not in another
                // branch; a cancel of the slot's old task is not this one.)
                && !handed_flows.iter().any(|&g| {
                    let flow = &facts.flows[g as usize];
                    matches!(flow.to, Key::Local(s, _) if s == callee)
                        && cancelled_as.iter().any(|(&c, &name)| {
                            name == flow.from
                                && c.end() <= flow.range.start()
                                && facts
                                    .cancel_blocks
                                    .get(&c)
                                    .is_some_and(|&b| flow.block_start >= b)
                                && !facts.exclusive(c, flow.range)
                        })
                })
        })
        .map(|&(_, _, callee)| callee)
        .collect();
    lc.consumed = !lc.stores.is_empty()
        && lc.stores.iter().all(|s| {
            lc.awaits.iter().any(|(a, _)| {
                facts.await_exprs.contains(&a.range)
                    && ((a.scope == s.scope && a.range.start() > s.range.start())
                        || handed_awaited.iter().any(|&(caller, at, callee)| {
                            caller == s.scope && at > s.range.start() && a.scope == callee
                        }))
            })
        });
    // The slot rebound between a cancel and an await written on the slot
    // itself, on every path: the await is of the new value
    // (`self._t.cancel()`, `self._t = create_task(…)`, `await self._t`).
    // Bounded: a function that rebinds one slot hundreds of times is left
    // to the plain reading.
    let binds = index.binds(&slot);
    let binds = if binds.len() <= 64 { binds } else { &[] };
    if !facts.branches.is_empty() || !binds.is_empty() {
        let waits = lc.waits();
        for c in &lc.cancels {
            for (a, _) in &waits {
                if a.scope == c.scope
                    && a.range.start() > c.range.start()
                    && (facts.exclusive(c.range, a.range)
                        || (facts.direct_waits.contains(&a.range)
                            && binds.iter().any(|&b| {
                                let b = &facts.binds[b as usize];
                                b.scope == c.scope && b.hides(c.range, a.range)
                            })))
                {
                    lc.exclusive.insert((c.range, a.range));
                }
            }
        }
    }
    // An await in a function the tasks are handed to only by calls that
    // handle `CancelledError` around them is protected there (`with
    // suppress(BaseException): drive(loop, t)`).
    if !handed_protected.is_empty() {
        for (a, protected) in &mut lc.awaits {
            if !*protected
                && handed_protected
                    .iter()
                    .any(|&(callee, _)| callee == a.scope)
                && handed_protected
                    .iter()
                    .all(|&(callee, p)| callee != a.scope || p)
            {
                *protected = true;
            }
        }
    }
    // Awaits in a function that calls the cancelling one before them: of
    // a task taken out of the slot before the call (`t = self._t;
    // self._cancel(); await t`), or of the slot itself when the cancelling
    // function leaves the task there and nothing rebinds the slot between
    // the call and the await; never in another branch than the call
    // (bounded: a slot cancelled and awaited in hundreds of places is left
    // to the plain reading).
    let direct: Vec<(Option<TextSize>, At)> = lc
        .waits()
        .into_iter()
        .filter(|(a, _)| facts.direct_waits.contains(&a.range))
        .map(|(a, _)| (None, a))
        .collect();
    let candidates: Vec<(Option<TextSize>, At)> = taken_awaits
        .iter()
        .map(|&(take, a)| (Some(take), a))
        .chain(direct)
        .collect();
    if lc.cancels.len() * candidates.len() <= 4096 {
        let slot_binds = index.binds(&slot);
        for c in &lc.cancels {
            let keeps_task = !lc
                .clears
                .iter()
                .any(|x| x.scope == c.scope && x.range.start() > c.range.start());
            for &(take, a) in &candidates {
                if a.scope == c.scope || (take.is_none() && !keeps_task) {
                    continue;
                }
                let follows = index.callers(c.scope).iter().any(|&s| {
                    let site = &facts.sites[s as usize];
                    let call = site.call.range();
                    site.scope == a.scope
                        && take.is_none_or(|take| take <= call.start())
                        && call.end() <= a.range.start()
                        && !facts.exclusive(call, a.range)
                        && (take.is_some()
                            || !slot_binds.iter().any(|&b| {
                                let b = &facts.binds[b as usize];
                                b.scope == a.scope
                                    && call.end() <= b.range.start()
                                    && b.range.end() <= a.range.start()
                            }))
                });
                if follows {
                    lc.after_call.insert((c.range, a.range));
                }
            }
        }
    }
    for (&range, &name) in &cancelled_as {
        let Some(at) = lc.cancels.iter().find(|c| c.range == range) else {
            continue;
        };
        // (A cancel handed to a call, or in a lambda, runs later.)
        if facts.handed_cancels.contains(&range)
            || facts.deferred.iter().any(|d| d.contains_range(range))
        {
            continue;
        }
        let mut stores = index
            .flows_into(&slot)
            .iter()
            .chain(&setter_calls)
            .map(|&f| &facts.flows[f as usize])
            .filter(|f| f.scope == at.scope)
            .peekable();
        if stores.peek().is_some()
            && stores.all(|f| !f.in_loop && f.range.start() >= range.end())
            // (Not a name the slot's task was taken out under.)
            && index
                .flows_into(&name)
                .iter()
                .all(|&f| facts.flows[f as usize].from != slot)
            && !lc.taken.iter().any(|(r, _)| *r == range)
        {
            lc.pre_store_cancels.push(range);
        }
    }
    lc.cleared = cleared_cancels(facts, index, slot, &lc, &cancelled_as);
    lc
}

/// The cancels after which their function no longer holds the task in the
/// slot (decision 7): for a task taken out under another name, a clear at
/// the take (`task, self._t = self._t, None`, `self._tasks.pop(k)`) or a
/// binding of the slot after the take in a block around the cancel (`task =
/// self._t; self._t = None; task.cancel()`); for a cancel of the slot, a
/// clear after it, or a binding to a new task after it in a block around
/// it, not in another branch of an `if` (`self._t.cancel(); self._t =
/// create_task(…)`).
///
/// A cancel made under the name the task had before its slot is not
/// cleared by storing that same name afterwards (`owner_task.cancel()`,
/// then `self._t = owner_task`): the slot gets the cancelled task.
fn cleared_cancels<'a>(
    facts: &Facts<'a>,
    index: &Index<'a>,
    slot: Key<'a>,
    lc: &Lifecycle,
    cancelled_as: &FxHashMap<TextRange, Key<'a>>,
) -> FxHashSet<TextRange> {
    let binds: Vec<_> = index
        .binds(&slot)
        .iter()
        .map(|&b| &facts.binds[b as usize])
        .collect();
    // The bind stores the local the cancel was made through, not bound
    // again between the two.
    let stores_cancelled = |c: &At, b: &super::facts::Bind| {
        let Some(&local @ Key::Local(home, name)) = cancelled_as.get(&c.range) else {
            return false;
        };
        matches!(b.value, Expr::Name(n) if n.id.as_str() == name)
            // (A `for` target or `:=` may bind it anywhere.)
            && !facts.late_bound.contains(&(home, name))
            && !index.binds(&local).iter().any(|&l| {
                let l = &facts.binds[l as usize];
                l.range.start() >= c.range.end() && l.range.end() <= b.range.start()
            })
            // (Nor anything else put into it between the two.)
            && !index.flows_into(&local).iter().any(|&f| {
                let r = facts.flows[f as usize].range;
                r.start() >= c.range.end() && r.end() <= b.range.start()
            })
    };
    // A binding of the slot that holds wherever the cancel does.
    let rebinds_around = |c: &At, after: TextSize| {
        binds.iter().any(|b| {
            b.scope == c.scope
                && b.range.start() >= after
                && b.block_start <= c.range.start()
                && c.range.end() <= b.until
                && !facts.exclusive(c.range, b.range)
                && !b.keeps_old_value()
                && !stores_cancelled(c, b)
        })
    };
    let mut out = FxHashSet::default();
    for c in &lc.cancels {
        let taken = lc
            .taken
            .iter()
            .find(|(r, _)| *r == c.range)
            .map(|&(_, at)| at);
        let after_cancel = lc
            .clears
            .iter()
            .any(|x| x.scope == c.scope && x.range.start() > c.range.start())
            || rebinds_around(c, c.range.end());
        let cleared = after_cancel
            || taken.is_some_and(|at| {
                lc.clears
                    .iter()
                    .any(|x| x.scope == c.scope && x.range.start() <= at && at < x.range.end())
                    || rebinds_around(c, at)
            });
        if cleared {
            out.insert(c.range);
        }
    }
    out
}

/// An await of a call of an `async def` that returns the tasks
/// (`await self._take_workers()`): it awaits the coroutine, whose result is
/// the tasks, not the tasks themselves (decision 23 is for a plain function's
/// result: `await gather(*self._close())`).
fn awaits_the_coroutine(model: &Model, facts: &Facts, key: Key, ev: &super::facts::Event) -> bool {
    let Key::Site(site) = key else {
        return false;
    };
    matches!(ev.kind, EventKind::Awaited { .. })
        && facts.sites[site as usize]
            .callee
            .is_some_and(|c| model.scopes[c as usize].def.is_some_and(|d| d.is_async))
}

impl Lifecycle {
    /// Records a cancel, an await or an observing callback of a reference;
    /// whether the event was one of those.
    fn note_use(&mut self, ev: &super::facts::Event) -> bool {
        let at = At {
            scope: ev.scope,
            range: ev.range,
        };
        match &ev.kind {
            EventKind::Cancelled => self.cancels.push(at),
            EventKind::Awaited { protected } => self.awaits.push((at, *protected)),
            EventKind::Waited => self.polls.push(at),
            EventKind::DoneCallback { observing: true } => self.observing.push(at),
            _ => return false,
        }
        true
    }

    pub fn no_shutdown(&self) -> bool {
        self.cancels.is_empty() && self.awaits.is_empty() && self.polls.is_empty() && !self.escapes
    }

    /// The slot's own cancels (not those of tasks moved into another slot).
    pub fn own_cancels(&self) -> &[At] {
        self.cancels
            .get(..self.own_cancels)
            .unwrap_or(&self.cancels)
    }

    /// The awaits and the polls until done (which raise nothing: protected).
    pub fn waits(&self) -> Vec<(At, bool)> {
        let polls = self.polls.iter().map(|a| (*a, true));
        self.awaits.iter().copied().chain(polls).collect()
    }

    /// The awaits that can follow a cancel (§8.7): in the cancelling function
    /// after the cancel, or in another function that still sees the slot.
    /// `None` when no cancel is followed by an await.
    pub fn awaits_after_cancel(&self) -> Option<&[(At, bool)]> {
        // Asked for every task of the slot: computed once.
        self.after_cancel
            .get_or_init(|| self.compute_awaits_after_cancel())
            .as_deref()
    }

    fn compute_awaits_after_cancel(&self) -> Option<Vec<(At, bool)>> {
        let waits = self.waits();
        let mut same: Vec<(At, bool)> = Vec::new();
        let mut other_ok = false;
        let store_scopes: FxHashSet<ScopeId> = self.stores.iter().map(|s| s.scope).collect();
        let await_scopes: FxHashSet<ScopeId> = waits.iter().map(|(a, _)| a.scope).collect();
        let object_scopes: FxHashSet<ScopeId> =
            self.object_awaits.iter().map(|a| a.scope).collect();
        for c in &self.cancels {
            let after: Vec<_> = waits
                .iter()
                .filter(|(a, _)| {
                    (a.scope == c.scope
                        && a.range.start() > c.range.start()
                        && !self.exclusive.contains(&(c.range, a.range)))
                        || self.after_call.contains(&(c.range, a.range))
                })
                .copied()
                .collect();
            if !after.is_empty() {
                same.extend(after);
            } else {
                // Once the slot no longer holds the task, only an await
                // already under way sees it: the spawning function's, waiting
                // for the task it stored (decision 22) — when every function
                // that stores into the slot waits so, since the slot's tasks
                // are not told apart.
                let cleared = self.cleared.contains(&c.range);
                let consumed = self.consumed && !store_scopes.contains(&c.scope);
                let elsewhere = |scopes: &FxHashSet<ScopeId>| {
                    scopes.len() > 1 || scopes.iter().any(|&s| s != c.scope)
                };
                if elsewhere(&await_scopes) && (!cleared || consumed || elsewhere(&object_scopes)) {
                    other_ok = true;
                }
            }
        }
        if !same.is_empty() {
            Some(same)
        } else if other_ok {
            let cancel_scopes: FxHashSet<ScopeId> = self.cancels.iter().map(|c| c.scope).collect();
            Some(
                waits
                    .iter()
                    .filter(|(a, _)| !cancel_scopes.contains(&a.scope))
                    .copied()
                    .collect(),
            )
        } else {
            None
        }
    }

    pub fn cancel_not_awaited(&self) -> bool {
        !self.cancels.is_empty()
            && !self.escapes
            && !self.cancel_handed
            && self.awaits_after_cancel().is_none()
    }

    /// The unprotected awaits after a cancel, when none of them is protected.
    pub fn escaping_awaits(&self) -> Option<&[At]> {
        // Asked for every task of the slot: computed once.
        self.escaping
            .get_or_init(|| self.compute_escaping_awaits())
            .as_deref()
    }

    fn compute_escaping_awaits(&self) -> Option<Vec<At>> {
        if self.cancels.is_empty() || self.escapes {
            return None;
        }
        let polls: FxHashSet<(ScopeId, TextRange)> =
            self.polls.iter().map(|p| (p.scope, p.range)).collect();
        let cancel_scopes: FxHashSet<ScopeId> = self.cancels.iter().map(|c| c.scope).collect();
        let storing: FxHashSet<ScopeId> = self.storing.iter().copied().collect();
        let consumers: FxHashSet<ScopeId> = self.consumers.iter().copied().collect();
        // An await in a function that spawns into the slot (or that it
        // hands the task to and awaits) is its consumer waiting for the
        // result, not a stopper: its `CancelledError` is right.
        // A poll until done raises nothing and protects no await after it.
        let awaits: Vec<(At, bool)> = self
            .awaits_after_cancel()?
            .iter()
            .copied()
            .filter(|(a, _)| !polls.contains(&(a.scope, a.range)))
            .filter(|(a, _)| {
                cancel_scopes.contains(&a.scope)
                    || !(storing.contains(&a.scope) || consumers.contains(&a.scope))
            })
            .collect();
        if awaits.is_empty() || awaits.iter().any(|(_, protected)| *protected) {
            return None;
        }
        Some(awaits.into_iter().map(|(a, _)| a).collect())
    }

    pub fn unbounded(&self) -> bool {
        self.prunes.is_empty() && self.rebinds.is_empty() && !self.self_pruning && !self.escapes
    }

    /// Whether the slot is cancelled in `scope` before `pos` (a restart guard).
    pub fn cancelled_before(&self, scope: ScopeId, pos: TextRange) -> bool {
        self.own_cancels()
            .iter()
            .any(|c| c.scope == scope && c.range.start() < pos.start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{facts, model::Model};
    use crate::Settings;
    use ruff_python_ast::PySourceType;

    fn lifecycle_of(src: &str, attr: &str) -> Lifecycle {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let model = Model::build(parsed.syntax());
        let facts = facts::collect(&model, &Settings::default(), parsed.syntax());
        let index = Index::build(&facts);
        let attr = facts
            .flows
            .iter()
            .find_map(|f| match f.to {
                Key::Attr(fam, a) if a == attr => Some(Key::Attr(fam, a)),
                _ => None,
            })
            .expect("slot");
        compute(&model, &facts, &index, attr)
    }

    const HEAD: &str = "import asyncio, contextlib\nclass C:\n    def start(self):\n        self._t = asyncio.create_task(w())\n";

    #[test]
    fn await_before_cancel_does_not_count() {
        let lc = lifecycle_of(&format!("{HEAD}    async def stop(self):\n        await self._t\n        self._t.cancel()\n"), "_t");
        assert!(lc.cancel_not_awaited());
    }

    #[test]
    fn await_in_another_method_counts_unless_the_slot_is_cleared() {
        let kept = lifecycle_of(&format!("{HEAD}    def stop(self):\n        self._t.cancel()\n    async def wait(self):\n        await self._t\n"), "_t");
        assert!(!kept.cancel_not_awaited());
        let cleared = lifecycle_of(&format!("{HEAD}    def stop(self):\n        self._t.cancel()\n        self._t = None\n    async def wait(self):\n        await self._t\n"), "_t");
        assert!(cleared.cancel_not_awaited());
    }

    #[test]
    fn protection_forms() {
        let suppressed = lifecycle_of(&format!("{HEAD}    async def stop(self):\n        self._t.cancel()\n        with contextlib.suppress(asyncio.CancelledError):\n            await self._t\n"), "_t");
        assert!(suppressed.escaping_awaits().is_none());
        let gathered = lifecycle_of(&format!("{HEAD}    async def stop(self):\n        self._t.cancel()\n        await asyncio.gather(self._t, return_exceptions=True)\n"), "_t");
        assert!(gathered.escaping_awaits().is_none());
        let bare = lifecycle_of(&format!("{HEAD}    async def stop(self):\n        self._t.cancel()\n        await self._t\n"), "_t");
        assert_eq!(bare.escaping_awaits().map(|a| a.len()), Some(1));
    }
}
