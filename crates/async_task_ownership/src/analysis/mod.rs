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

pub(crate) fn check(module: &ModModule, source: &str, path: &str, settings: &Settings) -> Report {
    let model = model::Model::build(module);
    let facts = facts::collect(&model, settings, module);
    let index = owners::Index::build(&facts);
    let is_spawn = owners::spawning_sites(&model, &facts, &index);
    let lines = LineIndex::from_source_text(source);
    findings::assemble(&findings::Input {
        model: &model,
        facts: &facts,
        index: &index,
        is_spawn: &is_spawn,
        source,
        lines: &lines,
        settings,
        scope: scope::scope_of(path, &settings.test_paths),
    })
}
