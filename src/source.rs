//! Source files and spans.
//!
//! In: file names and their text. Out: a [`SourceMap`] that owns every text
//! read during a run (framework files, base files, data files) and hands out
//! [`SourceId`]s; every AST node and every diagnostic carries a [`Span`]
//! (a byte range in one of those sources).

use std::sync::{Arc, OnceLock};

/// Index of a source in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A byte range `start..end` in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub src: SourceId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span over `start..end` of `src`.
    pub fn new(src: SourceId, start: usize, end: usize) -> Span {
        Span {
            src,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (they must be in the same source).
    pub fn to(self, other: Span) -> Span {
        Span {
            src: self.src,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The same start with another end.
    pub fn with_end(self, end: u32) -> Span {
        Span { end, ..self }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// One source text with the name shown in diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    /// Where each line starts, built the first time a line is asked for:
    /// a run with thousands of diagnostics on a large file then finds
    /// each line by a binary search instead of counting newlines from the
    /// top every time (which made warnings × file size quadratic).
    lines: OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn new(name: String, text: Arc<str>) -> SourceFile {
        SourceFile {
            name,
            text,
            lines: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    (self.text.bytes().enumerate())
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        })
    }

    /// The line (from 0) holding a byte offset, and where that line starts.
    pub fn line_of(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts();
        let offset = offset.min(self.text.len());
        // The last line start at or before the offset (the first is 0).
        let line = starts.partition_point(|&s| s <= offset) - 1;
        (line, starts[line])
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let (line, start) = self.line_of(offset);
        (line + 1, self.text[start..offset].chars().count() + 1)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every source read during a run.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Stores a text and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        self.files.push(SourceFile::new(name.into(), text.into()));
        SourceId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: SourceId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn text(&self, span: Span) -> &str {
        let f = self.get(span.src);
        f.text.get(span.range()).unwrap_or("")
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column by counting from the top, as before the index.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..floor_char_boundary(text, offset.min(text.len()))];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    #[test]
    fn the_line_index_agrees_with_counting_at_every_offset() {
        for text in [
            "",
            "a",
            "\n",
            "ab\ncd\n",
            "\n\nx",
            "é\nçà\r\n€x\n\n",
            "a\r\nb",
        ] {
            let mut map = SourceMap::new();
            let id = map.add("t", text);
            let f = map.get(id);
            for at in 0..=text.len() + 2 {
                assert_eq!(f.line_col(at), counted(text, at), "{text:?} at {at}");
            }
        }
    }
}
