//! Response data: reading tables and turning them into typed columns.
//!
//! In: `--data` specs (`LEVEL=PATH`, a bare path, `-`), a checked
//! framework. Out: a [`Dataset`] (units of every level linked to their
//! parents, one typed column per question), the per-table accounting that
//! the result's `data` section shows, and data diagnostics pointing at
//! cells. Every format is first turned into CSV text kept in the
//! [`SourceMap`], so diagnostics can underline a cell whatever the format.

mod asked;
pub mod cells;
pub mod column;
mod failures;
mod formats;
mod link;
mod records;
pub mod remote;
mod rows;
mod shape;
mod units;

pub use asked::not_asked_report;
pub use column::Column;
pub use failures::rule_diagnostics;
pub use link::{Dataset, LevelUnits, QuestionCounts, TableReport, build};

use crate::diagnostic::Code;
use crate::ir::{Framework, LevelId};
use crate::source::{Mapped, SourceId, SourceMap, Text};
use sha2::Digest;

/// A cell's text as a message quotes it: at most 60 characters, so one
/// long answer does not fill the terminal.
pub fn clip(s: &str) -> String {
    const MAX: usize = 60;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Problems with data.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DataError {
    #[error("`{}` is not {expected}", clip(.value))]
    BadValue { value: String, expected: String },
    #[error("rule `{rule}`: {message}")]
    RuleFailed { rule: String, message: String },
    #[error("`{}` read as {read}: thousands or decimals?", clip(.value))]
    AmbiguousNumber { value: String, read: String },
    #[error("`{}` is not an option of `{question}`", clip(.value))]
    UnknownOption { value: String, question: String },
    #[error("{} is outside the range {lo}..{hi} of `{question}`", clip(.value))]
    OutOfRange {
        value: String,
        question: String,
        lo: String,
        hi: String,
    },
    #[error("unknown {level} `{}`", clip(.key))]
    UnknownParent { level: String, key: String },
    #[error("{level} `{}` appears twice", clip(.key))]
    DuplicateKey { level: String, key: String },
    #[error("`{0}` is required but has no answer")]
    RequiredMissing(String),
    #[error("`{question}` has an answer in {rows} row(s) where it was not asked")]
    AnswerNotAsked { question: String, rows: usize },
    #[error("the column `{column}` is missing from this table")]
    MissingColumn { column: String },
    #[error("columns that no question names are ignored: {0}")]
    IgnoredColumns(String),
    #[error("headers matched ignoring case: {0}")]
    LooseHeaders(String),
    #[error("`{column}` is in more than one column: {columns}")]
    DuplicateColumn { column: String, columns: String },
    #[error("the header row is repeated here; the row is left out")]
    RepeatedHeader,
    #[error("the file is not UTF-8: it was read as {0}")]
    Encoding(&'static str),
    #[error("{0}")]
    Unreadable(String),
    #[error("{level} `{}` is given two different {parent}s: `{}` and `{}`", clip(.key), clip(.first), clip(.second))]
    ConflictingParent {
        level: String,
        key: String,
        parent: String,
        first: String,
        second: String,
    },
}

/// Codes other stages and the CLI test for, named once.
pub mod codes {
    pub const BAD_VALUE: &str = "grille::data::bad_value";
    pub const UNKNOWN_OPTION: &str = "grille::data::unknown_option";
    pub const OUT_OF_RANGE: &str = "grille::data::out_of_range";
    pub const UNKNOWN_PARENT: &str = "grille::data::unknown_parent";
    pub const DUPLICATE_KEY: &str = "grille::data::duplicate_key";
    pub const MISSING_COLUMN: &str = "grille::data::missing_column";
    /// A `required` answer is missing: the run writes no result.
    pub const REQUIRED_MISSING: &str = "grille::data::required_missing";
    /// The data problems `eval --strict` fails on (besides every error).
    pub const STRICT: &[&str] = &[
        BAD_VALUE,
        UNKNOWN_OPTION,
        OUT_OF_RANGE,
        UNKNOWN_PARENT,
        DUPLICATE_KEY,
    ];
}

impl Code for DataError {
    fn code(&self) -> &'static str {
        match self {
            DataError::BadValue { .. } => codes::BAD_VALUE,
            DataError::UnknownOption { .. } => codes::UNKNOWN_OPTION,
            DataError::AmbiguousNumber { .. } => "grille::data::ambiguous_number",
            DataError::RuleFailed { .. } => "grille::data::rule_failed",
            DataError::OutOfRange { .. } => codes::OUT_OF_RANGE,
            DataError::UnknownParent { .. } => codes::UNKNOWN_PARENT,
            DataError::DuplicateKey { .. } => codes::DUPLICATE_KEY,
            DataError::RequiredMissing(_) => codes::REQUIRED_MISSING,
            DataError::AnswerNotAsked { .. } => "grille::data::answer_not_asked",
            DataError::MissingColumn { .. } => codes::MISSING_COLUMN,
            DataError::IgnoredColumns(_) => "grille::data::ignored_columns",
            DataError::LooseHeaders(_) => "grille::data::loose_headers",
            DataError::DuplicateColumn { .. } => "grille::data::duplicate_column",
            DataError::RepeatedHeader => "grille::data::repeated_header",
            DataError::Encoding(_) => "grille::data::encoding",
            DataError::Unreadable(_) => "grille::data::unreadable",
            DataError::ConflictingParent { .. } => "grille::data::conflicting_parent",
        }
    }
}

/// One `--data` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    pub level: Option<String>,
    pub path: String,
    pub sheet: Option<String>,
}

