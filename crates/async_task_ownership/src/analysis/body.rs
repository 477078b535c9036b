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
    /// One of them catches `CancelledError` too (`except BaseException`).
    pub broad_catches_cancel: bool,
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
            body.broad_catches_cancel |= handler.catches_cancel;
        }
        // A handler whose protected body never suspends cannot receive the
        // task's cancellation (only a `CancelledError` that body raises
        // itself, as `fut.exception()` of a cancelled future does).
        if !handler.catches_cancel || !handler.in_loop || handler.exits || !handler.suspends {
            continue;
        }
        let shutdown_idiom = index.scope_events(scope).iter().any(|&e| {
            let ev = &facts.events[e as usize];
            ev.frame == handler.frame
                && matches!(ev.kind, EventKind::Awaited { .. })
                && (cancelled.contains(&ev.key)
                    || gathers_cancelled(facts, index, scope, &cancelled, ev.key, ev.range))
        });
        if !shutdown_idiom {
            body.swallowing.push(handler.range);
        }
    }
    body
}

/// Whether `key` is a local bound to a wait for tasks the function cancels
/// (`waiter = asyncio.gather(a, b)` after `a.cancel()`, then `await
/// asyncio.shield(waiter)`: the shutdown idiom under another name).
fn gathers_cancelled(
    facts: &Facts,
    index: &Index,
    scope: ScopeId,
    cancelled: &FxHashSet<Key>,
    key: Key,
    at: TextRange,
) -> bool {
    if !matches!(key, Key::Local(s, _) if s == scope) {
        return false;
    }
    // The waiter's last binding before the await, every argument of which
    // is a task the function cancels.
    let Some(bind) = index
        .binds(&key)
        .iter()
        .map(|&b| &facts.binds[b as usize])
        .filter(|b| b.range.start() < at.start())
        .max_by_key(|b| b.range.start())
    else {
        return false;
    };
    let ruff_python_ast::Expr::Call(call) = bind.value else {
        return false;
    };
    let within = ruff_text_size::Ranged::range(call);
    let gathered = cancelled
        .iter()
        .flat_map(|k| index.events(k))
        .filter(|&&e| {
            let ev = &facts.events[e as usize];
            ev.scope == scope
                && ev.kind == EventKind::HandedOn(super::facts::Transfer::Gathered)
                && within.contains_range(ev.range)
        })
        .count();
    // Through a wrapper (`ensure_future(asyncio.wait([a, b]))`).
    let mut call = call;
    while let [ruff_python_ast::Expr::Call(inner)] = &*call.arguments.args {
        call = inner;
    }
    let waited: usize = call
        .arguments
        .args
        .iter()
        .map(|a| match a {
            ruff_python_ast::Expr::List(l) => l.elts.len(),
            ruff_python_ast::Expr::Tuple(l) => l.elts.len(),
            ruff_python_ast::Expr::Set(l) => l.elts.len(),
            _ => 1,
        })
        .sum();
    gathered > 0 && gathered == waited
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{facts, model::Model};
    use crate::Settings;
    use ruff_python_ast::PySourceType;

    fn body_of(src: &str, function: &str) -> Body {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let model = Model::build(parsed.syntax());
        let facts = facts::collect(&model, &Settings::default(), parsed.syntax());
        let index = Index::build(&facts);
        let scope = (0..model.scopes.len() as ScopeId)
            .find(|&s| model.qualname(s) == function)
            .expect("function");
        analyze(&facts, &index, scope)
    }

    #[test]
    fn swallowing_needs_a_loop_and_no_exit() {
        let swallow = "import asyncio\nasync def f():\n    while True:\n        try:\n            await g()\n        except asyncio.CancelledError:\n            pass\n";
        assert_eq!(body_of(swallow, "f").swallowing.len(), 1);
        let reraise = swallow.replace("pass", "raise");
        assert!(body_of(&reraise, "f").swallowing.is_empty());
        let no_loop = "import asyncio\nasync def f():\n    try:\n        await g()\n    except asyncio.CancelledError:\n        pass\n";
        assert!(body_of(no_loop, "f").swallowing.is_empty());
        let exception = swallow.replace("asyncio.CancelledError", "Exception");
        let b = body_of(&exception, "f");
        assert!(b.swallowing.is_empty());
        assert_eq!(b.broad_handlers.len(), 1);
    }

    #[test]
    fn the_shutdown_idiom_is_not_swallowing() {
        let src = "import asyncio, contextlib\nasync def f(tasks):\n    while True:\n        for t in tasks:\n            t.cancel()\n        with contextlib.suppress(asyncio.CancelledError):\n            await asyncio.gather(*tasks)\n";
        assert!(body_of(src, "f").swallowing.is_empty());
    }
}
