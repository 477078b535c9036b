//! The analysis, split by the way the data flows (STYLE.md):
//!
//! ```text
//! model (scopes, classes, imports)  →  facts (one traversal: events, flows, handlers)
//!   →  owners (§1 factories, §2 owner of each spawn)  →  lifecycle (§3, per slot)
//!   →  body (§4, per coroutine)  →  findings (inventory §5, diagnostics §6)
//! ```
//!
//! Every stage returns plain data; every slot and every coroutine body is
//! analysed once, so the cost stays linear in the size of the module.

mod body;
mod class_owners;
mod facts;
mod findings;
mod lifecycle;
mod model;
mod names;
mod owners;
mod scope;
mod spawn;
mod stack;

use ruff_python_ast::ModModule;
use ruff_source_file::LineIndex;

use crate::{Report, Settings};

pub(crate) use class_owners::ClassOwner;
pub(crate) use stack::guard as stack_guard;

pub(crate) fn check(module: &ModModule, source: &str, path: &str, settings: &Settings) -> Report {
    check_full(module, source, path, settings, false).0
}

/// The module's report and, when `want_owners`, its task-owning classes for
/// the project-level pass — from one analysis.
pub(crate) fn check_full(
    module: &ModModule,
    source: &str,
    path: &str,
    settings: &Settings,
    want_owners: bool,
) -> (Report, Vec<class_owners::ClassOwner>) {
    if !may_spawn(source, settings) {
        return (Report::default(), Vec::new());
    }
    let model = model::Model::build(module);
    let facts = facts::collect(&model, settings, module);
    let index = owners::Index::build(&facts);
    let is_spawn = owners::spawning_sites(&model, &facts, &index);
    if !is_spawn.iter().any(|s| *s) {
        return (Report::default(), Vec::new());
    }
    let lines = LineIndex::from_source_text(source);
    let report = findings::assemble(&findings::Input {
        model: &model,
        facts: &facts,
        index: &index,
        is_spawn: &is_spawn,
        source,
        lines: &lines,
        settings,
        scope: scope::scope_of(path, &settings.test_paths),
    });
    let owners = if want_owners {
        class_owners::class_owners(&model, &facts, &index, &is_spawn)
    } else {
        Vec::new()
    };
    (report, owners)
}

/// Whether the source can contain a spawn site at all. Every spawn form names
/// `create_task`, `ensure_future` or `Task(` somewhere in the module (in the
/// call or in the import that aliases it), or a configured spawn function;
/// most modules name none, and skipping them keeps the rule cheap.
fn may_spawn(source: &str, settings: &Settings) -> bool {
    // memmem's vectorised search: several times faster than `str::contains`
    // on whole modules, and this check runs on every file of a run.
    let bytes = source.as_bytes();
    let names = |needle: &str| memchr::memmem::find(bytes, needle.as_bytes()).is_some();
    names("create_task")
        || names("ensure_future")
        || names("Task(")
        || settings
            .extra_spawn_functions
            .iter()
            .filter_map(|f| f.rsplit('.').next())
            .any(|last| !last.is_empty() && names(last))
}
