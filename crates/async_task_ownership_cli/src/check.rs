//! Checking files in parallel.
//!
//! Files are checked on a rayon pool whose worker threads have a 256 MiB
//! stack: deep Python expressions overflow small stacks when the tree is
//! walked or dropped, so both the parse and the drop of the tree happen on
//! those threads. Each file is read once into a `String` (no copy: the bytes
//! become the string), parsed, checked and its tree dropped; only the
//! diagnostics (with their positions) and, when the output needs it, the
//! source travel back. Results keep the input order, which is sorted, so the
//! output does not depend on the thread count.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

use async_task_ownership::{Kind, Risk, SecondaryLocation, Settings, TaskRecord};
use rayon::prelude::*;
use ruff_python_ast::PySourceType;
use ruff_source_file::LineIndex;
use ruff_text_size::TextRange;

use crate::config::Config;
use crate::discovery::FileEntry;

/// The stack of each worker thread.
pub const WORKER_STACK_SIZE: usize = 256 * 1024 * 1024;

/// Where a file's text comes from.
#[derive(Debug)]
pub enum Text {
    /// Read the file at this path.
    Path(PathBuf),
    /// Already read from standard input.
    Stdin(Vec<u8>),
}

/// One file to check.
#[derive(Debug)]
pub struct Input {
    /// Its paths.
    pub entry: FileEntry,
    /// Its text.
    pub text: Text,
}

/// What to do with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Parse only; run no rule, keep nothing.
    ParseOnly,
    /// Run the rule; keep the source for rendering when `keep_source`.
    Check {
        /// Whether the output format prints source lines.
        keep_source: bool,
    },
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub row: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// A diagnostic ready to print: the rule's, or a syntax error.
#[derive(Debug, Clone)]
pub struct Message {
    /// The kind; `None` for a syntax error.
    pub kind: Option<Kind>,
    /// What is wrong.
    pub body: String,
    /// What to do instead (rule diagnostics only).
    pub help: Option<String>,
    /// The range in the source.
    pub range: TextRange,
    /// Where it starts.
    pub start: Position,
    /// Where it ends.
    pub end: Position,
    /// Locations that explain it.
    pub secondary: Vec<Secondary>,
}

/// A labelled secondary location.
#[derive(Debug, Clone)]
pub struct Secondary {
    /// The range in the source.
    pub range: TextRange,
    /// Where it starts.
    pub start: Position,
    /// Where it ends.
    pub end: Position,
    /// What happens there.
    pub label: String,
}

impl Message {
    /// The code printed for the message: the kind's alias code, or `invalid-syntax`.
    pub fn code(&self) -> &'static str {
        self.kind.map_or("invalid-syntax", Kind::code)
    }
}

/// The result of checking one file.
#[derive(Debug)]
pub struct FileResult {
    /// Its paths.
    pub entry: FileEntry,
    /// The source and its line index, when the output format needs them.
    pub source: Option<SourceText>,
    /// Diagnostics, sorted by position.
    pub messages: Vec<Message>,
    /// One record per spawn site.
    pub inventory: Vec<TaskRecord>,
    /// Whether the file had syntax errors (the rule did not run).
    pub syntax_errors: bool,
}

/// A file's text with its line index.
#[derive(Debug)]
pub struct SourceText {
    /// The text.
    pub text: String,
    /// Its line starts.
    pub index: LineIndex,
}

/// The outcome for one file.
#[derive(Debug)]
pub enum Outcome {
    /// Checked (possibly with syntax errors).
    Checked(Box<FileResult>),
    /// Not checked: `failed to read PATH: reason`, or an internal error.
    Failed(String),
}

/// Builds the worker pool (`RAYON_NUM_THREADS` sets its size).
pub fn pool() -> anyhow::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_SIZE)
        .thread_name(|i| format!("check-{i}"))
        .build()
        .map_err(|e| anyhow::anyhow!("failed to start the worker threads: {e}"))
}

