//! Source files and spans.
//!
//! In: file names and their text. Out: a [`SourceMap`] that owns every text
//! read during a run (framework files, base files, data files) and hands out
//! [`SourceId`]s; every AST node and every diagnostic carries a [`Span`]
//! (a byte range in one of those sources).
//!
//! A large data file read as it is on disk (UTF-8) is not copied: its text
//! is the file mapped into memory ([`Text::Mapped`]), and once the data is
//! read its pages are handed back ([`SourceMap::release_pages`]); the few
//! lines a diagnostic or a data rule shows later are read again from the
//! file by the kernel.

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

/// The text of a source: on the heap, or a file mapped into memory.
#[derive(Clone)]
pub enum Text {
    Heap(Arc<str>),
    Mapped(Arc<Mapped>),
}

/// A file mapped into memory whose bytes from `start` on are UTF-8.
pub struct Mapped {
    map: memmap2::Mmap,
    start: usize,
}

impl Mapped {
    /// The text of `map` after its first `start` bytes (a byte-order
    /// mark), or the map given back when that is not UTF-8.
    pub fn new(map: memmap2::Mmap, start: usize) -> Result<Mapped, memmap2::Mmap> {
        match map.get(start..).map(std::str::from_utf8) {
            Some(Ok(_)) => Ok(Mapped { map, start }),
            _ => Err(map),
        }
    }

    fn as_str(&self) -> &str {
        // SAFETY: checked to be UTF-8 in `new`. The mapping is read-only;
        // like every program that maps its input (ripgrep does), grille
        // assumes the file is not rewritten while it runs.
        unsafe { std::str::from_utf8_unchecked(&self.map[self.start..]) }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Heap(s) => s,
            Text::Mapped(m) => m.as_str(),
        }
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::Heap(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Heap(s.into())
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text::Heap(s)
    }
}

impl From<Mapped> for Text {
    fn from(m: Mapped) -> Text {
        Text::Mapped(Arc::new(m))
    }
}

/// One source text with the name shown in diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: Text,
    /// Where each line starts, built the first time a line is asked for:
    /// a run with thousands of diagnostics on a large file then finds
    /// each line by a binary search instead of counting newlines from the
    /// top every time (which made warnings × file size quadratic).
    lines: OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn new(name: String, text: Text) -> SourceFile {
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
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Text>) -> SourceId {
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

    /// Hands the pages of every mapped file back to the kernel. Called
    /// once the data is read: a table's text is then needed only for the
    /// cells diagnostics and data rules show, which are read again from
    /// the file when shown, and the memory goes to the evaluation.
    pub fn release_pages(&self) {
        for f in &self.files {
            if let Text::Mapped(m) = &f.text {
                // SAFETY: the mapping is read-only and backed by the file,
                // so the pages come back unchanged from it when touched.
                #[cfg(unix)]
                let _ = unsafe { m.map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
                #[cfg(not(unix))]
                let _ = m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mapped file reads as its text after the byte-order mark, before
    /// and after its pages are handed back; bytes that are not UTF-8 are
    /// not mapped as text.
    #[test]
    fn mapped_text_survives_releasing_its_pages() {
        let dir = std::env::temp_dir().join(format!("grille-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("t.csv");
        let body: String = (0..100_000).map(|i| format!("ligne {i} é\n")).collect();
        std::fs::write(&path, format!("\u{feff}{body}")).expect("written");
        let map = |p: &std::path::Path| {
            let f = std::fs::File::open(p).expect("opened");
            // SAFETY: a file of this test, not changed while mapped.
            unsafe { memmap2::Mmap::map(&f) }.expect("mapped")
        };
        let mut sources = SourceMap::new();
        let Ok(mapped) = Mapped::new(map(&path), 3) else {
            panic!("the file is UTF-8 after its byte-order mark")
        };
        let id = sources.add("t.csv", mapped);
        assert!(matches!(sources.get(id).text, Text::Mapped(_)));
        assert_eq!(&*sources.get(id).text, body);
        sources.release_pages();
        assert_eq!(&*sources.get(id).text, body);
        let at = body.find("ligne 99999").expect("last line");
        assert_eq!(sources.get(id).line_col(at + 6), (100_000, 7));
        std::fs::write(&path, b"a\xe9b").expect("written");
        assert!(Mapped::new(map(&path), 0).is_err());
        std::fs::remove_dir_all(&dir).expect("removed");
    }

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
