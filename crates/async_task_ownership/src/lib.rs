//! ASYNC-TASK-OWNERSHIP: for every background task a Python module starts
//! (`asyncio.create_task`, `ensure_future`, `loop.create_task`, …) decide who
//! owns it, how long it lives, how it is stopped and who hears about its
//! failures — and report what is missing.
//!
//! The crate is a pure function from a parsed [`ruff_python_ast::ModModule`]
//! to [`Diagnostic`]s plus an inventory of every spawn site ([`TaskRecord`]).
//! It does no I/O, keeps no global state and does not panic on any input the
//! parser accepts; its traversal grows its stack on the heap for deep trees.
//!
//! ```
//! use async_task_ownership::{check_source, Kind, Settings};
//!
//! let source = "import asyncio\n\nasync def main():\n    asyncio.create_task(work())\n";
//! let result = check_source(source, "app.py", &Settings::default());
//! assert!(result.syntax_errors.is_empty());
//! assert_eq!(result.report.diagnostics[0].kind, Kind::Dangling);
//! assert_eq!(result.report.inventory.len(), 1);
//! ```
//!
//! A host linter that already parsed the file calls [`check_module`] with its
//! own tree; every range is a [`ruff_text_size::TextRange`] into its source.
#![warn(missing_docs)]

mod analysis;
mod diagnostic;
mod inventory;
mod kind;
pub mod lines;
mod messages;
pub mod noqa;
pub mod project;
pub mod rule;
mod settings;

pub use diagnostic::{Diagnostic, SecondaryLocation, RULE_CODE, RULE_NAME};
pub use inventory::{
    CancelledErrorHandling, ExceptionControl, Lifetime, Owner, Purpose, Scope, Shutdown, Site,
    TaskRecord,
};
pub use kind::{Kind, Risk};
pub use settings::{PythonVersion, Settings};

use ruff_python_ast::{ModModule, PySourceType};
use ruff_text_size::TextRange;
use serde::Serialize;

/// What the rule found in one module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// One diagnostic per enabled, unsuppressed finding, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
    /// One record per spawn site, healthy ones included, ordered by position.
    pub inventory: Vec<TaskRecord>,
}

/// A syntax error found by [`check_source`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxError {
    /// The parser's message.
    pub message: String,
    /// Where it is, a range into the source.
    #[serde(serialize_with = "diagnostic::ser_range")]
    pub range: TextRange,
}

/// The result of [`check_source`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// Syntax errors; when there are any, the rule does not run (as in Ruff)
    /// and `report` is empty.
    pub syntax_errors: Vec<SyntaxError>,
    /// The rule's report.
    pub report: Report,
}

/// Runs the rule over an already parsed module.
///
/// `source` is the text the module was parsed from; `path` is used only to
/// decide test scope (SPEC §7) and may be empty. `# noqa` comments on a
/// diagnostic's first line suppress it (the inventory still lists the finding).
pub fn check_module(module: &ModModule, source: &str, path: &str, settings: &Settings) -> Report {
    analysis::check(module, source, path, settings)
}

/// Runs the rule over an already parsed module and also extracts its facts
/// for the project-level pass ([`project::check_project`]), from one analysis.
///
/// `module_name` is the module's dotted name (`app.scheduler`), used to
/// resolve relative imports. `is_project_module` says whether a dotted name is
/// a module of the run: a module that spawns nothing and imports none of
/// them cannot start or stop an owner, so its facts are left empty without
/// scanning it, and instances of classes and calls on names of modules
/// outside the run are left out (pass `&|_| true` to keep everything).
pub fn check_module_with_facts(
    parsed: &ruff_python_parser::Parsed<ModModule>,
    source: &str,
    path: &str,
    module_name: &str,
    settings: &Settings,
    is_project_module: &dyn Fn(&str) -> bool,
) -> (Report, project::ModuleFacts) {
    let mut union = project::MethodUnion::new();
    let (report, mut facts) = check_module_with_facts_into(
        parsed,
        source,
        path,
        module_name,
        settings,
        is_project_module,
        &mut union,
    );
    facts.unresolved_methods = union.iter().collect();
    (report, facts)
}

