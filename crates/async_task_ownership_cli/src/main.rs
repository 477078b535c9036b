//! `async-task-ownership`: the command-line driver of the ASYNC-TASK-OWNERSHIP
//! rule.
//!
//! The binary is glue, as ripgrep's is: it finds files ([`discovery`]), reads
//! the configuration ([`config`]), checks the files in parallel ([`check`])
//! with the library and prints ([`output`], [`audit`]). All rule decisions
//! stay in the library. `main` returns an exit code ([`exit`]); everything
//! below returns a `Result` or reports per file, and one bad file never stops
//! the run.

mod args;
mod audit;
mod check;
mod config;
mod discovery;
mod exit;
mod output;

use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use crate::args::{AuditArgs, CheckArgs, Cli, Command, FileArgs, RuleArgs};
use crate::check::{FileResult, Input, Mode, Outcome, Text};
use crate::exit::ExitStatus;

#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(target_env = "msvc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout (exit 0), usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let status = match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Audit(args) => run_audit(&args),
        Command::Rule(args) => run_rule(&args),
    };
    status.into()
}

/// Writes `error: MESSAGE` to standard error, ignoring a closed stderr.
pub fn error(message: &str) {
    let _ = writeln!(io::stderr().lock(), "error: {message}");
}

/// Writes `warning: MESSAGE` to standard error.
pub fn warning(message: &str) {
    let _ = writeln!(io::stderr().lock(), "warning: {message}");
}

/// Runs `write` against a buffered standard output. A closed pipe (`| head`)
/// is not an error: the run ends quietly with status 0.
fn with_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), ExitStatus> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ExitStatus::Success),
        Err(e) => {
            error(&format!("failed to write the output: {e}"));
            Err(ExitStatus::Error)
        }
    }
}

/// The checked files, and whether any path or file failed.
struct Run {
    files: Vec<FileResult>,
    failed: bool,
}

/// What to check: the configuration and the files found.
struct Plan {
    config: config::Config,
    cwd: PathBuf,
    found: discovery::Discovery,
}

/// Loads the configuration and finds the files; reports every path that
/// cannot be read on stderr.
fn plan(args: &FileArgs) -> Result<Plan, ExitStatus> {
    let config = config::load(args).map_err(|e| {
        error(&format!("{e:#}"));
        ExitStatus::Error
    })?;
    let cwd = std::env::current_dir().map_err(|e| {
        error(&format!("failed to read the current directory: {e}"));
        ExitStatus::Error
    })?;
    let found = discovery::discover(&args.paths, &cwd, &config);
    for w in &found.warnings {
        warning(w);
    }
    for e in &found.errors {
        error(e);
    }
    Ok(Plan { config, cwd, found })
}

/// Checks the planned files; reports every file that fails on stderr and
/// goes on.
fn run_files(args: &FileArgs, mode: Mode) -> Result<Run, ExitStatus> {
    let Plan { config, cwd, found } = plan(args)?;
    let mut failed = !found.errors.is_empty();

    let mut inputs: Vec<Input> = Vec::with_capacity(found.files.len() + 1);
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let name: PathBuf = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let mut bytes = Vec::new();
        match io::stdin().lock().read_to_end(&mut bytes) {
            Ok(_) => {
                let mut entry = discovery::entry(&name, &cwd, &config);
                if args.stdin_filename.is_none() {
                    entry.display = "-".to_string();
                    entry.relative = "-".to_string();
                    entry.absolute = PathBuf::from("-");
                }
                inputs.push(Input {
                    entry,
                    text: Text::Stdin(bytes),
                });
            }
            Err(e) => {
                error(&format!("failed to read standard input: {e}"));
                failed = true;
            }
        }
    }
    inputs.extend(found.files.into_iter().map(|entry| Input {
        text: Text::Path(entry.path.clone()),
        entry,
    }));

    let pool = check::pool().map_err(|e| {
        error(&format!("{e:#}"));
        ExitStatus::Error
    })?;
    let check::Checks {
        outcomes,
        unresolved,
    } = check::run(&pool, inputs, &config, mode);
    let mut files = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Outcome::Checked(file) => files.push(*file),
            Outcome::Failed(message) => {
                error(&message);
                failed = true;
            }
        }
    }
    if let Mode::Check { keep_source } = mode {
        for e in check::join_project(&mut files, unresolved, &config, keep_source) {
            error(&e);
            failed = true;
        }
    }
    Ok(Run { files, failed })
}

fn run_check(args: &CheckArgs) -> ExitStatus {
    if args.show_settings || args.show_files {
        let plan = match plan(&args.files) {
            Ok(plan) => plan,
            Err(status) => return status,
        };
        let printed = with_stdout(|out| {
            if args.show_settings {
                write!(out, "{}", plan.config)
            } else {
                if args.files.paths.iter().any(|p| p.as_os_str() == "-") {
                    writeln!(out, "-")?;
                }
                for f in &plan.found.files {
                    writeln!(out, "{}", f.display)?;
                }
                Ok(())
            }
        });
        return match printed {
            Ok(()) => ExitStatus::of(!plan.found.errors.is_empty(), false),
            Err(status) => status,
        };
    }
    let mode = if args.parse_only {
        Mode::ParseOnly
    } else {
        Mode::Check {
            keep_source: args.output_format == args::OutputFormat::Full && !args.statistics,
        }
    };
    let run = match run_files(&args.files, mode) {
        Ok(run) => run,
        Err(status) => return status,
    };
    if args.parse_only {
        let status = ExitStatus::of(run.failed, false);
        leave(run);
        return status;
    }
    let printed = with_stdout(|out| {
        if args.statistics {
            output::write_statistics(out, args.output_format, &run.files)
        } else {
            output::write_diagnostics(out, args.output_format, &run.files)
        }
    });
    if let Err(status) = printed {
        return status;
    }
    let found = run.files.iter().any(|f| !f.messages.is_empty());
    let status = ExitStatus::of(run.failed, found && !args.exit_zero);
    leave(run);
    status
}

/// Leaves the checked files to the end of the process instead of freeing
/// them one by one (thousands of paths, messages and inventories: a
/// millisecond or two of the run): nothing is used after the output.
fn leave(run: Run) {
    std::mem::forget(run);
}

fn run_audit(args: &AuditArgs) -> ExitStatus {
    let run = match run_files(&args.files, Mode::Check { keep_source: false }) {
        Ok(run) => run,
        Err(status) => return status,
    };
    let paths: Vec<String> = args
        .files
        .paths
        .iter()
        .map(|p| config::slash_path(Path::new(p)))
        .collect();
    let printed = with_stdout(|out| match args.format {
        args::AuditFormat::Markdown => audit::write_markdown(out, &paths, &run.files),
        args::AuditFormat::Json => audit::write_json(out, &run.files),
    });
    if let Err(status) = printed {
        return status;
    }
    let status = ExitStatus::of(run.failed, false);
    leave(run);
    status
}

fn run_rule(args: &RuleArgs) -> ExitStatus {
    let printed = with_stdout(|out| {
        if args.kinds {
            for k in async_task_ownership::rule::kinds() {
                writeln!(out, "{}  {:<24} {}", k.code, k.name, k.summary)?;
            }
            Ok(())
        } else {
            let doc = async_task_ownership::rule::RULE.doc;
            out.write_all(doc.as_bytes())?;
            if !doc.ends_with('\n') {
                writeln!(out)?;
            }
            Ok(())
        }
    });
    match printed {
        Ok(()) => ExitStatus::Success,
        Err(status) => status,
    }
}
