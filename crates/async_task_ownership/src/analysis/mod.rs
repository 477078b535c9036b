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

use ruff_python_ast::token::{Token, TokenKind};
use ruff_python_ast::ModModule;
use ruff_text_size::Ranged;

use crate::{Report, Settings};

pub(crate) use class_owners::ClassOwner;
pub(crate) use facts::is_super_call;
pub(crate) use stack::guard as stack_guard;

pub(crate) fn check(module: &ModModule, source: &str, path: &str, settings: &Settings) -> Report {
    check_full(module, None, source, path, settings, false).0
}

/// The module's report and, when `want_owners`, its task-owning classes for
/// the project-level pass — from one analysis. With the module's `tokens`,
/// a module that names a spawn function only in comments, strings or longer
/// names is not analysed either.
pub(crate) fn check_full(
    module: &ModModule,
    tokens: Option<&[Token]>,
    source: &str,
    path: &str,
    settings: &Settings,
    want_owners: bool,
) -> (Report, Vec<class_owners::ClassOwner>) {
    if !may_spawn(source, tokens, settings) {
        return (Report::default(), Vec::new());
    }
    let model = model::Model::build(module);
    let facts = facts::collect(&model, settings, module);
    let index = owners::Index::build(&facts);
    let is_spawn = owners::spawning_sites(&model, &facts, &index);
    if !is_spawn.iter().any(|s| *s) {
        return (Report::default(), Vec::new());
    }
    let lines = crate::lines::Lines::new(source);
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
///
/// With the tokens, an occurrence counts only where it is code: the name
/// `create_task` or `ensure_future` itself, or the name `Task` before a `(`
/// (the analysis recognises nothing else: a spawn form is a call or an
/// import of one of these names). About one module in thirteen that
/// mentions them does so only in a docstring, a comment or a longer name
/// (25 of the 329 in the corpus of `scripts/corpus.sh`).
fn may_spawn(source: &str, tokens: Option<&[Token]>, settings: &Settings) -> bool {
    let bytes = source.as_bytes();
    let in_code = |at: usize, needle: &str| match tokens {
        None => true,
        Some(tokens) => names_in_code(tokens, bytes, at, needle),
    };
    // memmem's vectorised search: several times faster than `str::contains`
    // on whole modules.
    let names = |needle: &str| match tokens {
        None => memchr::memmem::find(bytes, needle.as_bytes()).is_some(),
        Some(_) => {
            memchr::memmem::find_iter(bytes, needle.as_bytes()).any(|at| in_code(at, needle))
        }
    };
    let spawn_names = match &*SPAWN_NAMES {
        // The three names in one pass over the text (this check runs on
        // every file of a run): at each occurrence found, every name that
        // starts there is tried, then the search goes on one byte further,
        // so that no occurrence of any name is passed over.
        Some(searcher) => {
            let mut from = 0;
            loop {
                let Some(found) =
                    searcher.find_in(bytes, aho_corasick::Span::from(from..bytes.len()))
                else {
                    break false;
                };
                let at = found.start();
                if SPAWN_NEEDLES
                    .iter()
                    .any(|needle| bytes[at..].starts_with(needle.as_bytes()) && in_code(at, needle))
                {
                    break true;
                }
                from = at + 1;
            }
        }
        None => SPAWN_NEEDLES.iter().any(|needle| names(needle)),
    };
    spawn_names
        || settings
            .extra_spawn_functions
            .iter()
            .filter_map(|f| f.rsplit('.').next())
            .any(|last| !last.is_empty() && names(last))
}

/// What every spawn form names (see [`may_spawn`]).
const SPAWN_NEEDLES: [&str; 3] = ["create_task", "ensure_future", "Task("];

/// A vectorised search for any of [`SPAWN_NEEDLES`] (Teddy, from the
/// `aho-corasick` crate that ripgrep uses), built on first use and never
/// changed after (a constant, not state: every call sees the same
/// searcher); `None` where the processor has no vector instructions for it.
static SPAWN_NAMES: std::sync::LazyLock<Option<aho_corasick::packed::Searcher>> =
    std::sync::LazyLock::new(|| aho_corasick::packed::Searcher::new(SPAWN_NEEDLES));

/// Whether the occurrence of `needle` at byte `at` is the name it spells
/// (`create_task`), or for `Task(`, the name `Task` called: a token of its
/// own, not a comment, a string or a part of a longer name.
fn names_in_code(tokens: &[Token], bytes: &[u8], at: usize, needle: &str) -> bool {
    let name = needle.strip_suffix('(').unwrap_or(needle);
    let Ok(at) = u32::try_from(at) else {
        return false;
    };
    // The token that starts at `at`, if one does.
    let i = tokens.partition_point(|t| t.start().to_u32() < at);
    let Some(token) = tokens.get(i).filter(|t| t.start().to_u32() == at) else {
        return false;
    };
    let text = bytes
        .get(token.start().to_usize()..token.end().to_usize())
        .unwrap_or_default();
    token.kind() == TokenKind::Name
        && text == name.as_bytes()
        // `Task(`: the next token is the call's parenthesis.
        && (name.len() == needle.len()
            || tokens.get(i + 1).is_some_and(|t| t.kind() == TokenKind::Lpar))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_tokens(source: &str) -> bool {
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        may_spawn(source, Some(parsed.tokens()), &Settings::default())
    }

    #[test]
    fn spawn_names_count_only_in_code() {
        let not_code = [
            "\"\"\"Calls asyncio.create_task() and ensure_future().\"\"\"\n",
            "# asyncio.Task(coro) would spawn\nx = 1\n",
            "def _create_task_later(): pass\nMyTask(1)\nx = 'Task('\n",
            "f = f'{1}create_task'\n",
        ];
        for source in not_code {
            // The text names them: the plain search says yes.
            assert!(may_spawn(source, None, &Settings::default()), "{source}");
            assert!(!with_tokens(source), "{source}");
        }
        let code = [
            "import asyncio\nasyncio.create_task(work())\n",
            "from asyncio import ensure_future as go\n",
            "loop.create_task(work())\n",
            "asyncio.Task(work())\n",
            "spawn = asyncio.create_task\n",
            "x = f'{asyncio.create_task(w())}'\n",
            // Offsets past a byte-order mark and multi-byte text.
            "\u{feff}# é\nimport asyncio\nasyncio.create_task(w())\n",
            "s = 'ü'; asyncio.Task(w())\r\n",
            // Names in a string and a comment first: the search goes on.
            "x = 'create_task ensure_future Task('  # Task(\nloop.create_task(w())\n",
            "MyTask(1)\nTask(w())\n",
        ];
        for source in code {
            assert!(with_tokens(source), "{source}");
        }
    }
}
