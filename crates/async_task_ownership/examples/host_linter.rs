//! Plays the part of a host linter that embeds ASYNC-TASK-OWNERSHIP as a
//! plug-in rule (docs/embedding.md walks through the same steps).
//!
//! The host parses the file itself with `ruff_python_parser`, runs a check of
//! its own over the tree (`HOST001`: a `print()` call), runs this crate's rule
//! over the *same* tree with [`async_task_ownership::check_module`], maps every
//! range to `line:column` with `ruff_source_file::LineIndex`, and prints both
//! kinds of diagnostics in one list sorted by position:
//!
//! ```text
//! cargo run -p async_task_ownership --example host_linter -- app.py
//! app.py:5:5: HOST001 `print()` call found: use `logging` instead
//! app.py:9:5: ATO101 [dangling] Task `asyncio.create_task(notify(order_id))` is discarded: …
//! ```
//!
//! Without an argument it checks a built-in sample. Exit status, as a linter's:
//! 0 nothing found, 1 diagnostics, 2 the file could not be read or parsed.

use std::process::ExitCode;

use async_task_ownership::rule::RULE;
use async_task_ownership::{check_module, Settings};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ModModule};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};

/// Checked when no file is given.
const SAMPLE: &str = r#"import asyncio


async def notify(order_id):
    print("notifying", order_id)


async def handle(order_id):
    asyncio.create_task(notify(order_id))
    print("handled", order_id)
"#;

/// The host's own diagnostic type: every rule, built in or plugged in, ends
/// up as one of these.
struct HostDiagnostic {
    range: TextRange,
    code: &'static str,
    message: String,
}

/// The host's own check: `HOST001`, a call of the builtin `print`.
#[derive(Default)]
struct PrintCalls {
    found: Vec<HostDiagnostic>,
}

impl<'a> Visitor<'a> for PrintCalls {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if matches!(call.func.as_ref(), Expr::Name(name) if name.id == "print") {
                self.found.push(HostDiagnostic {
                    range: call.range(),
                    code: "HOST001",
                    message: "`print()` call found: use `logging` instead".to_string(),
                });
            }
        }
        visitor::walk_expr(self, expr);
    }
}

fn host_checks(module: &ModModule) -> Vec<HostDiagnostic> {
    let mut check = PrintCalls::default();
    check.visit_body(&module.body);
    check.found
}

/// The plug-in rule, run over the host's tree; its diagnostics converted into
/// the host's type. The code is the kind's alias code (`ATO101`), as in `# noqa`.
fn plugin_checks(
    module: &ModModule,
    source: &str,
    path: &str,
    settings: &Settings,
) -> Vec<HostDiagnostic> {
    let report = check_module(module, source, path, settings);
    report
        .diagnostics
        .into_iter()
        .map(|d| HostDiagnostic {
            range: d.range,
            code: d.kind.code(),
            message: format!("[{}] {}", d.kind.name(), d.message),
        })
        .collect()
}

fn main() -> ExitCode {
    let (path, source) = match std::env::args().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(source) => (path, source),
            Err(err) => {
                eprintln!("error: failed to read `{path}`: {err}");
                return ExitCode::from(2);
            }
        },
        None => ("sample.py".to_string(), SAMPLE.to_string()),
    };
    let index = LineIndex::from_source_text(&source);
    let position = |range: TextRange| {
        let at = index.line_column(range.start(), &source);
        format!("{path}:{}:{}", at.line, at.column)
    };

    // The host parses once; every check shares the tree.
    let parsed = match ruff_python_parser::parse_module(&source) {
        Ok(parsed) => parsed,
        Err(err) => {
            eprintln!("{}: invalid-syntax {}", position(err.location), err.error);
            return ExitCode::from(2);
        }
    };

    let mut diagnostics = host_checks(parsed.syntax());
    diagnostics.extend(plugin_checks(
        parsed.syntax(),
        &source,
        &path,
        &Settings::default(),
    ));
    diagnostics.sort_by_key(|d| (d.range.start(), d.code));

    for d in &diagnostics {
        println!("{}: {} {}", position(d.range), d.code, d.message);
    }
    if diagnostics.is_empty() {
        println!("All checks passed! (host rules and {})", RULE.code);
        ExitCode::SUCCESS
    } else {
        println!("Found {} diagnostics.", diagnostics.len());
        ExitCode::from(1)
    }
}
