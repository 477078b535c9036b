//! Every message, help text and label of the rule, in one place. Messages say
//! what is wrong and name the task and the functions involved; help lines say
//! what to do instead.

use crate::Kind;

/// What a message needs to know.
pub(crate) struct MessageContext<'a> {
    /// The task as written (`asyncio.create_task(self._loop())`), shortened.
    pub task: &'a str,
    /// The owner slot as written (`self._task`, `_tasks`), if any.
    pub slot: &'a str,
    /// The owner in words (`class `Scheduler``, `the module`).
    pub owner: &'a str,
    /// The function that spawns (`start`).
    pub function: &'a str,
    /// Functions involved (the canceller, the awaiter), as `stop()`.
    pub others: &'a str,
    /// The local's name, for `unawaited-local`.
    pub local: &'a str,
    /// The coroutine function, for body findings (`_loop`).
    pub coroutine: &'a str,
    /// Whether `asyncio.TaskGroup` is available (3.11+).
    pub task_group: bool,
    /// Whether the owner slot is a collection of tasks.
    pub collection: bool,
    /// Whether that collection is a mapping (`{}`, `dict()`): its tasks are
    /// its values.
    pub mapping: bool,
    /// Whether the tasks were put into containers inside the collection
    /// (`self._by_doc[doc].append(task)`): its elements hold them.
    pub nested: bool,
    /// Whether those containers are mappings (`tasks[ns][name] = task`).
    pub nested_mapping: bool,
}

/// How many functions a message names, and how many locations a
/// diagnostic points at, before it counts the rest.
pub(crate) const MAX_LISTED: usize = 5;

/// `a, b` or, with more left out, `a, b and 3 other functions`.
pub(crate) fn listed(names: &[String], more: usize) -> String {
    let mut s = names.join(", ");
    match more {
        0 => {}
        1 => s.push_str(" and 1 other function"),
        n => s.push_str(&format!(" and {n} other functions")),
    }
    s
}

pub(crate) fn message(kind: Kind, c: &MessageContext) -> String {
    match kind {
        Kind::Dangling => format!(
            "Task `{}` is discarded: nothing keeps a reference to it, waits for it or stops it",
            c.task
        ),
        Kind::UnawaitedLocal => format!(
            "Task `{}` is held in local `{}` of `{}()` but never awaited, returned or handed on",
            c.task, c.local, c.function
        ),
        Kind::NoShutdown if c.collection => format!(
            "The tasks in `{}` are never cancelled or awaited by any function of {}: they outlive their owner",
            c.slot, c.owner
        ),
        Kind::NoShutdown => format!(
            "`{}` is never cancelled or awaited by any function of {}: the task outlives its owner",
            c.slot, c.owner
        ),
        Kind::CancelNotAwaited if c.collection => format!(
            "The tasks in `{}` are cancelled in {} but never awaited afterwards: they may still be running when it returns",
            c.slot, c.others
        ),
        Kind::CancelNotAwaited => format!(
            "`{}` is cancelled in {} but never awaited afterwards: the task may still be running when it returns",
            c.slot, c.others
        ),
        Kind::CancelledErrorEscapes if c.collection => format!(
            "The tasks in `{}` are awaited in {} after being cancelled, but their `CancelledError` is not handled and reaches the caller",
            c.slot, c.others
        ),
        Kind::CancelledErrorEscapes => format!(
            "`{}` is awaited in {} after being cancelled, but its `CancelledError` is not handled and reaches the caller",
            c.slot, c.others
        ),
        Kind::UnguardedRestart => format!(
            "`{}()` replaces `{}` without checking or cancelling the task already there: calling it twice orphans the first task",
            c.function, c.slot
        ),
        Kind::UnboundedCollection => format!(
            "Tasks are added to `{}` of {} but never removed: the collection grows for as long as the owner lives",
            c.slot, c.owner
        ),
        Kind::SwallowsCancellation => format!(
            "`{}()` catches `CancelledError` inside a loop and keeps going: `cancel()` cannot stop the task",
            c.coroutine
        ),
        Kind::SilentFailure => format!(
            "Nobody sees task `{}` fail: its owner never awaits it, no done-callback observes it, and `{}()` has no `except Exception` handler",
            c.task, c.coroutine
        ),
        Kind::ShutdownNotWired => format!(
            "The project starts a `{}` but never calls its shutdown ({}) on that instance: its tasks outlive the application's shutdown",
            c.slot, c.others
        ),
    }
}

/// The tasks of the owner's collection as an expression: a mapping's
/// values (`self._tasks.values()`), a list's or set's items.
fn tasks_of(c: &MessageContext) -> String {
    if c.nested {
        let outer = if c.mapping {
            format!("{}.values()", c.slot)
        } else {
            c.slot.to_string()
        };
        let inner = if c.nested_mapping {
            "ts.values()"
        } else {
            "ts"
        };
        return format!("(t for ts in {outer} for t in {inner})");
    }
    if c.mapping {
        format!("{}.values()", c.slot)
    } else {
        c.slot.to_string()
    }
}

