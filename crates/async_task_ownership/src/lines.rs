//! Lines and columns of a few offsets, without indexing every line.
//!
//! Ruff's [`LineIndex`] records every line start of a module: a search call
//! per line, about a tenth of the rule's cost over a corpus, for a module
//! that needs the line of a handful of spawn sites and diagnostics.
//! [`Lines`] answers the same questions (same results: lines split at `\n`,
//! `\r\n` and a lone `\r`; columns in characters, a byte-order mark not
//! counted) from the number of line feeds before each 1 KiB block of the
//! text, counted at the first question in one vectorised pass, and the line
//! feeds between the block and the offset. A text with a carriage return
//! gets a [`LineIndex`] (rare, and the index is exact for every line ending).

use std::cell::OnceCell;

use ruff_source_file::{LineColumn, LineIndex, OneIndexed};
use ruff_text_size::{TextRange, TextSize};

/// The bytes per block of counted line feeds.
const BLOCK: usize = 1024;

/// Line and column lookups into one source text.
#[derive(Debug)]
pub struct Lines<'s> {
    source: &'s str,
    /// Built at the first lookup (most sources are never asked about).
    counts: OnceCell<Counts>,
}

#[derive(Debug)]
enum Counts {
    /// `blocks[i]`: the line feeds before byte `i * BLOCK`.
    Blocks(Vec<u32>),
    /// The text has a carriage return.
    Index(LineIndex),
}

impl<'s> Lines<'s> {
    /// Lookups into `source`.
    pub fn new(source: &'s str) -> Self {
        Lines {
            source,
            counts: OnceCell::new(),
        }
    }

    fn counts(&self) -> &Counts {
        self.counts.get_or_init(|| {
            let bytes = self.source.as_bytes();
            if memchr::memchr(b'\r', bytes).is_some() {
                return Counts::Index(LineIndex::from_source_text(self.source));
            }
            let mut blocks = Vec::with_capacity(bytes.len() / BLOCK + 1);
            let mut feeds = 0u32;
            for block in bytes.chunks(BLOCK) {
                blocks.push(feeds);
                let n = memchr::memchr_iter(b'\n', block).count();
                feeds = feeds.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            }
            // The end of a text whose length is a multiple of the block.
            blocks.push(feeds);
            Counts::Blocks(blocks)
        })
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

    /// The 0-based line of a byte offset of a text without carriage returns.
    fn line_of(blocks: &[u32], bytes: &[u8], at: usize) -> usize {
        let block = at / BLOCK;
        let before = blocks.get(block).map_or(0, |n| *n as usize);
        let from = (block * BLOCK).min(at);
        before + memchr::memchr_iter(b'\n', &bytes[from..at]).count()
    }

    /// The line of `offset` (1-based), as [`LineIndex::line_index`].
    pub fn line_index(&self, offset: TextSize) -> OneIndexed {
        match self.counts() {
            Counts::Index(index) => index.line_index(offset),
            Counts::Blocks(blocks) => OneIndexed::from_zero_indexed(Self::line_of(
                blocks,
                self.source.as_bytes(),
                self.clamp(offset),
            )),
        }
    }

    /// The range of the line `offset` is on, its line break included, as
    /// [`LineIndex::line_range`] of [`Lines::line_index`].
    pub fn line_range(&self, offset: TextSize) -> TextRange {
        if let Counts::Index(index) = self.counts() {
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
        let blocks = match self.counts() {
            Counts::Index(index) => return index.line_column(offset, self.source),
            Counts::Blocks(blocks) => blocks,
        };
        let bytes = self.source.as_bytes();
        let at = self.clamp(offset);
        let line = Self::line_of(blocks, bytes, at);
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
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
    fn long_texts_count_by_blocks() {
        // Lines across many blocks, multi-byte text at the block edges.
        let text: String = (0..3000)
            .map(|i| {
                if i % 7 == 0 {
                    "é\n".to_string()
                } else {
                    format!("x = {i}\n")
                }
            })
            .collect();
        let index = LineIndex::from_source_text(&text);
        let lines = Lines::new(&text);
        for at in (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(13)
        {
            let offset = size(at);
            assert_eq!(lines.line_index(offset), index.line_index(offset), "{at}");
            assert_eq!(
                lines.line_column(offset),
                index.line_column(offset, &text),
                "{at}"
            );
        }
        assert!(matches!(lines.counts.get(), Some(Counts::Blocks(_))));
        // The end of a text of whole blocks.
        let whole = "abc\n".repeat(2 * BLOCK / 4);
        let end = size(whole.len());
        assert_eq!(
            Lines::new(&whole).line_index(end),
            LineIndex::from_source_text(&whole).line_index(end)
        );
        // A carriage return anywhere: Ruff's index.
        let crlf = Lines::new("a\r\nb\n");
        assert_eq!(crlf.line_index(size(3)).get(), 2);
        assert!(matches!(crlf.counts.get(), Some(Counts::Index(_))));
    }
}
