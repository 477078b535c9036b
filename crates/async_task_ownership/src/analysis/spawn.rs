//! SPEC §1: which calls schedule a coroutine as an independent task, and which
//! calls wait for tasks (§2 inline owners, §8.8).

use ruff_python_ast::{Expr, ExprCall};

use super::model::{Model, NameHome, ScopeId};
use super::names::{contains_ignoring_ascii_case, last_identifier, walk_dotted};
use crate::Settings;

/// How a spawn site spawns (a base form; task factories are found later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SpawnApi {
    CreateTask,
    EnsureFuture,
    TaskConstructor,
    LoopCreateTask,
    Configured(String),
}

impl SpawnApi {
    pub fn describe(&self) -> String {
        match self {
            SpawnApi::CreateTask => "asyncio.create_task".to_string(),
            SpawnApi::EnsureFuture => "asyncio.ensure_future".to_string(),
            SpawnApi::TaskConstructor => "asyncio.Task".to_string(),
            SpawnApi::LoopCreateTask => "loop.create_task".to_string(),
            SpawnApi::Configured(name) => name.clone(),
        }
    }
}

/// Classifies a call as a base spawn form.
pub(crate) fn classify(
    model: &Model,
    settings: &Settings,
    call: &ExprCall,
    scope: ScopeId,
) -> Option<SpawnApi> {
    let func = &*call.func;
    // Cheap filter first: most calls are not spawns, and qualifying allocates.
    let last = last_identifier(func)?;
    // Qualifying replaces only the first identifier: a dotted callee keeps
    // its last one, and only a plain name can be an imported alias.
    let maybe_qualified = matches!(last, "create_task" | "ensure_future" | "Task")
        || (matches!(func, Expr::Name(_)) && model.imports.contains_key(last))
        || settings
            .extra_spawn_functions
            .iter()
            .any(|s| s.rsplit('.').next() == Some(last));
    // Only a configured function can be named outside `asyncio`.
    let maybe_qualified = maybe_qualified
        && (!settings.extra_spawn_functions.is_empty() || model.may_qualify_to_asyncio(func));
    if maybe_qualified {
        if let Some(q) = model.qualify(func, scope) {
            match q.as_str() {
                "asyncio.create_task" | "asyncio.tasks.create_task" => {
                    return Some(SpawnApi::CreateTask)
                }
                "asyncio.ensure_future" | "asyncio.tasks.ensure_future" => {
                    return Some(SpawnApi::EnsureFuture)
                }
                "asyncio.Task" | "asyncio.tasks.Task" => return Some(SpawnApi::TaskConstructor),
                _ => {}
            }
            if settings.extra_spawn_functions.contains(&q) {
                return Some(SpawnApi::Configured(q));
            }
        }
        // A name without a dot matches a plain call of that name, imported
        // or not (`aspawn(...)` after `from ._acompat import aspawn`:
        // psycopg-pool, whose relative import qualifies without its package).
        if let Expr::Name(n) = func {
            if let Some(plain) = settings
                .extra_spawn_functions
                .iter()
                .find(|s| !s.contains('.') && *s == n.id.as_str())
            {
                return Some(SpawnApi::Configured(plain.clone()));
            }
        }
    }
    if let Expr::Attribute(attr) = func {
        if attr.attr.as_str() == "create_task" && is_loop_expr(model, settings, &attr.value, scope)
        {
            return Some(SpawnApi::LoopCreateTask);
        }
    }
    None
}

fn is_loop_name(model: &Model, settings: &Settings, name: &str) -> bool {
    name == "loop"
        || name.ends_with("_loop")
        || model.loop_names.contains(name)
        || settings.extra_loop_names.iter().any(|n| n == name)
}

