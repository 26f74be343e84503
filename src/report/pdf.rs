//! The PDF report (`grille eval --format pdf`), typeset by Typst used as
//! a library.
//!
//! In: a report [`Document`] and its
//! language. Out: the bytes of an A4 PDF with its fonts embedded, its text
//! selectable and its charts as vectors. Typst lays out the text (line
//! breaking, hyphenation in the report's language, tables that wrap) far
//! better than anything written here could; its fonts come compiled into
//! the binary (`typst-assets`), so nothing is read from the system or
//! downloaded. The document holds no date of its own, so the same inputs
//! make the same file.

use crate::report::human::Document;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};

/// The fonts and the standard library, loaded once per process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Shared {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// One document to typeset: its only file is the generated source.
struct World {
    main: Source,
}

impl typst::World for World {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        // Charts are inline; a report reads no other file.
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The report as PDF bytes.
///
/// # Errors
/// Typst's messages, should the generated document not typeset (a bug in
/// this module, reported as such rather than as a user error).
pub fn render(doc: &Document, lang: &str) -> Result<Vec<u8>, String> {
    let source = crate::report::page::typst::document(&doc.title, lang, &doc.blocks);
    let path = VirtualPath::new("/report.typ").map_err(|e| format!("{e:?}"))?;
    let id = RootedPath::new(VirtualRoot::Project, path).intern();
    let world = World {
        main: Source::new(id, source),
    };
    let paged: typst_layout::PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| messages(&errors))?;
    let options = typst_pdf::PdfOptions {
        creator: typst::foundations::Smart::Custom(Some("grille".into())),
        ..Default::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|errors| messages(&errors))
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}
