//! The `full` format, rendered by `ruff_annotate_snippets` as Ruff renders
//! its own: a header `CODE [kind] message`, ` --> path:row:col`, the source
//! lines around the range (two lines of context) with `^^^` under it, each
//! secondary location labelled, and a `help:` line.

use std::borrow::Cow;
use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use ruff_source_file::{LineIndex, OneIndexed};
use ruff_text_size::TextRange;

use crate::check::{FileResult, Message, SourceText};

/// Lines of context shown before and after the annotated lines (Ruff's).
const CONTEXT: usize = 2;

/// Writes every message of `file`, each followed by an empty line.
pub fn write_file(out: &mut dyn Write, file: &FileResult, renderer: &Renderer) -> io::Result<()> {
    for message in &file.messages {
        let rendered = match &file.source {
            Some(source) => render(&file.entry.display, source, message, renderer),
            None => format!(
                "{} {}\n --> {}:{}:{}",
                message.code(),
                message.body,
                file.entry.display,
                message.start.row,
                message.start.column
            ),
        };
        writeln!(out, "{rendered}")?;
        writeln!(out)?;
    }
    Ok(())
}

/// An annotation to draw: its range, rows and label (`None` for the primary).
struct Mark<'a> {
    range: TextRange,
    first_row: usize,
    last_row: usize,
    label: Option<&'a str>,
}

fn render(path: &str, source: &SourceText, message: &Message, renderer: &Renderer) -> String {
    let text = source.text.as_str();
    let index = &source.index;
    let line_count = index.line_count().max(1);

    let mut marks = vec![Mark {
        range: message.range,
        first_row: message.start.row,
        last_row: message.end.row,
        label: None,
    }];
    marks.extend(message.secondary.iter().map(|s| Mark {
        range: s.range,
        first_row: s.start.row,
        last_row: s.end.row,
        label: Some(s.label.as_str()),
    }));

    // Group annotations whose context windows touch into one snippet; the
    // primary's group comes first (it carries the ` --> ` line), the others
    // follow in source order (each with a ` ::: ` line).
    let mut order: Vec<usize> = (1..marks.len()).collect();
    order.sort_by_key(|&i| (marks[i].first_row, marks[i].range.start()));
    let mut groups: Vec<Vec<usize>> = vec![vec![0]];
    for i in order {
        let joined = groups.iter_mut().find(|g| {
            let first = g.iter().map(|&j| marks[j].first_row).min().unwrap_or(1);
            let last = g.iter().map(|&j| marks[j].last_row).max().unwrap_or(1);
            marks[i].first_row <= last + 2 * CONTEXT + 1
                && marks[i].last_row + 2 * CONTEXT + 1 >= first
        });
        match joined {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }

    let mut snippets = Vec::new();
    for group in &groups {
        let first_row = group.iter().map(|&j| marks[j].first_row).min().unwrap_or(1);
        let last_row = group.iter().map(|&j| marks[j].last_row).max().unwrap_or(1);
        let is_blank = |row: usize| line_text(index, text, row).trim().is_empty();
        let mut first = first_row.saturating_sub(CONTEXT).max(1);
        while first < first_row && is_blank(first) {
            first += 1;
        }
        let mut last = (last_row + CONTEXT).min(line_count);
        while last > last_row && is_blank(last) {
            last -= 1;
        }

        let mut start =
            usize::from(index.line_start(OneIndexed::from_zero_indexed(first - 1), text));
        let end = usize::from(index.line_end_exclusive_at(last, text)).max(start);
        // Leave a byte-order mark out of the rendered first line.
        if start == 0 && text.starts_with('\u{feff}') {
            start = '\u{feff}'.len_utf8();
        }
        let mut snippet_text = Cow::Borrowed(&text[start..end.max(start)]);
        // An empty range at the very end, after the last line terminator
        // (`unexpected EOF`), sits on a line of its own: show that line.
        let at_eof_line = group.iter().any(|&j| {
            usize::from(marks[j].range.start()) == text.len()
                && text.ends_with(['\n', '\r'])
                && end == text.len()
        });
        if at_eof_line {
            snippet_text = Cow::Owned(format!("{snippet_text} "));
        }
        let span = |range: TextRange| {
            let limit = start + snippet_text.len();
            let s = usize::from(range.start()).clamp(start, limit) - start;
            let e = usize::from(range.end()).clamp(start, limit) - start;
            s..e.max(s)
        };
        let mut annotations = Vec::new();
        for &j in group {
            let m = &marks[j];
            annotations.push(match m.label {
                None => AnnotationKind::Primary.span(span(m.range)),
                Some(label) => AnnotationKind::Context.span(span(m.range)).label(label),
            });
        }
        snippets.push(
            Snippet::source(snippet_text)
                .line_start(first)
                .path(path)
                .fold(false)
                .annotations(annotations),
        );
    }

    let title = match message.kind {
        Some(kind) => Level::ERROR
            .no_name()
            .primary_title(format!("[{}] {}", kind.name(), message.body))
            .id(kind.code()),
        None => Level::ERROR
            .with_name(Some("invalid-syntax"))
            .primary_title(message.body.as_str()),
    };
    let mut report = vec![title.elements(snippets)];
    if let Some(help) = &message.help {
        report.push(Group::with_title(
            Level::HELP.secondary_title(help.as_str()),
        ));
    }
    renderer.render(&report)
}

/// The text of a 1-based line, without its terminator.
fn line_text<'a>(index: &LineIndex, text: &'a str, row: usize) -> &'a str {
    let line = OneIndexed::from_zero_indexed(row.saturating_sub(1));
    text[index.line_range(line, text)].trim_end_matches(['\n', '\r'])
}

/// `LineIndex::line_end_exclusive` for a 1-based line number.
trait LineEndAt {
    fn line_end_exclusive_at(&self, row: usize, text: &str) -> ruff_text_size::TextSize;
}

impl LineEndAt for LineIndex {
    fn line_end_exclusive_at(&self, row: usize, text: &str) -> ruff_text_size::TextSize {
        let line = OneIndexed::from_zero_indexed(row.saturating_sub(1));
        let range = self.line_range(line, text);
        // `line_range` includes the line terminator: strip it.
        let slice = &text[range];
        let trimmed = slice.trim_end_matches(['\n', '\r']);
        range.start() + ruff_text_size::TextSize::of(trimmed)
    }
}
