//! Lines and columns of a few offsets, without indexing the whole source.
//!
//! Ruff's [`LineIndex`] records every line start of a module: a search call
//! per line, about a tenth of the rule's cost over a corpus, for a module
//! that needs the line of a handful of spawn sites and diagnostics.
//! [`Lines`] answers the same questions (same results: lines split at `\n`,
//! `\r\n` and a lone `\r`; columns in characters, a byte-order mark not
//! counted) by counting line feeds from the previous answer to the offset
//! asked. A source with a carriage return, or asked about so many offsets
//! that counting would cost more than indexing, gets a [`LineIndex`] after
//! all, so the cost stays linear in the size of the source.

use std::cell::{Cell, OnceCell};

use ruff_source_file::{LineColumn, LineIndex, OneIndexed};
use ruff_text_size::{TextRange, TextSize};

/// Line and column lookups into one source text.
#[derive(Debug)]
pub struct Lines<'s> {
    source: &'s str,
    /// Whether the text has a carriage return (then the index is used).
    has_cr: bool,
    /// The last offset counted to, and the 0-based line it is on.
    at: Cell<(usize, usize)>,
    /// Bytes counted so far.
    counted: Cell<usize>,
    /// The full index, once counting stopped paying.
    index: OnceCell<LineIndex>,
}

impl<'s> Lines<'s> {
    /// Lookups into `source`.
    pub fn new(source: &'s str) -> Self {
        Lines {
            source,
            has_cr: memchr::memchr(b'\r', source.as_bytes()).is_some(),
            at: Cell::new((0, 0)),
            counted: Cell::new(0),
            index: OnceCell::new(),
        }
    }

    /// The full index, when it is the cheaper way (or the only exact one).
    fn index(&self) -> Option<&LineIndex> {
        if let Some(index) = self.index.get() {
            return Some(index);
        }
        // Counting back and forth over more than a few times the text
        // costs more than indexing it once.
        if self.has_cr || self.counted.get() > self.source.len().saturating_mul(4) {
            return Some(
                self.index
                    .get_or_init(|| LineIndex::from_source_text(self.source)),
            );
        }
        None
    }

    /// The byte offset, clamped to the text and moved back to a character
    /// boundary.
    fn clamp(&self, offset: TextSize) -> usize {
        let mut at = offset.to_usize().min(self.source.len());
        while !self.source.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The 0-based line of a byte offset of a text without carriage
    /// returns: line feeds counted from the previous answer.
    fn count_to(&self, offset: usize) -> usize {
        let bytes = self.source.as_bytes();
        let (from, line) = self.at.get();
        let line = if offset >= from {
            line + memchr::memchr_iter(b'\n', &bytes[from..offset]).count()
        } else {
            line - memchr::memchr_iter(b'\n', &bytes[offset..from]).count()
        };
        self.counted
            .set(self.counted.get().saturating_add(offset.abs_diff(from)));
        self.at.set((offset, line));
        line
    }

    /// The line of `offset` (1-based), as [`LineIndex::line_index`].
    pub fn line_index(&self, offset: TextSize) -> OneIndexed {
        match self.index() {
            Some(index) => index.line_index(offset),
            None => OneIndexed::from_zero_indexed(self.count_to(self.clamp(offset))),
        }
    }

    /// The range of the line `offset` is on, its line break included, as
    /// [`LineIndex::line_range`] of [`Lines::line_index`].
    pub fn line_range(&self, offset: TextSize) -> TextRange {
        if let Some(index) = self.index() {
            return index.line_range(index.line_index(offset), self.source);
        }
        let bytes = self.source.as_bytes();
        let at = self.clamp(offset);
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        TextRange::new(size(start), size(end))
    }

    /// The line and column (in characters, 1-based) of `offset`, as
    /// [`LineIndex::line_column`].
    pub fn line_column(&self, offset: TextSize) -> LineColumn {
        if let Some(index) = self.index() {
            return index.line_column(offset, self.source);
        }
        let at = self.clamp(offset);
        let line = self.count_to(at);
        let start = memchr::memrchr(b'\n', &self.source.as_bytes()[..at]).map_or(0, |i| i + 1);
        let mut column = self.source[start..at].chars().count();
        // The byte-order mark is not a column.
        if line == 0 && self.source.starts_with('\u{feff}') {
            column = column.saturating_sub(1);
        }
        LineColumn {
            line: OneIndexed::from_zero_indexed(line),
            column: OneIndexed::from_zero_indexed(column),
        }
    }
}

fn size(offset: usize) -> TextSize {
    TextSize::try_from(offset).unwrap_or(TextSize::new(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every offset of each text, asked in order, backwards and out of
    /// order, gives Ruff's answers.
    #[test]
    fn lines_answer_as_the_line_index_does() {
        let texts = [
            "",
            "x",
            "a = 1\nb = 2\n",
            "a = 1\n\n\nb = 'é'\nc\n",
            "\u{feff}é = 1\nx = 'ü' + f(y)\n",
            "a\r\nb\rc\nd",
            "no newline at the end",
            "\n\n\n",
            "ü\nüü\nüüü",
        ];
        for text in texts {
            let index = LineIndex::from_source_text(text);
            let mut offsets: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let forward = offsets.clone();
            offsets.reverse();
            let backward = offsets.clone();
            // Interleaved: first, last, second, second to last, …
            let mut mixed = Vec::new();
            for (a, b) in forward.iter().zip(&backward) {
                mixed.push(*a);
                mixed.push(*b);
            }
            for order in [forward, backward, mixed] {
                let lines = Lines::new(text);
                for &at in &order {
                    let offset = size(at);
                    let line = index.line_index(offset);
                    assert_eq!(lines.line_index(offset), line, "{text:?} at {at}");
                    assert_eq!(
                        lines.line_range(offset),
                        index.line_range(line, text),
                        "{text:?} at {at}"
                    );
                    assert_eq!(
                        lines.line_column(offset),
                        index.line_column(offset, text),
                        "{text:?} at {at}"
                    );
                }
            }
        }
    }

    #[test]
    fn counting_stops_when_indexing_is_cheaper() {
        let text = "a\nb\nc\nd\n".repeat(100);
        let lines = Lines::new(&text);
        assert!(lines.index.get().is_none());
        // Back and forth over the whole text: the index takes over.
        for _ in 0..3 {
            lines.line_index(size(text.len()));
            lines.line_index(size(0));
        }
        assert!(lines.index.get().is_some());
        assert_eq!(lines.line_index(size(text.len())).get(), 401);
        // A carriage return anywhere: the index from the start.
        let crlf = Lines::new("a\r\nb\n");
        assert_eq!(crlf.line_index(size(3)).get(), 2);
        assert!(crlf.index.get().is_some());
    }
}