/// Whether `expr` denotes an event loop (SPEC §1, `<loop>`): a loop's
/// name or call, or a choice between such and something else
/// (`(_loop or asyncio.get_running_loop())`, `a if a else get_loop()`: one
/// level, no recursion).
fn is_loop_expr(model: &Model, settings: &Settings, expr: &Expr, scope: ScopeId) -> bool {
    match expr {
        Expr::BoolOp(b) if b.op == ruff_python_ast::BoolOp::Or => b
            .values
            .iter()
            .any(|v| is_loop_atom(model, settings, v, scope)),
        Expr::If(i) => {
            is_loop_atom(model, settings, &i.body, scope)
                || is_loop_atom(model, settings, &i.orelse, scope)
        }
        e => is_loop_atom(model, settings, e, scope),
    }
}

/// A loop's name (`loop`, `self._loop`) or a call that gives one.
fn is_loop_atom(model: &Model, settings: &Settings, expr: &Expr, scope: ScopeId) -> bool {
    match expr {
        Expr::Name(n) => {
            // A local named like a loop is a loop; `asyncio` itself is not.
            is_loop_name(model, settings, n.id.as_str())
        }
        Expr::Attribute(a) => is_loop_name(model, settings, a.attr.as_str()),
        Expr::Call(call) => {
            if let Some(q) = model.qualify(&call.func, scope) {
                if matches!(
                    q.as_str(),
                    "asyncio.get_event_loop"
                        | "asyncio.get_running_loop"
                        | "asyncio.new_event_loop"
                        | "asyncio.events.get_event_loop"
                        | "asyncio.events.get_running_loop"
                        | "asyncio.events.new_event_loop"
                ) {
                    return true;
                }
            }
            last_identifier(&call.func)
                .is_some_and(|n| n == "get_loop" || is_loop_name(model, settings, n))
        }
        _ => false,
    }
}

/// A function that waits for the tasks passed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitFn {
    /// `gather`; `true` with `return_exceptions=True`.
    Gather(bool),
    /// `asyncio.wait`: never raises the tasks' exceptions.
    Wait,
    /// `wait_for` and `shield`: wait only when awaited.
    WaitFor,
    /// `as_completed` and `run_until_complete`: wait by themselves.
    Drives,
}

pub(crate) fn wait_fn(model: &Model, call: &ExprCall, scope: ScopeId) -> Option<WaitFn> {
    if let Expr::Attribute(a) = &*call.func {
        if a.attr.as_str() == "run_until_complete" {
            return Some(WaitFn::Drives);
        }
    }
    let last = last_identifier(&call.func)?;
    // As in `classify`: only a plain name can be an alias.
    let named = matches!(
        last,
        "gather" | "wait" | "wait_for" | "shield" | "as_completed"
    );
    if !named && (!matches!(&*call.func, Expr::Name(_)) || !model.imports.contains_key(last)) {
        return None;
    }
    if !model.may_qualify_to_asyncio(&call.func) {
        return None;
    }
    let q = model.qualify(&call.func, scope)?;
    let name = q
        .strip_prefix("asyncio.tasks.")
        .or_else(|| q.strip_prefix("asyncio."))?;
    match name {
        "gather" => {
            let rx = call.arguments.keywords.iter().any(|k| {
                k.arg
                    .as_ref()
                    .is_some_and(|a| a.as_str() == "return_exceptions")
                    && match &k.value {
                        Expr::BooleanLiteral(b) => b.value,
                        Expr::Name(n) => true_by_default(model, scope, n.id.as_str()),
                        _ => false,
                    }
            });
            Some(WaitFn::Gather(rx))
        }
        "wait" => Some(WaitFn::Wait),
        "wait_for" | "shield" => Some(WaitFn::WaitFor),
        "as_completed" => Some(WaitFn::Drives),
        _ => None,
    }
}

