//! The inventory: one record per spawn site, healthy ones included (SPEC §5).
//! It mirrors the columns of a manual task audit.

use ruff_text_size::TextRange;
use serde::Serialize;
use std::sync::Arc;

use crate::diagnostic::ser_range;
use crate::{Kind, Risk};

/// Everything known about one spawn site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskRecord {
    /// The spawn call, a range into the caller's source.
    #[serde(serialize_with = "ser_range")]
    pub range: TextRange,
    /// 1-based line of the spawn call.
    pub line: u32,
    /// 1-based column of the spawn call, in characters.
    pub column: u32,
    /// The spawn API as written in resolved form (`asyncio.create_task`,
    /// `loop.create_task`, `task factory self._spawn`).
    pub api: String,
    /// The function or method that contains the spawn (`Scheduler.start`), or
    /// `<module>`.
    pub spawned_in: String,
    /// What the task runs.
    pub purpose: Purpose,
    /// Who owns the task.
    pub owner: Owner,
    /// How long the task lives.
    pub lifetime: Lifetime,
    /// How the task is stopped.
    pub shutdown: Shutdown,
    /// Who hears about its failures.
    pub exception_control: ExceptionControl,
    /// Production or test code, by path.
    pub scope: Scope,
    /// The findings at this spawn site (empty when healthy), in SPEC order.
    pub findings: Vec<Kind>,
    /// The highest risk of the findings (`none` without findings).
    pub risk: Risk,
}

/// What the task runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Purpose {
    /// The coroutine as written (`self._loop`, `worker`), when it is a call.
    pub coroutine: Option<String>,
    /// The first line of that coroutine's docstring, when it is defined in the module.
    pub doc: Option<String>,
    /// 1-based line where the coroutine function is defined, when in the module.
    pub defined_at: Option<u32>,
}

/// Who owns a task (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Owner {
    /// Nobody: the result is thrown away.
    Discarded,
    /// Awaited where it is spawned.
    Inline,
    /// A local of `function`.
    Local {
        /// The local's name.
        name: String,
        /// The function that holds it.
        function: String,
    },
    /// An attribute slot `self.<attr>` of `class`.
    Attribute {
        /// The class.
        class: String,
        /// The attribute.
        attr: String,
    },
    /// A collection: `self.<name>` of a class, a module-level name, or a local.
    Collection {
        /// `class C`, `module` or `function f`.
        holder: String,
        /// The collection as written (`self._tasks`, `_background`).
        name: String,
    },
    /// A module-level name.
    Module {
        /// The name.
        name: String,
    },
    /// Handed elsewhere; not judged here.
    Transferred {
        /// Where it went, in words (`returned`, `passed to register()`).
        to: String,
    },
}

impl Owner {
    /// A short description in words.
    pub fn describe(&self) -> String {
        match self {
            Owner::Discarded => "nobody (the task is discarded)".to_string(),
            Owner::Inline => "the spawning statement (awaited inline)".to_string(),
            Owner::Local { name, function } => format!("local `{name}` of `{function}`"),
            Owner::Attribute { class, attr } => format!("`self.{attr}` of class `{class}`"),
            Owner::Collection { holder, name } => format!("collection `{name}` of {holder}"),
            Owner::Module { name } => format!("module-level `{name}`"),
            Owner::Transferred { to } => format!("transferred ({to})"),
        }
    }
}

/// How long a task lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Lifetime {
    /// Until the end of the spawning statement.
    Statement,
    /// Until the spawning function returns.
    Function {
        /// The function.
        name: String,
    },
    /// As long as an object of the class.
    Object {
        /// The class.
        class: String,
    },
    /// As long as the module (the process).
    Module,
    /// Unknown here: nobody holds it, or it was handed elsewhere.
    Unknown,
    /// Known across the project (SPEC §9): where the application starts and
    /// stops the owning object.
    Application {
        /// The owner class.
        class: String,
        /// Where it is started (`app/main.py:8 in lifespan`).
        started: Vec<String>,
        /// Where it is stopped; empty when the shutdown is not wired.
        stopped: Vec<String>,
    },
}

impl Lifetime {
    /// A short description in words.
    pub fn describe(&self) -> String {
        match self {
            Lifetime::Statement => "statement".to_string(),
            Lifetime::Function { name } => format!("function `{name}`"),
            Lifetime::Object { class } => format!("object of class `{class}`"),
            Lifetime::Module => "module (process lifetime)".to_string(),
            Lifetime::Unknown => "unknown".to_string(),
            Lifetime::Application {
                class,
                started,
                stopped,
            } if stopped.is_empty() => format!(
                "application: an object of class `{class}` started in {}, never stopped",
                started.join("; ")
            ),
            Lifetime::Application {
                class,
                started,
                stopped,
            } => format!(
                "application: an object of class `{class}` started in {}, stopped in {}",
                started.join("; "),
                stopped.join("; ")
            ),
        }
    }
}

/// How a task is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Shutdown {
    /// Lines (1-based) where a reference is cancelled, with the function (`stop:55`).
    /// (The lists of an owner slot are shared by every task of that slot.)
    pub cancelled_at: Arc<[Site]>,
    /// Lines where a reference is awaited (in any form).
    pub awaited_at: Arc<[Site]>,
    /// Lines where the owner slot is cleared, pruned or rebound.
    pub cleared_at: Arc<[Site]>,
    /// Lines where a reference is handed to a call the rule does not follow
    /// (a function of another module), which may stop it.
    pub handed_on_at: Arc<[Site]>,
    /// How `CancelledError` from awaiting the cancelled task is handled.
    pub cancelled_error: CancelledErrorHandling,
    /// Awaited inline by a wait that may return before the task ends
    /// (`asyncio.wait` with `return_when=FIRST_COMPLETED` or
    /// `FIRST_EXCEPTION`, or a `timeout`): a task still pending then
    /// outlives the statement.
    pub returns_early: bool,
}

/// A line in a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// 1-based line.
    pub line: u32,
    /// The function (`Scheduler.stop`) or `<module>`.
    pub function: String,
}

/// How `CancelledError` is handled where the cancelled task is awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CancelledErrorHandling {
    /// The task is not cancelled and awaited by its owner.
    #[default]
    NotApplicable,
    /// Suppressed (`contextlib.suppress`, a handler, `return_exceptions=True`, `asyncio.wait`).
    Suppressed,
    /// It escapes to the caller of the stopping function.
    Escapes,
}

/// Who hears about a task's failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ExceptionControl {
    /// Whether the owner awaits the task (and so sees its exception).
    pub awaited: bool,
    /// Lines of done-callbacks that observe the task.
    pub observing_callbacks: Vec<u32>,
    /// Lines of handlers for `Exception` (or broader) in the task body, when the
    /// body is defined in the module; `None` when the body is not known.
    pub body_handlers: Option<Vec<u32>>,
    /// One of those handlers catches `CancelledError` too (`except
    /// BaseException`, a bare `except:`).
    pub body_handles_cancel: bool,
}

/// Production or test code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Not matched by the test-path globs.
    Production,
    /// Matched by the test-path globs.
    Test,
}
