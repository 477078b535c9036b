//! Printing diagnostics in every `--output-format`.
//!
//! Every format prints the kind's alias code (`ATO101`) where Ruff prints a
//! rule code, and `invalid-syntax` for syntax errors; the kind's name follows
//! in brackets in the text formats and in `kind` in the JSON ones. Files come
//! sorted by path and messages by position, so the output is deterministic.

mod full;
mod json;
mod sarif;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use annotate_snippets::Renderer;
use async_task_ownership::Kind;

use crate::args::OutputFormat;
use crate::check::FileResult;

/// Writes the diagnostics of `files` in `format`, then, for the text
/// formats, the summary line.
pub fn write_diagnostics(
    out: &mut dyn Write,
    format: OutputFormat,
    files: &[FileResult],
) -> io::Result<()> {
    match format {
        OutputFormat::Full => {
            let renderer = renderer();
            for file in files {
                full::write_file(out, file, &renderer)?;
            }
            write_summary(out, files)
        }
        OutputFormat::Concise => {
            for file in files {
                for m in &file.messages {
                    match m.kind {
                        Some(kind) => writeln!(
                            out,
                            "{}:{}:{}: {} [{}] {}",
                            file.entry.display,
                            m.start.row,
                            m.start.column,
                            kind.code(),
                            kind.name(),
                            m.body
                        )?,
                        None => writeln!(
                            out,
                            "{}:{}:{}: invalid-syntax: {}",
                            file.entry.display, m.start.row, m.start.column, m.body
                        )?,
                    }
                }
            }
            write_summary(out, files)
        }
        OutputFormat::Json => json::write_json(out, files),
        OutputFormat::JsonLines => json::write_json_lines(out, files),
        OutputFormat::Github => write_github(out, files),
        OutputFormat::Sarif => sarif::write_sarif(out, files),
    }
}

/// Plain text, or Ruff's colours when standard output is a terminal and
/// `NO_COLOR` is not set.
fn renderer() -> Renderer {
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if colour {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

fn count(files: &[FileResult]) -> usize {
    files.iter().map(|f| f.messages.len()).sum()
}

/// `Found N errors.` or `All checks passed!`, as Ruff prints them.
pub fn write_summary(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    match count(files) {
        0 => writeln!(out, "All checks passed!"),
        1 => writeln!(out, "Found 1 error."),
        n => writeln!(out, "Found {n} errors."),
    }
}

/// `--statistics`: the number of diagnostics per kind (`invalid-syntax`
/// last), as a table, or as JSON for the JSON formats.
pub fn write_statistics(
    out: &mut dyn Write,
    format: OutputFormat,
    files: &[FileResult],
) -> io::Result<()> {
    let mut counts: BTreeMap<Option<Kind>, usize> = BTreeMap::new();
    for m in files.iter().flat_map(|f| &f.messages) {
        *counts.entry(m.kind).or_default() += 1;
    }
    // Most frequent first, then in SPEC order; syntax errors last.
    let mut rows: Vec<(Option<Kind>, usize)> = counts.into_iter().collect();
    rows.sort_by_key(|(kind, n)| (kind.is_none(), std::cmp::Reverse(*n), *kind));
    let name = |k: Option<Kind>| k.map_or("invalid-syntax", Kind::name);
    let code = |k: Option<Kind>| k.map_or("", Kind::code);

    if matches!(format, OutputFormat::Json | OutputFormat::JsonLines) {
        let value: Vec<serde_json::Value> = rows
            .iter()
            .map(|(k, n)| {
                serde_json::json!({
                    "code": k.map_or("invalid-syntax", Kind::code),
                    "name": name(*k),
                    "count": n,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &value)?;
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    for (kind, n) in &rows {
        writeln!(out, "{n:>width$}\t{}\t{}", code(*kind), name(*kind))?;
    }
    write_summary(out, files)
}

/// GitHub Actions workflow commands, as Ruff writes them:
/// `::error title=…,file=…,line=…,col=…,endLine=…,endColumn=…::path:row:col: CODE message`.
fn write_github(out: &mut dyn Write, files: &[FileResult]) -> io::Result<()> {
    for file in files {
        for m in &file.messages {
            let body = match m.kind {
                Some(kind) => format!("{} [{}] {}", kind.code(), kind.name(), m.body),
                None => format!("invalid-syntax: {}", m.body),
            };
            writeln!(
                out,
                "::error title={},file={},line={},col={},endLine={},endColumn={}::{}",
                escape_property(&format!("async-task-ownership ({})", m.code())),
                escape_property(&file.entry.display),
                m.start.row,
                m.start.column,
                m.end.row,
                m.end.column,
                escape_data(&format!(
                    "{}:{}:{}: {body}",
                    file.entry.display, m.start.row, m.start.column
                )),
            )?;
        }
    }
    Ok(())
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