impl DataSpec {
    /// Reads `LEVEL=PATH`, `PATH`, `PATH#Sheet` or `-`.
    pub fn parse(s: &str) -> DataSpec {
        let (level, rest) = match s.split_once('=') {
            Some((l, p)) if !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                (Some(l.to_string()), p)
            }
            _ => (None, s),
        };
        let (path, sheet) = match rest.rsplit_once('#') {
            Some((p, sh)) if p.to_lowercase().ends_with(".xlsx") => {
                (p.to_string(), Some(sh.to_string()))
            }
            _ => (rest.to_string(), None),
        };
        DataSpec { level, path, sheet }
    }
}

/// A table read into memory, as CSV text in the source map.
#[derive(Debug, Clone)]
pub struct Table {
    pub level: LevelId,
    /// The name shown in results and diagnostics (the path given).
    pub file: String,
    pub src: SourceId,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    pub delimiter: u8,
    pub decimal_comma: bool,
    /// The encoding the text was decoded from, when it was not UTF-8.
    pub encoding: Option<&'static str>,
    /// How many pieces its rows are read in, side by side: `None` lets
    /// the reader choose (one per core for a large table). Tests set it to
    /// show that the pieces never change what is read.
    pub chunks: Option<usize>,
}

/// Why data could not be read at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read `{path}`: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{0}")]
    Usage(String),
    #[error("cannot read `{path}`: {reason}")]
    Format { path: String, reason: String },
}

/// Levels that have questions, finest first.
fn question_levels(fw: &Framework) -> Vec<LevelId> {
    let mut v: Vec<LevelId> = fw.questions.iter().map(|q| q.level).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    v
}