/// [`check_module_with_facts`], adding the methods the module calls on
/// receivers it cannot name to `union` instead of to its facts (whose
/// `unresolved_methods` stay empty).
///
/// A host that joins many modules keeps one union (per thread) and joins
/// the owners' stop methods found in them as the facts of one more module
/// ([`project::MethodUnion::only`] of each union, or of their
/// [`project::MethodUnion::merge`]): the join looks these names up across
/// modules, never module by module.
pub fn check_module_with_facts_into(
    parsed: &ruff_python_parser::Parsed<ModModule>,
    source: &str,
    path: &str,
    module_name: &str,
    settings: &Settings,
    is_project_module: &dyn Fn(&str) -> bool,
    union: &mut project::MethodUnion,
) -> (Report, project::ModuleFacts) {
    let module = parsed.syntax();
    let (report, owners) =
        analysis::check_full(module, Some(parsed.tokens()), source, path, settings, true);
    let facts = project::facts_from(
        module,
        source,
        path,
        module_name,
        owners,
        Some(is_project_module),
        Some(union),
    );
    (report, facts)
}

/// Parses `source` as a Python module and runs the rule on it.
///
/// Syntax errors are returned as data; the rule runs only on a module that
/// parsed without errors.
pub fn check_source(source: &str, path: &str, settings: &Settings) -> SourceReport {
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let syntax_errors: Vec<SyntaxError> = parsed
        .errors()
        .iter()
        .map(|e| SyntaxError {
            message: e.error.to_string(),
            range: e.location,
        })
        .collect();
    let report = if syntax_errors.is_empty() {
        check_module(parsed.syntax(), source, path, settings)
    } else {
        Report::default()
    };
    drop_deep(parsed);
    SourceReport {
        syntax_errors,
        report,
    }
}

/// Drops a parsed module on a stack deep enough for it.
///
/// The parser grows its own stack, but dropping the tree recurses once per
/// nesting level: a 100,000-deep expression overflows a 2 MiB thread. The depth
/// is bounded from the tokens (an expression lies within one logical line;
/// statements nest one indentation at a time), and when the bound exceeds the
/// stack left, the tree is dropped on a fresh heap-allocated stack of that size.
fn drop_deep(parsed: ruff_python_parser::Parsed<ModModule>) {
    const RED_ZONE: usize = 64 * 1024;
    let needed = drop_stack_bound(parsed.tokens()).saturating_add(RED_ZONE);
    if stacker::remaining_stack().is_some_and(|left| left >= needed) {
        drop(parsed);
    } else {
        stacker::grow(needed.saturating_add(1024 * 1024), move || drop(parsed));
    }
}

/// An upper bound on the stack that dropping the tree of `tokens` needs.
///
/// Measured on ruff 0.16.4's tree: at most about 110 bytes per token of a
/// logical line (nested f-strings, debug build) and 450 bytes per indentation
/// level (nested `match`); this allows twice that.
fn drop_stack_bound(tokens: &[ruff_python_ast::token::Token]) -> usize {
    use ruff_python_ast::token::TokenKind;
    const PER_TOKEN: usize = 256;
    const PER_INDENT: usize = 1024;
    let (mut line, mut max_line, mut indent, mut max_indent) = (0usize, 0usize, 0usize, 0usize);
    for token in tokens {
        match token.kind() {
            TokenKind::Newline => {
                max_line = max_line.max(line);
                line = 0;
            }
            TokenKind::Indent => {
                indent += 1;
                max_indent = max_indent.max(indent);
            }
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            _ => line += 1,
        }
    }
    max_line = max_line.max(line);
    max_line
        .saturating_mul(PER_TOKEN)
        .saturating_add(max_indent.saturating_mul(PER_INDENT))
}
