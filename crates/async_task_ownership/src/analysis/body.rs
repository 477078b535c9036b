//! SPEC §4: the body of a task's coroutine, when it is a function of the
//! module — does it swallow cancellation, does it control its exceptions.

use ruff_text_size::TextRange;
use rustc_hash::FxHashSet;

use super::facts::{EventKind, Facts, FlowKind, Key};
use super::model::ScopeId;
use super::owners::Index;

/// What a coroutine body does.
#[derive(Debug, Default)]
pub(crate) struct Body {
    /// Handlers that catch `CancelledError` inside a loop and carry on.
    pub swallowing: Vec<TextRange>,
    /// Handlers for `Exception` or broader (exception control).
    pub broad_handlers: Vec<TextRange>,
}

pub(crate) fn analyze(facts: &Facts, index: &Index, scope: ScopeId) -> Body {
    let mut body = Body::default();
    // Keys this function cancels, directly or element by element (§8.10).
    let mut cancelled: FxHashSet<Key> = index
        .scope_events(scope)
        .iter()
        .map(|&e| &facts.events[e as usize])
        .filter(|e| e.kind == EventKind::Cancelled)
        .map(|e| e.key)
        .collect();
    for &f in index.scope_flows(scope) {
        let flow = &facts.flows[f as usize];
        if flow.kind == FlowKind::Element && cancelled.contains(&flow.to) {
            cancelled.insert(flow.from);
        }
    }
    for &h in index.scope_handlers(scope) {
        let handler = &facts.handlers[h as usize];
        if handler.broad {
            body.broad_handlers.push(handler.range);
        }
        if !handler.catches_cancel || !handler.in_loop || handler.exits {
            continue;
        }
        let shutdown_idiom = index.scope_events(scope).iter().any(|&e| {
            let ev = &facts.events[e as usize];
            ev.frame == handler.frame
                && matches!(ev.kind, EventKind::Awaited { .. })
                && cancelled.contains(&ev.key)
        });
        if !shutdown_idiom {
            body.swallowing.push(handler.range);
        }
    }
    body
}