/// Checks every input on `pool`, keeping the input order.
pub fn run(
    pool: &rayon::ThreadPool,
    inputs: Vec<Input>,
    config: &Config,
    mode: Mode,
) -> Vec<Outcome> {
    pool.install(|| {
        inputs
            .into_par_iter()
            .map(|input| {
                let display = input.entry.display.clone();
                std::panic::catch_unwind(AssertUnwindSafe(|| check_one(input, config, mode)))
                    .unwrap_or_else(|_| {
                        Outcome::Failed(format!("internal error while checking {display}"))
                    })
            })
            .collect()
    })
}

/// Reads a file's bytes as UTF-8 without copying them.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

fn check_one(input: Input, config: &Config, mode: Mode) -> Outcome {
    let bytes = match input.text {
        Text::Stdin(bytes) => bytes,
        Text::Path(path) => match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Outcome::Failed(format!("failed to read {}: {e}", input.entry.display))
            }
        },
    };
    let source = match decode(bytes) {
        Ok(source) => source,
        Err(reason) => {
            return Outcome::Failed(format!("failed to read {}: {reason}", input.entry.display))
        }
    };

    let parsed = ruff_python_parser::parse_unchecked_source(&source, PySourceType::Python);
    let Mode::Check { keep_source } = mode else {
        drop(parsed);
        return Outcome::Checked(Box::new(FileResult {
            entry: input.entry,
            source: None,
            messages: Vec::new(),
            inventory: Vec::new(),
            syntax_errors: false,
        }));
    };

    let index = LineIndex::from_source_text(&source);
    let position = |offset| {
        let lc = index.line_column(offset, &source);
        Position {
            row: lc.line.get(),
            column: lc.column.get(),
        }
    };
    let mut messages = Vec::new();
    let mut inventory = Vec::new();
    let syntax_errors = !parsed.errors().is_empty();
    if syntax_errors {
        for error in parsed.errors() {
            messages.push(Message {
                kind: None,
                body: error.error.to_string(),
                help: None,
                range: error.location,
                start: position(error.location.start()),
                end: position(error.location.end()),
                secondary: Vec::new(),
            });
        }
    } else {
        let settings: &Settings = &config.settings;
        let report = async_task_ownership::check_module(
            parsed.syntax(),
            &source,
            &input.entry.relative,
            settings,
        );
        let ignored = config.ignored_kinds(&input.entry.relative);
        for d in report.diagnostics {
            if ignored.contains(&d.kind) {
                continue;
            }
            let secondary = d
                .secondary
                .into_iter()
                .map(|SecondaryLocation { range, label }| Secondary {
                    range,
                    start: position(range.start()),
                    end: position(range.end()),
                    label,
                })
                .collect();
            messages.push(Message {
                kind: Some(d.kind),
                body: d.message,
                help: Some(d.help),
                range: d.range,
                start: position(d.range.start()),
                end: position(d.range.end()),
                secondary,
            });
        }
        inventory = report.inventory;
        // Kinds turned off by `select`/`ignore` are not findings of this run
        // (`# noqa` and `per-file-ignores` only hide the diagnostic).
        for record in &mut inventory {
            record.findings.retain(|k| settings.is_enabled(*k));
            record.risk = record
                .findings
                .iter()
                .map(|k| k.risk())
                .max()
                .unwrap_or(Risk::None);
        }
    }
    // The tree is dropped here, on the worker's large stack.
    drop(parsed);
    messages.sort_by_key(|m| (m.start, m.end, m.kind));
    let keep_source = keep_source && !messages.is_empty();
    Outcome::Checked(Box::new(FileResult {
        entry: input.entry,
        // Only files with something to show keep their text.
        source: keep_source.then_some(SourceText {
            text: source,
            index,
        }),
        messages,
        inventory,
        syntax_errors,
    }))
}