pub(crate) fn help(kind: Kind, c: &MessageContext) -> String {
    match kind {
        Kind::Dangling | Kind::UnawaitedLocal if c.task_group => {
            "Await the task, run it in an `asyncio.TaskGroup`, or store it on an owner that cancels and awaits it on shutdown".to_string()
        }
        Kind::Dangling | Kind::UnawaitedLocal => {
            "Await the task (or `asyncio.gather` it), or store it on an owner that cancels and awaits it on shutdown".to_string()
        }
        Kind::NoShutdown if c.collection => format!(
            "In the owner's shutdown, cancel every task in `{0}` and then await them with `asyncio.gather(*{1}, return_exceptions=True)`",
            c.slot,
            tasks_of(c)
        ),
        Kind::NoShutdown => format!(
            "In the owner's shutdown, call `{0}.cancel()` and then await it under `contextlib.suppress(asyncio.CancelledError)`",
            c.slot
        ),
        Kind::CancelNotAwaited if c.collection => format!(
            "After cancelling them, await the tasks (`await asyncio.gather(*{1}, return_exceptions=True)`) before clearing `{0}`",
            c.slot,
            tasks_of(c)
        ),
        Kind::CancelNotAwaited => format!(
            "After `{0}.cancel()`, await it under `contextlib.suppress(asyncio.CancelledError)` so shutdown waits for the task to finish",
            c.slot
        ),
        Kind::CancelledErrorEscapes => {
            "Await the cancelled task under `with contextlib.suppress(asyncio.CancelledError):`, or use `asyncio.gather(..., return_exceptions=True)`".to_string()
        }
        Kind::UnguardedRestart => format!(
            "Return early while the task runs (`if {0} is not None and not {0}.done(): return`), or cancel it before replacing it",
            c.slot
        ),
        Kind::UnboundedCollection if c.nested => format!(
            "Remove finished tasks from the container inside `{}` they were added to: `task.add_done_callback({}[key].remove)` right after adding it (`.discard` for a set)",
            c.slot, c.slot
        ),
        Kind::UnboundedCollection if c.mapping => format!(
            "Remove finished tasks: `task.add_done_callback(lambda _: {}.pop(key, None))` right after storing it under `key`",
            c.slot
        ),
        Kind::UnboundedCollection => format!(
            "Remove finished tasks: `task.add_done_callback({}.discard)` right after adding it (`.remove` for a list)",
            c.slot
        ),
        Kind::SwallowsCancellation => {
            "Re-raise `CancelledError` in the handler (`except asyncio.CancelledError: raise`), or catch `Exception` instead".to_string()
        }
        Kind::SilentFailure => {
            "Await the task in the owner's shutdown, add a done-callback that retrieves `task.exception()`, or log failures with `except Exception` in the coroutine".to_string()
        }
        Kind::ShutdownNotWired => format!(
            "Call {} from the application's shutdown: after `yield` in the lifespan, an `on_shutdown` handler, or a `finally` around the run",
            c.others
        ),
    }
}

pub(crate) const LABEL_CANCELLED: &str = "cancelled here, never awaited afterwards";
pub(crate) const LABEL_AWAITED_UNHANDLED: &str = "awaited here without handling `CancelledError`";
pub(crate) const LABEL_SPAWNED: &str = "task spawned here";
pub(crate) const LABEL_STORED: &str = "stored here without a guard";
pub(crate) const LABEL_ADDED: &str = "added here, never removed";
pub(crate) const LABEL_STARTED: &str = "started here, never stopped";

/// Where a transferred task went, in words (the inventory's `transferred (…)`).
pub(crate) mod transfer {
    pub(crate) const GATHERED: &str = "gathered into a future";
    pub(crate) const RETURNED: &str = "returned to the caller";
    pub(crate) const YIELDED: &str = "yielded to the caller";
    pub(crate) const BORROWED: &str = "added to a collection borrowed from elsewhere";
    pub(crate) const IN_EXPRESSION: &str = "used in an expression";
    pub(crate) const NOT_FOLLOWED: &str = "not followed";

    /// `added to `app`, a collection borrowed from elsewhere`: a local
    /// name of another object's collection.
    pub(crate) fn borrowed_local(name: &str) -> String {
        format!("added to `{name}`, a collection borrowed from elsewhere")
    }

    /// `stored on `job.task``.
    pub(crate) fn stored_on(target: &str) -> String {
        format!("stored on `{target}`")
    }

    /// `added to `server.tasks``, or to another object.
    pub(crate) fn added_to(container: Option<&str>) -> String {
        match container {
            Some(c) => format!("added to `{c}`"),
            None => "added to another object".to_string(),
        }
    }

    /// `passed to `register()``, `passed to the constructor `Job()``.
    pub(crate) fn passed_to(callee: Option<&str>, constructor: bool) -> String {
        match callee {
            Some(c) if constructor => format!("passed to the constructor `{c}()`"),
            Some(c) => format!("passed to `{c}()`"),
            None => "passed to a call".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_count_what_they_leave_out() {
        let names = vec!["`a()`".to_string(), "`b()`".to_string()];
        assert_eq!(listed(&names, 0), "`a()`, `b()`");
        assert_eq!(listed(&names, 1), "`a()`, `b()` and 1 other function");
        assert_eq!(listed(&names, 7), "`a()`, `b()` and 7 other functions");
        assert_eq!(listed(&[], 0), "");
    }
}
