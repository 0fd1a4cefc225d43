//! From offsets in the text lang-c parsed back to `bytecodes.c`.
//!
//! Preparation never changes a body's length (comments and inactive lines become spaces), so a
//! body's text sits in the prepared buffer at a fixed shift from where it sits in the source file:
//! one segment per body is an exact map.

use std::fmt;
use std::ops::Range;

/// Maps the prepared-buffer region of one body to its bytes in the source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanMap {
    /// Where the body's `{` is in the buffer given to lang-c.
    pub prepared_start: usize,
    /// Where the body's `{` is in the source file.
    pub original_start: usize,
    /// Length of the body text, `{` to `}` inclusive.
    pub len: usize,
}

impl SpanMap {
    /// The source offset of a prepared offset inside this body (end offsets included), else `None`
    /// (e.g. the synthetic function header around the body).
    pub fn to_original(&self, prepared: usize) -> Option<usize> {
        let rel = prepared.checked_sub(self.prepared_start)?;
        (rel <= self.len).then_some(self.original_start + rel)
    }

    /// The source byte range of a lang-c span, when both ends fall inside this body.
    pub fn original_range(&self, span: lang_c::span::Span) -> Option<Range<usize>> {
        if span.is_none() {
            return None;
        }
        Some(self.to_original(span.start)?..self.to_original(span.end)?)
    }
}

/// A position in the source file: 1-based line and column (columns count characters, like the DSL
/// front-end's spans) and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
    pub offset: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Line starts of a source text, for offset → line:col.
#[derive(Debug, Clone)]
pub struct LineIndex {
    text: String,
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            text: text.to_string(),
            line_starts,
        }
    }

    /// Line and column of a byte offset (clamped to the text; a column inside a multi-byte
    /// character counts that character).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        LineCol {
            line: (line + 1) as u32,
            col: (col + 1) as u32,
            offset,
        }
    }

    /// The byte offset of a 1-based line and character column, if it exists.
    pub fn offset_of(&self, line: u32, col: u32) -> Option<usize> {
        let start = *self.line_starts.get((line as usize).checked_sub(1)?)?;
        let rest = &self.text[start..];
        let line_text = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let k = (col as usize).checked_sub(1)?;
        if k == line_text.chars().count() {
            return Some(start + line_text.len());
        }
        line_text.char_indices().nth(k).map(|(i, _)| start + i)
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_is_a_shift_within_the_body_only() {
        let m = SpanMap {
            prepared_start: 100,
            original_start: 5000,
            len: 10,
        };
        assert_eq!(m.to_original(100), Some(5000));
        assert_eq!(m.to_original(110), Some(5010));
        assert_eq!(m.to_original(111), None);
        assert_eq!(m.to_original(99), None);
        assert_eq!(
            m.original_range(lang_c::span::Span::span(102, 105)),
            Some(5002..5005)
        );
        assert_eq!(m.original_range(lang_c::span::Span::none()), None);
    }

    #[test]
    fn line_col_counts_characters_and_round_trips() {
        let idx = LineIndex::new("ab\né x\n\nlast");
        assert_eq!(idx.line_col(0).to_string(), "1:1");
        assert_eq!(idx.line_col(3).to_string(), "2:1");
        // `x` follows a two-byte `é` and a space: byte 6, column 3.
        assert_eq!(idx.line_col(6).to_string(), "2:3");
        assert_eq!(idx.line_col(9).to_string(), "4:1");
        for off in [0, 1, 3, 6, 8, 9, 12] {
            let lc = idx.line_col(off);
            assert_eq!(idx.offset_of(lc.line, lc.col), Some(off), "offset {off}");
        }
        assert_eq!(idx.offset_of(9, 1), None);
    }
}