/// Whether `name` is a parameter of function `scope` that defaults to
/// `True` and that nothing in the function binds again (`:=` included)
/// (`return_exceptions=return_exceptions` of `def wait(self,
/// return_exceptions=True)`): a caller that passes `False` asks for the
/// exceptions; the function itself returns them.
fn true_by_default(model: &Model, scope: ScopeId, name: &str) -> bool {
    let Some(def) = model.scopes.get(scope as usize).and_then(|s| s.def) else {
        return false;
    };
    def.parameters
        .iter_non_variadic_params()
        .find(|p| p.parameter.name.as_str() == name)
        .and_then(|p| p.default.as_deref())
        .is_some_and(|d| matches!(d, Expr::BooleanLiteral(b) if b.value))
        && super::findings::bindings(&def.body, name) == Some(0)
        && !super::names::walrus_binds(&def.body, name)
}

/// Calls that look at a task without taking it: logging, `print`, `len`, …
pub(crate) fn is_neutral_callee(model: &Model, func: &Expr, scope: ScopeId) -> bool {
    match func {
        Expr::Name(n) => {
            matches!(
                n.id.as_str(),
                "print"
                    | "len"
                    | "id"
                    | "repr"
                    | "str"
                    | "isinstance"
                    | "hash"
                    | "type"
                    | "bool"
                    | "callable"
                    | "hasattr"
                    | "getattr"
                    | "format"
            ) && model.resolve_name(scope, n.id.as_str()) == NameHome::Unknown
        }
        Expr::Attribute(a) => {
            let method = a.attr.as_str();
            // `Cls._debug(...)`, `self._info(...)`: a logger's method bound
            // under a private name of the class (bacpypes3's
            // `bacpypes_debugging` sets `cls._debug = logger.debug`).
            if let Some(level) = method.strip_prefix('_') {
                if matches!(
                    level,
                    "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical"
                ) {
                    return true;
                }
            }
            let logging_method = matches!(
                method,
                "debug"
                    | "info"
                    | "warning"
                    | "warn"
                    | "error"
                    | "exception"
                    | "critical"
                    | "log"
                    | "fatal"
                    | "msg"
            );
            // Any segment of the receiver's dotted name (`self._logger`,
            // `logging`, `warnings`), compared without building it.
            logging_method && {
                let mut found = false;
                let is_logger = |s: &str| {
                    contains_ignoring_ascii_case(s, "log") || s.eq_ignore_ascii_case("warnings")
                };
                walk_dotted(&a.value, |s| found |= is_logger(s))
                    .is_some_and(|base| found || is_logger(base))
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::model::{Model, MODULE_SCOPE};
    use ruff_python_ast::{PySourceType, Stmt};

    /// The spawn API of the last statement's expression, at module scope.
    fn api(src: &str, settings: &Settings) -> Option<String> {
        let mut api = None;
        with_last_call(src, |model, call| {
            api = classify(model, settings, call, MODULE_SCOPE).map(|a| a.describe());
        });
        api
    }

    #[test]
    fn spawn_forms() {
        let s = Settings::default();
        assert_eq!(
            api("import asyncio as aio\naio.create_task(c())", &s).as_deref(),
            Some("asyncio.create_task")
        );
        assert_eq!(
            api("from asyncio import ensure_future\nensure_future(c())", &s).as_deref(),
            Some("asyncio.ensure_future")
        );
        assert_eq!(
            api("import asyncio\nasyncio.Task(c())", &s).as_deref(),
            Some("asyncio.Task")
        );
        assert_eq!(
            api(
                "import asyncio\nasyncio.get_running_loop().create_task(c())",
                &s
            )
            .as_deref(),
            Some("loop.create_task")
        );
        assert_eq!(
            api("self._loop.create_task(c())", &s).as_deref(),
            Some("loop.create_task")
        );
        assert_eq!(
            api("self.get_loop().create_task(c())", &s).as_deref(),
            Some("loop.create_task")
        );
        assert_eq!(api("tg.create_task(c())", &s), None);
        assert_eq!(api("import asyncio\nasyncio.gather(c())", &s), None);
    }

    #[test]
    fn configured_spawners_and_loops() {
        let s = Settings {
            extra_spawn_functions: vec!["myapp.spawn".to_string()],
            extra_loop_names: vec!["reactor".to_string()],
            ..Settings::default()
        };
        assert_eq!(
            api("from myapp import spawn\nspawn(c())", &s).as_deref(),
            Some("myapp.spawn")
        );
        assert_eq!(
            api("reactor.create_task(c())", &s).as_deref(),
            Some("loop.create_task")
        );
        assert_eq!(api("reactor.create_task(c())", &Settings::default()), None);
        // A name without a dot: the plain call, imported or not; not a method.
        let plain = Settings {
            extra_spawn_functions: vec!["aspawn".to_string()],
            ..Settings::default()
        };
        for src in [
            "aspawn(c())",
            "from ._compat import aspawn\naspawn(c())",
            "from myapp.tasks import aspawn\naspawn(c())",
        ] {
            assert_eq!(api(src, &plain).as_deref(), Some("aspawn"), "{src}");
        }
        assert_eq!(api("x.aspawn(c())", &plain), None);
        assert_eq!(api("from ._compat import aspawn\naspawn(c())", &s), None);
    }

    /// The call of the last statement, with the module's model.
    fn with_last_call(src: &str, f: impl FnOnce(&Model, &ExprCall)) {
        let parsed = ruff_python_parser::parse_unchecked_source(src, PySourceType::Python);
        let model = Model::build(parsed.syntax());
        let Some(Stmt::Expr(e)) = parsed.syntax().body.last() else {
            panic!("expression")
        };
        let Expr::Call(call) = &*e.value else {
            panic!("call")
        };
        f(&model, call);
    }

    /// An imported alias is recognised where it is called by its plain
    /// name; a method of the same name on anything else is not it.
    #[test]
    fn aliases_count_only_as_plain_names() {
        let s = Settings::default();
        let aliased = "from asyncio import create_task as go\n";
        assert_eq!(
            api(&format!("{aliased}go(c())"), &s).as_deref(),
            Some("asyncio.create_task")
        );
        assert_eq!(api(&format!("{aliased}pool.go(c())"), &s), None);
        assert_eq!(api(&format!("{aliased}asyncio.go(c())"), &s), None);
        let gather = |src: &str| {
            let mut found = None;
            with_last_call(src, |model, call| {
                found = wait_fn(model, call, MODULE_SCOPE)
            });
            found
        };
        let aliased = "import asyncio\nfrom asyncio import gather as g, wait as w\n";
        assert_eq!(
            gather(&format!("{aliased}g(a, return_exceptions=True)")),
            Some(WaitFn::Gather(true))
        );
        assert_eq!(gather(&format!("{aliased}w(a)")), Some(WaitFn::Wait));
        assert_eq!(
            gather(&format!("{aliased}asyncio.gather(a)")),
            Some(WaitFn::Gather(false))
        );
        assert_eq!(gather(&format!("{aliased}asyncio.g(a)")), None);
        assert_eq!(gather(&format!("{aliased}self.g(a)")), None);
        assert_eq!(gather("gather(a)"), None);
    }

    #[test]
    fn logging_calls_are_neutral() {
        let neutral = |src: &str| {
            let mut found = false;
            with_last_call(src, |model, call| {
                found = is_neutral_callee(model, &call.func, MODULE_SCOPE);
            });
            found
        };
        for src in [
            "log.info(t)",
            "self._LOGGER.warning(t)",
            "logging.getLogger(__name__)",
            "app.Logger.error(t)",
            "warnings.warn(t)",
            "Warnings.warn(t)",
            "blog.debug(t)",
            "print(t)",
        ] {
            let expected = !src.starts_with("logging.getLogger");
            assert_eq!(neutral(src), expected, "{src}");
        }
        for src in [
            "self.sink.info(t)",
            "warning.warn(t)",
            "f().log.info(t)",
            "len = 1\nlen(t)",
        ] {
            assert!(!neutral(src), "{src}");
        }
    }
}
