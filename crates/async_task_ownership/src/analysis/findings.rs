//! The last stage: for every spawn site, its findings (§2–§4), its inventory
//! record (§5) and its diagnostics (§6).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::{FxHashMap, FxHashSet};

use super::body::{self, Body};
use super::facts::{self, Facts, Key, SiteId};
use super::lifecycle::{self, At, Lifecycle};
use super::model::{Model, ScopeId, MODULE_SCOPE};
use super::owners::{Index, RawOwner, Resolution};
use crate::inventory::{
    CancelledErrorHandling, ExceptionControl, Lifetime, Owner, Purpose, Scope, Shutdown, Site,
    TaskRecord,
};
use crate::messages::{self, MessageContext};
use crate::{Diagnostic, Kind, Report, Risk, SecondaryLocation, Settings, RULE_CODE, RULE_NAME};

pub(crate) struct Input<'m, 'a> {
    pub model: &'m Model<'a>,
    pub facts: &'m Facts<'a>,
    pub index: &'m Index<'a>,
    pub is_spawn: &'m [bool],
    pub source: &'m str,
    pub lines: &'m crate::lines::Lines<'m>,
    pub settings: &'m Settings,
    pub scope: Scope,
}

pub(crate) fn assemble(input: &Input) -> Report {
    let Input {
        model,
        facts,
        index,
        is_spawn,
        ..
    } = *input;
    let mut lifecycles: FxHashMap<Key, Lifecycle> = FxHashMap::default();
    let mut slot_sites: FxHashMap<Key, [std::sync::Arc<[Site]>; 4]> = FxHashMap::default();
    // A slot's `cancel-not-awaited` or `cancelled-error-escapes`, shared by
    // its tasks.
    // Per slot: the functions that cancel it, a few calls deep (decision 24).
    let mut cancelling_by_slot: FxHashMap<Key, FxHashSet<ScopeId>> = FxHashMap::default();
    let mut slot_stoppers: FxHashMap<Key, (Kind, Vec<SecondaryLocation>, String)> =
        FxHashMap::default();
    let mut bodies: FxHashMap<ScopeId, Body> = FxHashMap::default();

    let spawn_ids: Vec<SiteId> = (0..facts.sites.len() as SiteId)
        .filter(|&s| is_spawn[s as usize])
        .collect();
    let mut resolutions: FxHashMap<SiteId, Resolution> = spawn_ids
        .iter()
        .map(|&s| (s, super::owners::resolve(facts, index, s)))
        .collect();

    // A factory that stores the task on an owner passes that owner on (§1).
    // Also through factories that only return another storing factory's task.
    let mut factory_slot: FxHashMap<ScopeId, RawOwner> = FxHashMap::default();
    loop {
        let mut changed = false;
        for &s in &spawn_ids {
            let site = &facts.sites[s as usize];
            let Some(r) = resolutions.get(&s) else {
                continue;
            };
            let owner = match (&r.owner, site.callee) {
                (RawOwner::Slot { .. }, _) => Some(r.owner.clone()),
                (RawOwner::Transferred(_), Some(callee)) if site.api.is_none() => {
                    factory_slot.get(&callee).cloned()
                }
                _ => None,
            };
            if let Some(owner) = owner {
                if let std::collections::hash_map::Entry::Vacant(e) = factory_slot.entry(site.scope)
                {
                    e.insert(owner);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for &s in &spawn_ids {
        let site = &facts.sites[s as usize];
        let (Some(callee), None) = (site.callee, &site.api) else {
            continue;
        };
        if let (Some(r), Some(owner)) = (resolutions.get_mut(&s), factory_slot.get(&callee)) {
            match (&r.owner, owner) {
                (RawOwner::Discarded | RawOwner::LocalUnawaited(..), _) => r.owner = owner.clone(),
                // Stored by the factory and again by its caller: either
                // slot may be the one that stops it.
                // (A store in the factory's own body, not under a condition.)
                (
                    RawOwner::Slot { key, .. },
                    RawOwner::Slot {
                        key: other,
                        store_scope,
                        block_start,
                        ..
                    },
                ) if key != other
                    && model.scopes[*store_scope as usize]
                        .def
                        .and_then(|d| d.body.first())
                        .is_some_and(|first| first.start() == *block_start) =>
                {
                    r.other_slots.push(owner.clone());
                }
                _ => {}
            }
        }
    }
    // A task kept in two of the owner's slots is stopped if either is
    // stopped: judged by the other one when the first would leave it
    // running and the other does not (decision 45).
    for &s in &spawn_ids {
        let Some(r) = resolutions.get_mut(&s) else {
            continue;
        };
        let RawOwner::Slot { key, .. } = &r.owner else {
            continue;
        };
        if r.other_slots.is_empty() {
            continue;
        }
        // How far a slot leaves the task running: not at all, cancelled
        // but not awaited, never stopped.
        let running = |lc: &Lifecycle| {
            if lc.no_shutdown() {
                2
            } else {
                u8::from(lc.cancel_not_awaited())
            }
        };
        let first = lifecycles
            .entry(*key)
            .or_insert_with(|| lifecycle::compute(model, facts, index, *key));
        let first_running = running(first);
        if first_running == 0 {
            continue;
        }
        // The other slot that stops the task, or else one that at least
        // cancels it (the message then names the cancel that exists).
        let mut better: Option<(usize, u8)> = None;
        for (i, other) in r.other_slots.iter().enumerate() {
            let rank = match other {
                RawOwner::Slot { key, .. } => running(
                    lifecycles
                        .entry(*key)
                        .or_insert_with(|| lifecycle::compute(model, facts, index, *key)),
                ),
                // Also put into a collection of another object's: taken.
                RawOwner::Transferred(_) => 0,
                _ => continue,
            };
            if rank < first_running && better.is_none_or(|(_, b)| rank < b) {
                better = Some((i, rank));
            }
        }
        let better = better.map(|(i, _)| i);
        if let Some(i) = better {
            let first = std::mem::replace(&mut r.owner, r.other_slots.swap_remove(i));
            r.switched_from = Some(first);
        }
    }

    let mut report = Report::default();
    // Swallowing handler → the spawn sites whose body it is in.
    let mut swallowing: FxHashMap<TextRange, (ScopeId, Vec<TextRange>)> = FxHashMap::default();

    for &s in &spawn_ids {
        let site = &facts.sites[s as usize];
        let Some(res) = resolutions.get(&s) else {
            continue;
        };
        let mut findings: Vec<(Kind, Vec<SecondaryLocation>, String)> = Vec::new();
        // A body wrapped by a decorator that may handle its errors is read
        // for swallowed cancellation (no wrapper stops a loop inside it),
        // not for exception control.
        let (body_scope, wrapped) = match site
            .api
            .as_ref()
            .and(coroutine_function(model, facts, site.call, site.scope))
        {
            Some((b, wrapped)) => (Some(b), wrapped),
            None => (None, false),
        };
        if let Some(b) = body_scope {
            bodies
                .entry(b)
                .or_insert_with(|| body::analyze(facts, index, b));
        }
        // A call of a task factory of the module that returns the task of
        // its one spawn of a coroutine function of the module: that is the
        // task's body for exception control, and the factory's own
        // done-callbacks and awaits of it count (decision 56).
        let inner = match (&site.api, site.callee) {
            (None, Some(f)) => factory_spawn(facts, index, f),
            _ => None,
        };
        let (factory_body, factory_wrapped) = match inner {
            Some(i) => {
                let inner_site = &facts.sites[i as usize];
                match coroutine_function(model, facts, inner_site.call, inner_site.scope) {
                    Some((b, wrapped)) => (Some(b), wrapped),
                    None => (None, false),
                }
            }
            None => (None, false),
        };
        if let Some(b) = factory_body {
            bodies
                .entry(b)
                .or_insert_with(|| body::analyze(facts, index, b));
        }
        let body = body_scope.and_then(|b| bodies.get(&b));
        let factory_body = factory_body.and_then(|b| bodies.get(&b).map(|body| (b, body)));
        let inner_res = inner.and_then(|i| resolutions.get(&i));
        // A body that awaits the coroutine it is given (`async def
        // _guard(self, coro): await coro`) and handles no `Exception`
        // itself leaves that to the work it runs, which is not its own:
        // like a decorator's, unknown (decision 56).
        let leaves_to_given = |b: ScopeId, body: &body::Body| {
            body.broad_handlers.is_empty()
                && model.scopes[b as usize]
                    .def
                    .is_some_and(super::names::awaits_a_parameter)
        };
        let wrapped = wrapped
            || body_scope
                .zip(body)
                .is_some_and(|(b, x)| leaves_to_given(b, x));
        let factory_wrapped =
            factory_wrapped || factory_body.is_some_and(|(b, x)| leaves_to_given(b, x));

        let mut slot_text = String::new();
        let mut owner_words = String::new();
        let mut lifetime = Lifetime::Unknown;
        let mut shutdown = Shutdown::default();
        let mut awaited = !res.awaits.is_empty() || inner_res.is_some_and(|r| !r.awaits.is_empty());
        let mut observing: Vec<TextRange> = res.observing.clone();
        if let Some(r) = inner_res {
            observing.extend(r.observing.iter().copied());
        }
        let mut escapes = false;
        let owner = match &res.owner {
            RawOwner::Discarded => {
                findings.push((Kind::Dangling, Vec::new(), String::new()));
                Owner::Discarded
            }
            RawOwner::Inline => {
                lifetime = Lifetime::Statement;
                shutdown.returns_early = facts
                    .early_waits
                    .iter()
                    .any(|w| w.contains_range(site.call.range()));
                Owner::Inline
            }
            RawOwner::LocalAwaited(name, scope) => {
                lifetime = Lifetime::Function {
                    name: model.qualname(*scope),
                };
                shutdown.awaited_at =
                    sites_of(input, res.awaits.iter().map(|&(s, r, _)| (s, r))).into();
                shutdown.cancelled_at = sites_of(input, res.cancels.iter().copied()).into();
                shutdown.cancelled_error = local_cancelled_error(facts, res);
                Owner::Local {
                    name: (*name).to_string(),
                    function: model.qualname(*scope),
                }
            }
            RawOwner::LocalUnawaited(name, scope) => {
                findings.push((
                    Kind::UnawaitedLocal,
                    Vec::new(),
                    format!("{name}@{}", model.scopes[*scope as usize].short_name()),
                ));
                shutdown.cancelled_at = sites_of(input, res.cancels.iter().copied()).into();
                lifetime = Lifetime::Function {
                    name: model.qualname(*scope),
                };
                Owner::Local {
                    name: (*name).to_string(),
                    function: model.qualname(*scope),
                }
            }
            RawOwner::Transferred(to) => Owner::Transferred { to: to.clone() },
            RawOwner::Slot {
                key,
                collection,
                store,
                store_scope,
                guarded,
                ..
            } => {
                let lc = lifecycles
                    .entry(*key)
                    .or_insert_with(|| lifecycle::compute(model, facts, index, *key));
                let class_name = model.scopes[*store_scope as usize]
                    .class
                    .map(|c| model.classes[c as usize].name.to_string());
                let (owner, slot) = match (key, &class_name) {
                    (Key::Attr(_, attr), Some(class)) => {
                        lifetime = Lifetime::Object {
                            class: class.clone(),
                        };
                        owner_words = format!("class `{class}`");
                        let slot = format!("self.{attr}");
                        if *collection {
                            (
                                Owner::Collection {
                                    holder: format!("class `{class}`"),
                                    name: slot.clone(),
                                },
                                slot,
                            )
                        } else {
                            (
                                Owner::Attribute {
                                    class: class.clone(),
                                    attr: (*attr).to_string(),
                                },
                                slot,
                            )
                        }
                    }
                    (Key::Module(name), _) | (Key::Attr(_, name), None) => {
                        lifetime = Lifetime::Module;
                        owner_words = "the module".to_string();
                        if *collection {
                            (
                                Owner::Collection {
                                    holder: "the module".to_string(),
                                    name: (*name).to_string(),
                                },
                                (*name).to_string(),
                            )
                        } else {
                            (
                                Owner::Module {
                                    name: (*name).to_string(),
                                },
                                (*name).to_string(),
                            )
                        }
                    }
                    _ => (
                        Owner::Transferred {
                            to: messages::transfer::NOT_FOLLOWED.to_string(),
                        },
                        String::new(),
                    ),
                };
                slot_text = slot;
                // Once per slot, shared by its tasks (a slot that thousands
                // of sites store into has thousands of clears).
                let lists = slot_sites.entry(*key).or_insert_with(|| {
                    let place = |a: &At| (a.scope, a.range);
                    [
                        sites_of(input, lc.cancels.iter().map(place)).into(),
                        sites_of(input, lc.awaits.iter().map(|(a, _)| place(a))).into(),
                        sites_of(input, lc.clears.iter().map(place)).into(),
                        sites_of(input, lc.handed.iter().map(place)).into(),
                    ]
                });
                shutdown.cancelled_at = lists[0].clone();
                shutdown.awaited_at = lists[1].clone();
                shutdown.cleared_at = lists[2].clone();
                shutdown.handed_on_at = lists[3].clone();
                awaited |= !lc.awaits.is_empty();
                observing.extend(lc.observing.iter().map(|a| a.range));
                escapes = lc.escapes;

                if lc.no_shutdown() {
                    findings.push((Kind::NoShutdown, Vec::new(), String::new()));
                }
                // The stopping functions named, once per slot.
                let stoppers = |kind: Kind, ats: &[At]| {
                    let label = if kind == Kind::CancelNotAwaited {
                        messages::LABEL_CANCELLED
                    } else {
                        messages::LABEL_AWAITED_UNHANDLED
                    };
                    (
                        kind,
                        secondaries(ats.iter().map(|a| a.range), label),
                        function_list(model, ats.iter().map(|a| a.scope)),
                    )
                };
                if lc.cancel_not_awaited() {
                    let finding = slot_stoppers
                        .entry(*key)
                        .or_insert_with(|| stoppers(Kind::CancelNotAwaited, &lc.cancels));
                    findings.push(finding.clone());
                    shutdown.cancelled_error = CancelledErrorHandling::NotApplicable;
                } else if lc.escaping_awaits().is_some() {
                    let finding = slot_stoppers.entry(*key).or_insert_with(|| {
                        let awaits = lc.escaping_awaits().unwrap_or_default();
                        stoppers(Kind::CancelledErrorEscapes, awaits)
                    });
                    findings.push(finding.clone());
                    shutdown.cancelled_error = CancelledErrorHandling::Escapes;
                } else if lc
                    .awaits_after_cancel()
                    .is_some_and(|after| after.iter().any(|&(_, protected)| protected))
                {
                    // A protected await follows a cancel (an unprotected one
                    // would have escaped; one by the spawning function, its
                    // consumer, handles nothing for the cancelling one).
                    shutdown.cancelled_error = CancelledErrorHandling::Suppressed;
                }
                // The initialiser, or a function defined inside it (a
                // closure `__init__` schedules: tornado's selector thread).
                let is_init =
                    std::iter::successors(Some(*store_scope), |&s| model.scopes[s as usize].parent)
                        .any(|s| {
                            model.scopes[s as usize].def.is_some_and(|d| {
                                matches!(d.name.as_str(), "__init__" | "__post_init__")
                            })
                        });
                if !*collection
                    && matches!(key, Key::Attr(..))
                    && !is_init
                    && *store_scope != MODULE_SCOPE
                    && !*guarded
                    && !lc.cancelled_before(*store_scope, *store)
                    && !cancelled_by_call_before(
                        model,
                        facts,
                        index,
                        lc,
                        cancelling_by_slot.entry(*key).or_default(),
                        *store_scope,
                        *store,
                    )
                {
                    let sec = if line_of(input, *store) == line_of(input, site.call.range()) {
                        Vec::new()
                    } else {
                        vec![secondary(*store, messages::LABEL_STORED)]
                    };
                    findings.push((
                        Kind::UnguardedRestart,
                        sec,
                        model.scopes[*store_scope as usize].short_name().to_string(),
                    ));
                }
                // A store under a constant key replaces the task the key
                // held: the mapping does not grow through it.
                if *collection && lc.unbounded() && !facts.const_key_stores.contains(store) {
                    let sec = if line_of(input, *store) == line_of(input, site.call.range()) {
                        Vec::new()
                    } else {
                        vec![secondary(*store, messages::LABEL_ADDED)]
                    };
                    findings.push((Kind::UnboundedCollection, sec, String::new()));
                }
                // The other slots the task is kept in (decision 45: the
                // first one, when the task is judged by another, and the
                // ones after it) still grow if nothing prunes them.
                for other in res.switched_from.iter().chain(&res.other_slots) {
                    let RawOwner::Slot {
                        key: other_key,
                        collection: true,
                        store: other_store,
                        ..
                    } = other
                    else {
                        continue;
                    };
                    if findings
                        .iter()
                        .any(|(k, _, _)| *k == Kind::UnboundedCollection)
                    {
                        break;
                    }
                    // Only the owner's slots and the module's (a local
                    // collection is the function's business).
                    let name = match other_key {
                        Key::Attr(_, attr) => format!("self.{attr}"),
                        Key::Module(name) => (*name).to_string(),
                        _ => continue,
                    };
                    let grows = lifecycles
                        .entry(*other_key)
                        .or_insert_with(|| lifecycle::compute(model, facts, index, *other_key))
                        .unbounded();
                    if grows && !facts.const_key_stores.contains(other_store) {
                        let sec =
                            if line_of(input, *other_store) == line_of(input, site.call.range()) {
                                Vec::new()
                            } else {
                                vec![secondary(*other_store, messages::LABEL_ADDED)]
                            };
                        findings.push((Kind::UnboundedCollection, sec, name));
                    }
                }
                owner
            }
        };

        if let (Some(b), Some(body)) = (body_scope, body) {
            for h in &body.swallowing {
                swallowing
                    .entry(*h)
                    .or_insert_with(|| (b, Vec::new()))
                    .1
                    .push(site.call.range());
            }
            if !body.swallowing.is_empty() {
                findings.push((Kind::SwallowsCancellation, Vec::new(), String::new()));
            }
        }
        // The body judged for exception control: the coroutine's, or the
        // one a factory's spawn runs (decision 56).
        let judged = body
            .map(|b| (b, wrapped))
            .or(factory_body.map(|(_, b)| (b, factory_wrapped)));
        if let Some((body, wrapped)) = judged {
            if matches!(res.owner, RawOwner::Slot { .. })
                && !awaited
                && observing.is_empty()
                && !escapes
                && !wrapped
                && body.broad_handlers.is_empty()
            {
                findings.push((Kind::SilentFailure, Vec::new(), String::new()));
            }
        }
        findings.sort_by_key(|(k, _, _)| *k);

        let task_text = short_text(input.source, site.call.range());
        let coroutine = body_scope
            .or(factory_body.map(|(b, _)| b))
            .map_or("", |b| model.scopes[b as usize].short_name());
        let function = model.scopes[site.scope as usize].short_name();
        let spawned_in = model.qualname(site.scope);
        for (kind, sec, extra) in &findings {
            if *kind == Kind::SwallowsCancellation || !input.settings.is_enabled(*kind) {
                continue;
            }
            let (others, local, function) = match kind {
                // `extra` is `name@function`: the local may be an enclosing
                // function's (a `nonlocal`, a closure's container).
                Kind::UnawaitedLocal => {
                    let (name, owner_fn) =
                        extra.split_once('@').unwrap_or((extra.as_str(), function));
                    (String::new(), name, owner_fn)
                }
                Kind::UnguardedRestart => (String::new(), "", extra.as_str()),
                _ => (extra.clone(), "", function),
            };
            // The first slot's growth, named by its own slot (decision 45).
            let first_slot = *kind == Kind::UnboundedCollection && !extra.is_empty();
            // The collection the message is about: the owner's, or the
            // other slot named.
            let owner_collection = match res.owner {
                RawOwner::Slot {
                    key,
                    collection: true,
                    ..
                } => Some(key),
                _ => None,
            };
            let judged = if first_slot {
                res.switched_from
                    .iter()
                    .chain(&res.other_slots)
                    .find_map(|o| match o {
                        RawOwner::Slot {
                            key: key @ Key::Attr(_, attr),
                            collection: true,
                            ..
                        } if extra.strip_prefix("self.") == Some(*attr) => Some(*key),
                        RawOwner::Slot {
                            key: key @ Key::Module(name),
                            collection: true,
                            ..
                        } if extra == name => Some(*key),
                        _ => None,
                    })
                    .or(owner_collection)
            } else {
                owner_collection
            };
            let ctx = MessageContext {
                task: &task_text,
                slot: if first_slot { extra } else { &slot_text },
                owner: if matches!(judged, Some(Key::Module(_))) {
                    "the module"
                } else {
                    &owner_words
                },
                function,
                others: &others,
                local,
                coroutine,
                task_group: input.settings.target_version.has_task_group(),
                collection: matches!(
                    res.owner,
                    RawOwner::Slot {
                        collection: true,
                        ..
                    }
                ),
                mapping: judged.is_some_and(|key| is_mapping(facts, index, key)),
                nested: judged.is_some_and(|key| {
                    index
                        .flows_into(&key)
                        .iter()
                        .any(|&f| facts.nested_adds.contains(&facts.flows[f as usize].range))
                }),
                nested_mapping: judged.is_some_and(|key| {
                    index.flows_into(&key).iter().any(|&f| {
                        facts
                            .nested_mapping_adds
                            .contains(&facts.flows[f as usize].range)
                    })
                }),
            };
            report.diagnostics.push(Diagnostic {
                code: RULE_CODE,
                name: RULE_NAME,
                kind: *kind,
                message: messages::message(*kind, &ctx),
                help: messages::help(*kind, &ctx),
                range: site.call.range(),
                secondary: sec.clone(),
            });
        }

        let kinds: Vec<Kind> = findings.iter().map(|(k, _, _)| *k).collect();
        let exc_body = judged;
        let risk = kinds.iter().map(|k| k.risk()).max().unwrap_or(Risk::None);
        let (line, column) = line_col(input, site.call.range());
        report.inventory.push(TaskRecord {
            range: site.call.range(),
            line,
            column,
            api: match (&site.api, site.callee) {
                (Some(api), _) => api.describe(),
                (None, Some(callee)) => format!("task factory `{}()`", model.qualname(callee)),
                (None, None) => "unknown".to_string(),
            },
            spawned_in,
            purpose: purpose(input, site.call, site.scope, body_scope),
            owner,
            lifetime,
            shutdown,
            exception_control: ExceptionControl {
                awaited,
                observing_callbacks: {
                    let mut v: Vec<u32> = observing.iter().map(|r| line_of(input, *r)).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                },
                body_handlers: exc_body.filter(|&(_, w)| !w).map(|(b, _)| {
                    let mut v: Vec<u32> = b
                        .broad_handlers
                        .iter()
                        .map(|r| line_of(input, *r))
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }),
                body_handles_cancel: exc_body.is_some_and(|(b, w)| !w && b.broad_catches_cancel),
            },
            scope: input.scope,
            findings: kinds,
            risk,
        });
    }

    if input.settings.is_enabled(Kind::SwallowsCancellation) {
        for (handler, (body_scope, spawns)) in swallowing {
            let coroutine = model.scopes[body_scope as usize].short_name();
            let ctx = MessageContext {
                task: "",
                slot: "",
                owner: "",
                function: "",
                others: "",
                local: "",
                coroutine,
                task_group: false,
                collection: false,
                mapping: false,
                nested: false,
                nested_mapping: false,
            };
            let mut spawns = spawns;
            spawns.sort_by_key(|r| r.start());
            report.diagnostics.push(Diagnostic {
                code: RULE_CODE,
                name: RULE_NAME,
                kind: Kind::SwallowsCancellation,
                message: messages::message(Kind::SwallowsCancellation, &ctx),
                help: messages::help(Kind::SwallowsCancellation, &ctx),
                range: handler_head(input.source, handler),
                secondary: secondaries(spawns.into_iter(), messages::LABEL_SPAWNED),
            });
        }
    }

    report.diagnostics.retain(|d| {
        let r = input.lines.line_range(d.range.start());
        let text = input
            .source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("");
        !crate::noqa::suppresses(text, d.kind)
    });
    report
        .diagnostics
        .sort_by_key(|d| (d.range.start(), d.kind));
    report.inventory.sort_by_key(|r| r.range.start());
    report
}

/// Whether `scope` calls, before `pos`, a method of the class that cancels
/// the slot (`self._cancel_task()` then `self._task = ...`), or one that
/// calls such a method, a few calls deep: a restart guard. `cancelling`
/// keeps the slot's cancelling functions between the slot's stores
/// (empty: not yet found).
fn cancelled_by_call_before(
    model: &Model,
    facts: &Facts,
    index: &Index,
    lc: &Lifecycle,
    cancelling: &mut FxHashSet<ScopeId>,
    scope: ScopeId,
    pos: TextRange,
) -> bool {
    let cancels = lc.own_cancels();
    if cancels.is_empty() {
        return false;
    }
    // A call that runs the callee: of a coroutine function, awaited
    // (`create_task(self._listen())` runs nothing yet); and not only on
    // failure, in an `except` clause (`except OSError: await
    // self.disconnect()`) — unless the store is in it too.
    let runs = |site: &facts::Site, callee: ScopeId, store: Option<TextRange>| {
        (model.scopes[callee as usize]
            .def
            .is_none_or(|d| !d.is_async)
            || facts.awaited_calls.contains(&site.call.range()))
            && !facts.handlers.iter().any(|h| {
                h.scope == site.scope
                    && h.range.contains_range(site.call.range())
                    && !store.is_some_and(|s| h.range.contains_range(s))
            })
    };
    let calls_before = |cancelling: &dyn Fn(ScopeId) -> bool| {
        index.scope_sites(scope).iter().any(|&s| {
            let site = &facts.sites[s as usize];
            site.call.range().start() < pos.start()
                && site.callee.is_some_and(|callee| {
                    callee != scope && cancelling(callee) && runs(site, callee, Some(pos))
                })
        })
    };
    if calls_before(&|callee| cancels.iter().any(|c| c.scope == callee)) {
        return true;
    }
    // A method that calls one that cancels (`close()` calling
    // `_stop_connection()`), a few calls deep: found once per slot.
    // Followed back through the callers' index, so that a module of many
    // slots does not read every call once per slot.
    if cancelling.is_empty() {
        let mut frontier: Vec<ScopeId> = Vec::new();
        for c in cancels {
            if cancelling.insert(c.scope) {
                frontier.push(c.scope);
            }
        }
        for _ in 0..4 {
            let mut next = Vec::new();
            for &f in &frontier {
                for &s in index.callers(f) {
                    let site = &facts.sites[s as usize];
                    if runs(site, f, None) && cancelling.insert(site.scope) {
                        next.push(site.scope);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
    }
    calls_before(&|callee| cancelling.contains(&callee))
}

/// The coroutine argument of a spawn call (`create_task(coro, ...)`).
pub(crate) fn coroutine_arg(call: &ast::ExprCall) -> Option<&Expr> {
    call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "coro"))
            .map(|k| &k.value)
    })
}

/// The call that makes a coroutine argument: the argument itself, or the
/// one value of a local assigned once in the function's body before the
/// spawn (`wrapped = self._run_event(coro); create_task(wrapped)`).
fn coroutine_call<'e>(
    model: &Model<'e>,
    coro: &'e Expr,
    scope: ScopeId,
    spawn: TextRange,
) -> Option<&'e ast::ExprCall> {
    match coro {
        Expr::Call(inner) => Some(inner),
        Expr::Name(n) => {
            let name = n.id.as_str();
            let body = &model.scopes[scope as usize].def?.body;
            if !bound_once(body, name) {
                return None;
            }
            let value = body.iter().find_map(|stmt| match stmt {
                Stmt::Assign(a)
                    if a.range.end() <= spawn.start()
                        && matches!(a.targets.as_slice(), [Expr::Name(t)] if t.id.as_str() == name) =>
                {
                    Some(&*a.value)
                }
                _ => None,
            });
            match value? {
                Expr::Call(inner) => Some(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether a function's body binds `name` exactly once (in any block, by
/// any statement that binds a name), and no nested function rebinds it
/// through `nonlocal`. A `match` statement or a `global` of the name answers
/// no. Walrus targets are not counted. A function of more than a thousand
/// statements answers no (a spawn per statement would read it each time).
fn bound_once(body: &[Stmt], name: &str) -> bool {
    bindings(body, name) == Some(1)
}

/// How many times an assignment target binds `name` (itself, or inside a
/// tuple, list or starred target; not an attribute or an item).
pub(crate) fn in_target(target: &Expr, name: &str) -> u32 {
    let mut count = 0;
    let mut stack = vec![target];
    while let Some(t) = stack.pop() {
        match t {
            Expr::Name(n) if n.id.as_str() == name => count += 1,
            Expr::Tuple(t) => stack.extend(t.elts.iter()),
            Expr::List(t) => stack.extend(t.elts.iter()),
            Expr::Starred(s) => stack.push(&s.value),
            _ => {}
        }
    }
    count
}

/// How many statements of a function's body bind `name` (see
/// [`bound_once`]); `None` when it cannot tell (`global`, `nonlocal`,
/// `match`, a body of more than a thousand statements).
pub(crate) fn bindings(body: &[Stmt], name: &str) -> Option<u32> {
    // Blocks to read, with whether they are the function's own (or a
    // nested function's, where only `nonlocal` matters).
    let mut blocks: Vec<(&[Stmt], bool)> = vec![(body, true)];
    let mut count = 0u32;
    let mut budget = 1000u32;
    while let Some((block, own)) = blocks.pop() {
        for stmt in block {
            budget = budget.checked_sub(1)?;
            let mut binds = 0;
            match stmt {
                Stmt::Assign(a) => binds = a.targets.iter().map(|t| in_target(t, name)).sum(),
                Stmt::AnnAssign(a) => binds = in_target(&a.target, name),
                Stmt::AugAssign(a) => binds = in_target(&a.target, name),
                Stmt::Delete(d) => binds = d.targets.iter().map(|t| in_target(t, name)).sum(),
                Stmt::For(f) => {
                    binds = in_target(&f.target, name);
                    blocks.push((&f.body, own));
                    blocks.push((&f.orelse, own));
                }
                Stmt::While(w) => {
                    blocks.push((&w.body, own));
                    blocks.push((&w.orelse, own));
                }
                Stmt::If(i) => {
                    blocks.push((&i.body, own));
                    for c in &i.elif_else_clauses {
                        blocks.push((&c.body, own));
                    }
                }
                Stmt::With(w) => {
                    binds = w
                        .items
                        .iter()
                        .filter_map(|i| i.optional_vars.as_deref())
                        .map(|t| in_target(t, name))
                        .sum();
                    blocks.push((&w.body, own));
                }
                Stmt::Try(t) => {
                    blocks.push((&t.body, own));
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        if h.name.as_ref().is_some_and(|n| n.as_str() == name) {
                            binds += 1;
                        }
                        blocks.push((&h.body, own));
                    }
                    blocks.push((&t.orelse, own));
                    blocks.push((&t.finalbody, own));
                }
                Stmt::FunctionDef(f) => {
                    binds = u32::from(f.name.as_str() == name);
                    blocks.push((&f.body, false));
                }
                Stmt::ClassDef(c) => binds = u32::from(c.name.as_str() == name),
                Stmt::Import(i) => {
                    binds = i
                        .names
                        .iter()
                        .filter(|a| super::names::import_binds(a, name, true))
                        .count() as u32;
                }
                Stmt::ImportFrom(i) => {
                    binds = i
                        .names
                        .iter()
                        .filter(|a| super::names::import_binds(a, name, false))
                        .count() as u32;
                }
                Stmt::Global(g) if g.names.iter().any(|n| n.as_str() == name) => return None,
                Stmt::Nonlocal(n) if n.names.iter().any(|n| n.as_str() == name) => return None,
                Stmt::Match(_) => return None,
                _ => {}
            }
            if own {
                count += binds;
            }
        }
    }
    Some(count)
}

/// Whether a collection slot is bound to a mapping (`{}`, `dict()`,
/// `defaultdict(…)`) whose tasks are its values, not its keys.
fn is_mapping(facts: &Facts, index: &Index, key: Key) -> bool {
    // A task (a spawn, or a local that holds one) put in as a key, here or
    // into a local dict stored here (`d = {task: conn}; self._d = d`).
    let keyed = |key: &Key| {
        index.flows_into(key).iter().any(|&f| {
            let flow = &facts.flows[f as usize];
            facts.key_adds.contains(&flow.range)
                && super::owners::holds_spawned(facts, index, &flow.from)
        })
    };
    let as_keys = keyed(&key)
        || index.flows_into(&key).iter().any(|&f| {
            let from = facts.flows[f as usize].from;
            matches!(from, Key::Local(..)) && keyed(&from)
        });
    !as_keys
        && index
            .binds(&key)
            .iter()
            .any(|&b| match facts.binds[b as usize].value {
                Expr::Dict(_) | Expr::DictComp(_) => true,
                Expr::Call(c) => matches!(
                    crate::analysis::names::last_identifier(&c.func),
                    Some("dict" | "defaultdict" | "OrderedDict" | "WeakValueDictionary")
                ),
                _ => false,
            })
}

/// The task's coroutine function, and whether a decorator may wrap its
/// body's errors.
/// The one spawn of task factory `f` whose task `f` returns, when it is a
/// spawn form (not a call of another factory) and the only such spawn.
fn factory_spawn(facts: &Facts, index: &Index, f: ScopeId) -> Option<SiteId> {
    let mut found = None;
    for &s in index.scope_sites(f) {
        if facts.sites[s as usize].api.is_some() && super::owners::returns_site(facts, index, s) {
            if found.is_some() {
                return None;
            }
            found = Some(s);
        }
    }
    found
}

fn coroutine_function(
    model: &Model,
    facts: &Facts,
    call: &ast::ExprCall,
    scope: ScopeId,
) -> Option<(ScopeId, bool)> {
    let inner = coroutine_call(model, coroutine_arg(call)?, scope, call.range())?;
    let f = model.resolve_callee(&inner.func, scope)?;
    let d = model.scopes[f as usize].def.filter(|d| d.is_async)?;
    let wrapped = !d
        .decorator_list
        .iter()
        .all(|d| is_transparent_decorator(model, facts, d, scope));
    Some((f, wrapped))
}

/// A decorator that leaves the function's body as the task's body: a
/// marker (`@staticmethod`), or a function of the module with no handler
/// for `Exception` in it (a wrapper that takes a lock). Any other may wrap
/// the body (`@log_exceptions` logs what it raises), so the body's handlers
/// are not the task's.
fn is_transparent_decorator(
    model: &Model,
    facts: &Facts,
    d: &ast::Decorator,
    scope: ScopeId,
) -> bool {
    let func = match &d.expression {
        Expr::Call(c) => &*c.func,
        e => e,
    };
    if matches!(
        crate::analysis::names::last_identifier(func),
        Some("staticmethod" | "classmethod" | "override" | "final" | "abstractmethod" | "wraps")
    ) {
        return true;
    }
    let Some(wrapper) = model.resolve_callee(func, scope) else {
        return false;
    };
    !facts.handlers.iter().any(|h| {
        h.broad
            && std::iter::successors(Some(h.scope), |&s| model.scopes[s as usize].parent)
                .any(|s| s == wrapper)
    })
}

fn purpose(input: &Input, call: &ast::ExprCall, scope: ScopeId, body: Option<ScopeId>) -> Purpose {
    // A call of a factory of the module runs its coroutine argument when it
    // has one (`spawn(job())`: `job`), else what the factory itself spawns
    // (`self._schedule_event(coro, name)`: named by the factory).
    let factory = facts_callee(input, call, scope);
    let arg = coroutine_arg(call);
    // A call of a plain function of the module is no coroutine (a
    // factory's first argument may be a key: `self._spawn(self._next_id())`).
    let arg_call = arg
        .and_then(|c| coroutine_call(input.model, c, scope, call.range()))
        .filter(|inner| {
            input
                .model
                .resolve_callee(&inner.func, scope)
                .and_then(|f| input.model.scopes[f as usize].def)
                .is_none_or(|d| d.is_async)
        });
    let named = |e: &Expr| Some(short_text(input.source, e.range()));
    let (coroutine, def) = match (body, factory, arg_call) {
        (None, Some(_), Some(inner)) => (
            named(&inner.func),
            input.model.resolve_callee(&inner.func, scope),
        ),
        (None, Some(f), None) => (named(&call.func), Some(f)),
        _ => (
            match (arg_call, arg) {
                (Some(inner), _) => named(&inner.func),
                (None, Some(a)) => named(a),
                (None, None) => named(&call.func),
            },
            // A body not read as the task's (a decorated coroutine) is
            // still named where it is defined.
            body.or_else(|| {
                arg_call.and_then(|inner| input.model.resolve_callee(&inner.func, scope))
            }),
        ),
    };
    let def = def.and_then(|b| input.model.scopes[b as usize].def);
    let doc = def.and_then(|d| match d.body.first() {
        Some(Stmt::Expr(e)) => match &*e.value {
            Expr::StringLiteral(s) => s
                .value
                .to_str()
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_string),
            _ => None,
        },
        _ => None,
    });
    Purpose {
        coroutine,
        doc,
        // The `def` line, not its first decorator's.
        defined_at: def.map(|d| line_of(input, d.name.range())),
    }
}

fn facts_callee(input: &Input, call: &ast::ExprCall, scope: ScopeId) -> Option<ScopeId> {
    input.model.resolve_callee(&call.func, scope)
}

fn secondary(range: TextRange, label: &str) -> SecondaryLocation {
    SecondaryLocation {
        range,
        label: label.to_string(),
    }
}

/// The functions, each once, in order: the first
/// [`messages::MAX_LISTED`] by name and a count of the rest (a slot
/// thousands of functions cancel made each message list them all).
fn function_list(model: &Model, scopes: impl Iterator<Item = ScopeId>) -> String {
    // Each function once, by name (two functions of one name, once), in
    // the order first met.
    let mut seen: FxHashSet<ScopeId> = FxHashSet::default();
    let mut named: FxHashSet<&str> = FxHashSet::default();
    let mut names: Vec<String> = Vec::new();
    let mut more = 0usize;
    for s in scopes {
        if !seen.insert(s) {
            continue;
        }
        let name = model.scopes[s as usize].short_name();
        if !named.insert(name) {
            continue;
        }
        if names.len() < messages::MAX_LISTED {
            names.push(format!("`{name}()`"));
        } else {
            more += 1;
        }
    }
    messages::listed(&names, more)
}

/// The first [`messages::MAX_LISTED`] locations, labelled.
fn secondaries(ranges: impl Iterator<Item = TextRange>, label: &str) -> Vec<SecondaryLocation> {
    ranges
        .take(messages::MAX_LISTED)
        .map(|r| secondary(r, label))
        .collect()
}

fn line_of(input: &Input, range: TextRange) -> u32 {
    input.lines.line_index(range.start()).get() as u32
}

fn line_col(input: &Input, range: TextRange) -> (u32, u32) {
    let lc = input.lines.line_column(range.start());
    (lc.line.get() as u32, lc.column.get() as u32)
}

/// How a local task's `CancelledError` is met where the function awaits it
/// after cancelling it (no finding: §3 is for owners that outlive a call).
fn local_cancelled_error(facts: &Facts, res: &Resolution) -> CancelledErrorHandling {
    let after_cancel: Vec<bool> = res
        .awaits
        .iter()
        .filter(|(scope, at, _)| {
            res.cancels
                .iter()
                .any(|(s, c)| s == scope && c.start() < at.start() && !facts.exclusive(*c, *at))
        })
        .map(|&(_, _, protected)| protected)
        .collect();
    if after_cancel.is_empty() {
        CancelledErrorHandling::NotApplicable
    } else if after_cancel.iter().any(|&p| p) {
        CancelledErrorHandling::Suppressed
    } else {
        CancelledErrorHandling::Escapes
    }
}

/// The sites of some places, each line of a function once (two events on
/// one line, such as a prune seen both as a done-callback and as a call in
/// it, are one line of the report).
fn sites_of(input: &Input, places: impl Iterator<Item = (ScopeId, TextRange)>) -> Vec<Site> {
    let mut seen: rustc_hash::FxHashSet<(ScopeId, u32)> = rustc_hash::FxHashSet::default();
    places
        .filter_map(|(scope, range)| {
            let line = line_of(input, range);
            seen.insert((scope, line)).then(|| Site {
                line,
                function: input.model.qualname(scope),
            })
        })
        .collect()
}

/// The source of a range, on one line and at most 60 characters.
fn short_text(source: &str, range: TextRange) -> String {
    let text = source
        .get(range.start().to_usize()..range.end().to_usize())
        .unwrap_or("");
    let first = text.lines().next().unwrap_or("");
    let multi = text.contains('\n');
    if first.chars().count() > 60 {
        let cut: String = first.chars().take(57).collect();
        format!("{cut}...")
    } else if multi {
        format!("{first}...")
    } else {
        first.to_string()
    }
}

/// The first line of a handler (`except asyncio.CancelledError:`), so the
/// diagnostic does not span the whole handler body.
fn handler_head(source: &str, range: TextRange) -> TextRange {
    let text = source
        .get(range.start().to_usize()..range.end().to_usize())
        .unwrap_or("");
    let len = text.find('\n').unwrap_or(text.len());
    let head = text[..len].trim_end();
    TextRange::at(
        range.start(),
        ruff_text_size::TextSize::try_from(head.len()).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use crate::inventory::{CancelledErrorHandling, Site, TaskRecord};
    use crate::{check_source, Settings};

    fn records(source: &str) -> Vec<TaskRecord> {
        let report = check_source(source, "m.py", &Settings::default());
        assert!(report.syntax_errors.is_empty());
        report.report.inventory
    }

    fn site(line: u32, function: &str) -> Site {
        Site {
            line,
            function: function.to_string(),
        }
    }

    #[test]
    fn a_line_is_listed_once_however_many_events_it_holds() {
        // The lambda prunes the dict both as a done-callback and as a call.
        let src = "import asyncio\nclass Hub:\n    def __init__(self):\n        self._jobs = {}\n    def start(self, key):\n        task = asyncio.create_task(work(key))\n        self._jobs[key] = task\n        task.add_done_callback(lambda _t: self._jobs.pop(key, None))\n";
        let r = &records(src)[0];
        assert_eq!(*r.shutdown.cleared_at, [site(8, "Hub.start")]);
    }

    #[test]
    fn a_local_tasks_cancel_is_listed_with_how_its_await_meets_it() {
        let suppressed = "import asyncio, contextlib\nasync def run(coro):\n    task = asyncio.create_task(coro)\n    await asyncio.sleep(0)\n    task.cancel()\n    with contextlib.suppress(asyncio.CancelledError):\n        await task\n";
        let r = &records(suppressed)[0];
        assert_eq!(*r.shutdown.cancelled_at, [site(5, "run")]);
        assert_eq!(*r.shutdown.awaited_at, [site(7, "run")]);
        assert_eq!(
            r.shutdown.cancelled_error,
            CancelledErrorHandling::Suppressed
        );
        let bare = suppressed.replace(
            "    with contextlib.suppress(asyncio.CancelledError):\n        await task\n",
            "    await task\n",
        );
        let r = &records(&bare)[0];
        assert_eq!(r.shutdown.cancelled_error, CancelledErrorHandling::Escapes);
        // Awaited before the cancel only: nothing meets the cancel.
        let before = "import asyncio\nasync def run(coro):\n    task = asyncio.create_task(coro)\n    await task\n    task.cancel()\n";
        let r = &records(before)[0];
        assert_eq!(*r.shutdown.cancelled_at, [site(5, "run")]);
        assert_eq!(
            r.shutdown.cancelled_error,
            CancelledErrorHandling::NotApplicable
        );
        // Never awaited: the cancel is still listed.
        let never = "import asyncio\nasync def run(coro):\n    task = asyncio.create_task(coro)\n    task.cancel()\n";
        let r = &records(never)[0];
        assert_eq!(*r.shutdown.cancelled_at, [site(4, "run")]);
    }

    #[test]
    fn a_factory_call_runs_what_the_factory_spawns() {
        let src = "import asyncio\nclass C:\n    def __init__(self):\n        self._tasks = set()\n    async def _run(self, coro):\n        try:\n            await coro\n        except asyncio.CancelledError:\n            pass\n        except Exception:\n            log(1)\n    def _schedule(self, coro):\n        wrapped = self._run(coro)\n        task = asyncio.create_task(wrapped)\n        self._tasks.add(task)\n        task.add_done_callback(self._tasks.discard)\n        return task\n    def dispatch(self, coro):\n        self._schedule(coro)\n";
        let records = records(src);
        // The spawn itself: its coroutine is the local's one value.
        let spawn = records.iter().find(|r| r.line == 14).expect("spawn");
        assert_eq!(spawn.purpose.coroutine.as_deref(), Some("self._run"));
        assert_eq!(spawn.purpose.defined_at, Some(5));
        assert_eq!(spawn.exception_control.body_handlers, Some(vec![10]));
        // The factory's call: named by the factory, not by its argument.
        let call = records.iter().find(|r| r.line == 19).expect("factory call");
        assert_eq!(call.purpose.coroutine.as_deref(), Some("self._schedule"));
        assert_eq!(call.purpose.defined_at, Some(12));
    }

    #[test]
    fn a_coroutine_local_bound_twice_is_not_followed() {
        let src = "import asyncio\nasync def body():\n    pass\nasync def other():\n    pass\nasync def run(flag):\n    coro = body()\n    if flag:\n        pass\n    coro = other()\n    await asyncio.create_task(coro)\n";
        let r = &records(src)[0];
        assert_eq!(r.purpose.coroutine.as_deref(), Some("coro"));
        assert_eq!(r.purpose.defined_at, None);
    }

    #[test]
    fn body_handlers_are_listed_in_line_order() {
        let src = "import asyncio\nasync def body():\n    try:\n        for x in y:\n            try:\n                await x\n            except BaseException:\n                pass\n    except Exception:\n        pass\nasync def run():\n    await asyncio.create_task(body())\n";
        let r = &records(src)[0];
        assert_eq!(r.exception_control.body_handlers, Some(vec![7, 9]));
    }

    #[test]
    fn a_helper_defined_in_the_stopping_method_is_followed() {
        let src = "import asyncio\nclass Pool:\n    def __init__(self):\n        self._tasks = set()\n    def spawn(self, coro):\n        task = asyncio.create_task(coro)\n        self._tasks.add(task)\n        task.add_done_callback(self._tasks.discard)\n    async def shutdown(self):\n        async def _cancel(tasks):\n            for t in tasks:\n                t.cancel()\n            await asyncio.gather(*tasks, return_exceptions=True)\n        await _cancel(self._tasks)\n";
        let r = &records(src)[0];
        assert_eq!(
            *r.shutdown.cancelled_at,
            [site(12, "Pool.shutdown.<locals>._cancel")]
        );
        assert_eq!(
            *r.shutdown.awaited_at,
            [site(13, "Pool.shutdown.<locals>._cancel")]
        );
    }

    #[test]
    fn a_slot_handed_to_code_outside_the_module_is_listed() {
        let src = "import asyncio\nfrom lib import cancel_and_wait\nclass Pool:\n    def start(self):\n        self._main = asyncio.create_task(work())\n    async def aclose(self):\n        await cancel_and_wait(self._main)\n";
        let r = &records(src)[0];
        assert_eq!(*r.shutdown.handed_on_at, [site(7, "Pool.aclose")]);
        assert!(r.findings.iter().all(|k| k.name() != "no-shutdown"));
    }

    #[test]
    fn a_decorated_body_is_named_but_not_read() {
        // `@log_exceptions` may catch what the body raises: no handler
        // list, so no silent failure; the `def` line, not the decorator's.
        let src = "import asyncio\nfrom lib import log_exceptions\nclass S:\n    def start(self):\n        self._t = asyncio.create_task(self._run())\n    async def stop(self):\n        self._t.cancel()\n        await self._t\n    @log_exceptions\n    async def _run(self):\n        pass\n";
        let r = &records(src)[0];
        assert_eq!(r.purpose.defined_at, Some(10));
        assert_eq!(r.exception_control.body_handlers, None);
        let plain = src.replace("    @log_exceptions\n", "");
        let r = &records(&plain)[0];
        assert_eq!(r.purpose.defined_at, Some(9));
        assert_eq!(r.exception_control.body_handlers, Some(vec![]));
        // `@staticmethod` leaves the body the task's.
        let stat = src
            .replace("@log_exceptions", "@staticmethod")
            .replace("_run(self)", "_run()");
        assert_eq!(
            records(&stat)[0].exception_control.body_handlers,
            Some(vec![])
        );
    }

    #[test]
    fn a_broad_handler_that_catches_cancellation_is_told() {
        let src = "import asyncio\nasync def body():\n    try:\n        await x\n    except BaseException:\n        pass\nasync def run():\n    await asyncio.create_task(body())\n";
        let r = &records(src)[0];
        assert_eq!(r.exception_control.body_handlers, Some(vec![5]));
        assert!(r.exception_control.body_handles_cancel);
        let narrow = src.replace("BaseException", "Exception");
        assert!(!records(&narrow)[0].exception_control.body_handles_cancel);
    }

    #[test]
    fn a_factory_given_a_key_is_named_after_the_factory() {
        let src = "import asyncio\nclass C:\n    def __init__(self):\n        self._tasks = {}\n    def _next_id(self):\n        return 1\n    async def _setup(self, key):\n        pass\n    def _spawn(self, key):\n        task = asyncio.create_task(self._setup(key))\n        self._tasks[key] = task\n        return task\n    async def add(self):\n        key = self._next_id()\n        await self._spawn(key)\n";
        let records = records(src);
        let call = records
            .iter()
            .find(|r| r.line == 15)
            .expect("the factory's call");
        assert_eq!(call.purpose.coroutine.as_deref(), Some("self._spawn"));
        assert_eq!(call.purpose.defined_at, Some(9));
    }

    #[test]
    fn a_consumers_await_does_not_make_the_cancel_suppressed() {
        // `disconnect()` cancels; only `connect()`, which spawned the task,
        // awaits it: nothing suppresses the cancelling one's error.
        let src = "import asyncio, contextlib\nclass R:\n    def __init__(self):\n        self._t = None\n    async def connect(self):\n        if self._t is not None:\n            return\n        self._t = asyncio.create_task(work())\n        await self._t\n    def disconnect(self):\n        if self._t is not None:\n            self._t.cancel()\n";
        let r = &records(src)[0];
        assert_eq!(
            r.shutdown.cancelled_error,
            CancelledErrorHandling::NotApplicable
        );
        let protected = src.replace(
            "    def disconnect(self):\n        if self._t is not None:\n            self._t.cancel()\n",
            "    async def disconnect(self):\n        self._t.cancel()\n        with contextlib.suppress(asyncio.CancelledError):\n            await self._t\n",
        );
        let r = &records(&protected)[0];
        assert_eq!(
            r.shutdown.cancelled_error,
            CancelledErrorHandling::Suppressed
        );
    }
}
