//! The command line, declared with clap's derive API.
//!
//! Every subcommand that reads Python files shares [`FileArgs`]: the paths,
//! the configuration file and the flags that override the configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Who owns every asyncio task a Python project starts, and how it is stopped.
#[derive(Debug, Parser)]
#[command(
    name = "async-task-ownership",
    version,
    about,
    long_about = "Finds asyncio background tasks without an owner, a shutdown or exception \
                  control (rule ASYNC-TASK-OWNERSHIP), and writes an audit of every spawn site.",
    propagate_version = true,
    arg_required_else_help = true,
    after_help = "Exit status: 0 no diagnostics, 1 diagnostics found, 2 error \
                  (bad configuration, unreadable path, non-UTF-8 file)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Python files and print a diagnostic per finding.
    Check(CheckArgs),
    /// Write an audit report of every spawn site, healthy ones included.
    Audit(AuditArgs),
    /// Print the rule's documentation.
    Rule(RuleArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub files: FileArgs,

    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,

    /// Exit with status 0 even when diagnostics are found (errors still exit 2).
    #[arg(long, short = 'e')]
    pub exit_zero: bool,

    /// Print the number of diagnostics per kind instead of the diagnostics.
    #[arg(long)]
    pub statistics: bool,

    /// Print the files that would be checked, one per line, and exit.
    #[arg(long, conflicts_with_all = ["show_settings", "statistics"])]
    pub show_files: bool,

    /// Print the resolved configuration and exit.
    #[arg(long, conflicts_with = "statistics")]
    pub show_settings: bool,

    /// Parse every file and run no rule; print nothing but errors (a benchmark baseline).
    #[arg(long, hide = true)]
    pub parse_only: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub files: FileArgs,

    /// The report's format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Markdown)]
    pub format: AuditFormat,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Print the kinds (alias code, name, summary) instead of the documentation.
    #[arg(long)]
    pub kinds: bool,
}

/// Paths, configuration and the flags that override it.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// Files or directories to check; `-` reads one file from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Read the configuration from this file (a `pyproject.toml` or an
    /// `async-task-ownership.toml`) instead of searching for one.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,

    /// Report only these kinds (names such as `dangling`, alias codes such as
    /// `ATO101`, code prefixes such as `ATO2`, or `ALL`). Overrides `select`.
    #[arg(long, value_delimiter = ',', value_name = "KIND")]
    pub select: Option<Vec<String>>,

    /// Do not report these kinds (same forms as `--select`). Adds to `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "KIND")]
    pub ignore: Vec<String>,

    /// Globs of files and directories to skip, replacing `exclude` and the defaults.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,

    /// Globs of files and directories to skip in addition to `exclude`.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,

    /// Kinds to ignore in matching files, as `GLOB:KIND,KIND`. Adds to `per-file-ignores`.
    #[arg(long, value_name = "GLOB:KINDS")]
    pub per_file_ignores: Vec<String>,

    /// The Python version the code targets (`3.11`, `py311`).
    #[arg(long, value_name = "VERSION")]
    pub target_version: Option<String>,

    /// An extra spawn function by qualified name (`myapp.tasks.spawn`); repeatable.
    #[arg(long, value_name = "NAME")]
    pub extra_spawn_function: Vec<String>,

    /// An extra name whose `.create_task(...)` is an event loop's; repeatable.
    #[arg(long, value_name = "NAME")]
    pub extra_loop_name: Vec<String>,

    /// An extra function that takes ownership of a task passed to it; repeatable.
    #[arg(long, value_name = "NAME")]
    pub extra_owning_callee: Vec<String>,

    /// A glob of paths that count as test scope, added to `test-paths`; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub test_path: Vec<String>,

    /// Do not read `.gitignore`, `.ignore` and git's exclude files.
    #[arg(long)]
    pub no_respect_gitignore: bool,

    /// The file name to use for standard input (`-`): for messages, test
    /// scope, per-file ignores and configuration discovery.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Ruff's `full` format: the source with the range marked and a help line.
    Full,
    /// One line per diagnostic: `path:row:col: CODE [kind] message`.
    Concise,
    /// Ruff's JSON schema, plus `kind` and `help`.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// A Markdown report.
    Markdown,
    /// The inventory as JSON.
    Json,
}