/// Which level a spec is for.
pub fn spec_level(fw: &Framework, spec: &DataSpec) -> Result<LevelId, InputError> {
    match &spec.level {
        Some(l) => fw.level_by_name(l).ok_or_else(|| {
            InputError::Usage(format!(
                "`--data {l}=…`: the framework has no level `{l}` (levels: {})",
                fw.levels
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
        None => {
            let ql = question_levels(fw);
            match ql.as_slice() {
                [one] => Ok(*one),
                [] => Err(InputError::Usage(
                    "the framework has no questions, so no data can be read".into(),
                )),
                _ => Err(InputError::Usage(format!(
                    "`--data {}`: several levels have questions ({}); write `--data LEVEL=PATH`",
                    spec.path,
                    ql.iter()
                        .rev()
                        .map(|l| fw.levels[*l].id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
    }
}

/// Reads the file (or standard input) named by `spec` into a [`Table`].
///
/// # Errors
/// [`InputError`] when the file cannot be read or is not in a known format.
pub fn read_table(
    fw: &Framework,
    spec: &DataSpec,
    stdin: &mut dyn std::io::Read,
    sources: &mut SourceMap,
) -> Result<Table, InputError> {
    let level = spec_level(fw, spec)?;
    let bytes = if spec.path == "-" {
        let mut b = Vec::new();
        stdin.read_to_end(&mut b).map_err(|error| InputError::Io {
            path: "-".into(),
            error,
        })?;
        Bytes::Read(b)
    } else {
        file_bytes(&spec.path)?
    };
    too_large(&spec.path, bytes.len() as u64)?;
    let sha256 = hex(&sha2::Sha256::digest(&*bytes));
    let lower = spec.path.to_lowercase();
    let fmt_err = |reason: String| InputError::Format {
        path: spec.path.clone(),
        reason,
    };
    let (text, name, delimiter, decimal_comma) = if lower.ends_with(".json") {
        (
            formats::json_to_csv(&bytes, false).map_err(fmt_err)?,
            format!("{} (as CSV)", spec.path),
            b',',
            false,
        )
    } else if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
        (
            formats::json_to_csv(&bytes, true).map_err(fmt_err)?,
            format!("{} (as CSV)", spec.path),
            b',',
            false,
        )
    } else if lower.ends_with(".xlsx")
        || lower.ends_with(".xlsm")
        || lower.ends_with(".xls")
        || lower.ends_with(".ods")
    {
        let (text, sheet) =
            formats::workbook_to_csv(&spec.path, spec.sheet.as_deref()).map_err(fmt_err)?;
        (text, format!("{}#{sheet}", spec.path), b',', false)
    } else if let Some(what) = unsupported(&lower, &bytes) {
        return Err(fmt_err(format!(
            "{what} files are not read; save or export the table as CSV (UTF-8 or the spreadsheet's default), TSV, JSON, NDJSON, XLSX, XLS or ODS"
        )));
    } else {
        let (text, encoding) = match bytes {
            Bytes::Mapped(map) if !map.contains(&0) => {
                let bom = if map.starts_with(b"\xef\xbb\xbf") {
                    3
                } else {
                    0
                };
                // Checked for UTF-8 once, by `Mapped::new`; a file in
                // another encoding comes back to be decoded.
                match Mapped::new(map, bom) {
                    Ok(m) => (Text::from(m), None),
                    Err(map) => {
                        let (text, encoding) = decode(&map).map_err(fmt_err)?;
                        (Text::from(text), encoding)
                    }
                }
            }
            _ => {
                let (text, encoding) = decode(&bytes).map_err(fmt_err)?;
                (Text::from(text), encoding)
            }
        };
        let name = if spec.path == "-" {
            "<stdin>".to_string()
        } else {
            spec.path.clone()
        };
        let tsv = lower.ends_with(".tsv") || lower.ends_with(".tab");
        let mut table = text_table(level, &name, text, tsv, sha256, sources);
        table.encoding = encoding;
        return Ok(table);
    };
    // A workbook or JSON file converted to CSV text may outgrow its file.
    too_large(&spec.path, text.len() as u64)?;
    let src = sources.add(name.clone(), text);
    Ok(Table {
        level,
        file: spec.path.clone(),
        src,
        sha256,
        delimiter,
        decimal_comma,
        encoding: None,
        chunks: None,
    })
}

/// The bytes of a data file: read into memory, or mapped from the file.
enum Bytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(b) => b,
            Bytes::Mapped(m) => m,
        }
    }
}

/// Files from this size on are mapped rather than read: their text is
/// then never copied, and its pages go back to the kernel once the data
/// is read (see [`SourceMap::release_pages`]).
const MAP_BYTES: u64 = 1 << 20;

/// The bytes of the file at `path`, refused before reading when larger
/// than grille reads (it would take minutes to load only to be refused).
fn file_bytes(path: &str) -> Result<Bytes, InputError> {
    let io = |error| InputError::Io {
        path: path.to_string(),
        error,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    too_large(path, meta.len())?;
    if meta.is_file() && meta.len() >= MAP_BYTES {
        // SAFETY: a read-only mapping of a regular file; grille assumes,
        // as programs that map their input do, that the file is not
        // rewritten while it runs (see `source::Mapped`).
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(Bytes::Mapped(map));
        }
    }
    let mut b = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(&mut file, &mut b).map_err(io)?;
    Ok(Bytes::Read(b))
}

/// The largest text grille reads: places in a file (spans, cell offsets)
/// are 32-bit, so a larger table would have its places wrap around and
/// diagnostics point at the wrong cells.
pub const MAX_TEXT: u64 = u32::MAX as u64;

/// Refuses a table of more than [`MAX_TEXT`] bytes, saying what to do.
pub fn too_large(path: &str, len: u64) -> Result<(), InputError> {
    if len <= MAX_TEXT {
        return Ok(());
    }
    Err(InputError::Format {
        path: path.to_string(),
        reason: format!(
            "the table is {:.1} GiB and grille reads tables of at most 4 GiB; split it (by territory or by year, each with its own `--data`), or load it into PostgreSQL and evaluate it there with `--db`",
            len as f64 / (1u64 << 30) as f64
        ),
    })
}

/// A table from delimited text already in memory (a file read, or data
/// written inline in a test file). The delimiter is detected unless `tsv`.
pub fn text_table(
    level: LevelId,
    name: &str,
    text: impl Into<Text>,
    tsv: bool,
    sha256: String,
    sources: &mut SourceMap,
) -> Table {
    let text: Text = text.into();
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => Text::from(rest),
        None => text,
    };
    let d = if tsv {
        b'\t'
    } else {
        formats::detect_delimiter(&text)
    };
    let src = sources.add(name.to_string(), text);
    Table {
        level,
        file: name.to_string(),
        src,
        sha256,
        delimiter: d,
        decimal_comma: d == b';',
        encoding: None,
        chunks: None,
    }
}

/// Formats people export from statistics tools and databases that grille
/// does not read, by extension or by their first bytes.
fn unsupported(lower_path: &str, bytes: &[u8]) -> Option<&'static str> {
    const BY_EXT: &[(&str, &str)] = &[
        (".sav", "SPSS (`.sav`)"),
        (".zsav", "SPSS (`.zsav`)"),
        (".por", "SPSS (`.por`)"),
        (".dta", "Stata (`.dta`)"),
        (".sas7bdat", "SAS (`.sas7bdat`)"),
        (".xpt", "SAS transport (`.xpt`)"),
        (".rds", "R (`.rds`)"),
        (".rdata", "R (`.RData`)"),
        (".rda", "R (`.rda`)"),
        (".parquet", "Parquet"),
        (".feather", "Feather"),
        (".arrow", "Arrow"),
        (".orc", "ORC"),
        (".avro", "Avro"),
        (".sqlite", "SQLite"),
        (".db", "database"),
        (".zip", "ZIP"),
        (".gz", "gzip"),
        (".pdf", "PDF"),
        (".docx", "Word"),
        (".doc", "Word"),
        (".numbers", "Numbers"),
        (".xlsb", "Excel binary (`.xlsb`)"),
    ];
    if let Some((_, what)) = BY_EXT.iter().find(|(e, _)| lower_path.ends_with(e)) {
        return Some(what);
    }
    const BY_MAGIC: &[(&[u8], &str)] = &[
        (b"$FL2", "SPSS (`.sav`)"),
        (b"$FL3", "SPSS (`.zsav`)"),
        (b"PAR1", "Parquet"),
        (b"PK\x03\x04", "ZIP (or a workbook with another extension)"),
        (b"\x1f\x8b", "gzip"),
        (b"%PDF", "PDF"),
        (b"SQLite format 3", "SQLite"),
        (b"ARROW1", "Arrow"),
    ];
    BY_MAGIC
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, w)| *w)
}

/// The text of a table file: UTF-8 (with or without a byte-order mark),
/// UTF-16 with its mark (Excel's "Unicode text"), or, for bytes that are not
/// UTF-8 and hold no UTF-8 letters at all, Windows-1252 (French Excel's
/// "CSV (séparateur: point-virgule)", a superset of Latin-1). Returns the
/// encoding's name when it was not UTF-8. A file mixing UTF-8 letters with
/// bytes that are not, or holding NUL bytes, is refused with its row and
/// column, never decoded by a guess.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<&'static str>), String> {
    for (bom, enc) in [
        (&b"\xff\xfe"[..], encoding_rs::UTF_16LE),
        (&b"\xfe\xff"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, bad) = enc.decode_without_bom_handling(rest);
            if bad {
                return Err(format!("not valid {} text", enc.name()));
            }
            return Ok((text.into_owned(), Some(enc.name())));
        }
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let at = match std::str::from_utf8(body) {
        Ok(t) if !t.contains('\0') => return Ok((t.to_string(), None)),
        Ok(t) => t.find('\0').unwrap_or(0),
        Err(e) => e.valid_up_to(),
    };
    let has_utf8_letters = body.iter().any(|&b| b >= 0x80)
        && std::str::from_utf8(&body[..at]).is_ok_and(|t| !t.is_ascii());
    if body.contains(&0) || has_utf8_letters {
        let (row, col) = place(body, at);
        let what = if body[at] == 0 {
            "a NUL byte (binary data?)"
        } else {
            "bytes that are not UTF-8 among UTF-8 text"
        };
        return Err(format!(
            "the file is not text in one encoding: {what} at row {row}, column {col}; save it again as CSV UTF-8"
        ));
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
    Ok((text.into_owned(), Some(encoding_rs::WINDOWS_1252.name())))
}

/// Row and column (from 1, in bytes) of offset `at`.
fn place(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let row = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = at
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    (row, col)
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
