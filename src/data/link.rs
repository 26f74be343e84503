//! Tables → linked units and typed columns.
//!
//! In: the framework and its tables (coarsest level first). Out: a
//! [`Dataset`]: for every level, its units in order of first appearance
//! and each unit's parent; one typed column per question; and a
//! [`TableReport`] per table accounting for every row. Rows whose parent
//! is unknown or whose key repeats are rejected with a diagnostic on the
//! cell; levels without a table get their units from the parent columns
//! of finer tables.

use super::cells::Cell;
use super::column::{self, Column};
use super::records::{Dialect, Records};
use super::rows;
use super::shape::Shape;
use super::{DataError, Table};
use crate::diagnostic::{Diag, Severity};
use crate::ir::{Framework, LevelId, List, QType, QuestionId};
use crate::source::{SourceMap, Span};
use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The ids of a level's units, in one buffer: a million persons' keys
/// would otherwise be a million small allocations (about 48 bytes each
/// instead of the key's length and one offset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    text: String,
    ends: Vec<usize>,
}

impl Ids {
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, u: usize) -> Option<&str> {
        let end = *self.ends.get(u)?;
        let start = if u == 0 { 0 } else { self.ends[u - 1] };
        Some(&self.text[start..end])
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|u| &self[u])
    }

    /// Keeps the ids whose `keep` is true, in order.
    pub fn retain_flags(&mut self, keep: &[bool]) {
        let mut kept = Ids::default();
        for (u, id) in self.iter().enumerate() {
            if keep.get(u).copied().unwrap_or(true) {
                kept.push(id);
            }
        }
        *self = kept;
    }
}

impl std::ops::Index<usize> for Ids {
    type Output = str;
    fn index(&self, u: usize) -> &str {
        let start = if u == 0 { 0 } else { self.ends[u - 1] };
        &self.text[start..self.ends[u]]
    }
}

impl<'a> FromIterator<&'a str> for Ids {
    fn from_iter<I: IntoIterator<Item = &'a str>>(it: I) -> Ids {
        let mut ids = Ids::default();
        for id in it {
            ids.push(id);
        }
        ids
    }
}

/// The units of one level.
#[derive(Debug, Clone, Default)]
pub struct LevelUnits {
    pub ids: Ids,
    pub index: FxHashMap<Arc<str>, u32>,
    /// Index of each unit's parent in the coarser level (`u32::MAX` at the top).
    pub parent: Vec<u32>,
    /// Index into [`Dataset::tables`] when the level has a table.
    pub table: Option<usize>,
    /// For a level with a table: each unit's line and byte offset in it.
    pub lines: Vec<u32>,
    pub offsets: Vec<u32>,
    /// Display names read from the level's `name` column, by unit (units
    /// met only in a finer table have none; the list may be shorter).
    pub names: Vec<Option<Box<str>>>,
}

impl LevelUnits {
    /// Unit `u`'s display name, if its table gave one.
    pub fn name(&self, u: usize) -> Option<&str> {
        self.names.get(u).and_then(|n| n.as_deref())
    }
}

impl LevelUnits {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Answers per question, for the result's `data` section.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct QuestionCounts {
    pub present: usize,
    pub blank: usize,
    pub dont_know: usize,
    pub refused: usize,
    pub invalid: usize,
    /// Rows where the question was not asked (`when`), only for questions
    /// asked to some: neither blank nor present, whatever the cell held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_asked: Option<usize>,
}

/// What happened to a table's rows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableReport {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub used: usize,
    pub rejected: Vec<Rejected>,
    pub questions: IndexMap<String, QuestionCounts>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejected {
    pub row: usize,
    pub reason: String,
}

/// Linked units and typed columns.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub levels: List<LevelId, LevelUnits>,
    /// One column per question, over the units of the question's level,
    /// shared with evaluation (which copies one only when a rule blanks
    /// some of its answers).
    pub columns: List<QuestionId, std::sync::Arc<Column>>,
    pub tables: Vec<Table>,
    /// For each question, the field index in its level's table.
    pub fields: List<QuestionId, Option<usize>>,
    pub reports: IndexMap<String, TableReport>,
    /// A required answer is missing, or a column the data needs is absent.
    pub fatal: bool,
}

/// Byte range of field `field` of the record starting at `offset`.
pub fn cell_span(text: &str, offset: usize, field: usize, delim: u8) -> (usize, usize) {
    let b = text.as_bytes();
    let mut i = offset;
    let mut f = 0;
    let mut start = i;
    let mut quoted = false;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted && (c == delim || c == b'\n' || c == b'\r') {
            if f == field {
                return trim_span(text, start, i);
            }
            if c != delim {
                break;
            }
            f += 1;
            start = i + 1;
        }
        i += 1;
    }
    if f == field {
        trim_span(text, start, i)
    } else {
        (start.min(b.len()), start.min(b.len()))
    }
}

fn trim_span(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    while s < e && (b[s] == b' ' || b[s] == b'"') {
        s += 1;
    }
    while e > s && (b[e - 1] == b' ' || b[e - 1] == b'"') {
        e -= 1;
    }
    (s, e)
}

/// The link columns of one row, as read by [`rows::parse`].
pub(super) struct RowFields<'a> {
    parsed: &'a rows::Parsed,
    row: usize,
    slots: &'a [usize],
    per_row: usize,
}

impl RowFields<'_> {
    /// The trimmed text of column `c` (a link column).
    pub(super) fn get(&self, c: usize) -> &str {
        match self.slots.get(c) {
            Some(&slot) if slot != usize::MAX => self.parsed.link(self.row, slot, self.per_row),
            _ => "",
        }
    }
}

/// One table being linked: its text, headers and shape.
pub(super) struct Here<'a> {
    pub t: &'a Table,
    pub text: &'a str,
    pub headers: &'a [String],
    pub shape: &'a Shape,
}

impl Here<'_> {
    /// The span of field `field` of the record at `offset`.
    pub(super) fn span(&self, offset: usize, field: usize) -> Span {
        let (a, b) = cell_span(self.text, offset, field, self.t.delimiter);
        Span::new(self.t.src, a, b)
    }

    /// The header of a column, when there is one.
    pub(super) fn column(&self, field: Option<usize>) -> Option<&str> {
        field.and_then(|k| self.headers.get(k)).map(String::as_str)
    }
}

/// Where a row is: its line (as people count) and byte offset.
pub(super) struct RowAt {
    pub line: usize,
    pub offset: usize,
}

pub(super) struct Builder<'a> {
    pub(super) fw: &'a Framework,
    sources: &'a SourceMap,
    pub(super) levels: List<LevelId, LevelUnits>,
    pub(super) diags: Vec<Diag>,
    pub(super) fatal: bool,
}

/// Links the tables into a dataset.
pub fn build(fw: &Framework, mut tables: Vec<Table>, sources: &SourceMap) -> (Dataset, Vec<Diag>) {
    tables.sort_by_key(|t| t.level);
    let mut b = Builder {
        fw,
        sources,
        levels: vec![LevelUnits::default(); fw.levels.len()].into(),
        diags: Vec::new(),
        fatal: false,
    };
    for (i, t) in tables.iter().enumerate() {
        if b.levels[t.level].table.is_some() {
            b.diags.push(Diag::error(
                DataError::Unreadable(format!(
                    "two tables are given for level `{}`",
                    fw.levels[t.level].id
                )),
                Span::new(t.src, 0, 0),
                "second table",
            ));
            b.fatal = true;
            continue;
        }
        b.levels[t.level].table = Some(i);
    }
    let mut columns: List<QuestionId, Option<Column>> = vec![None; fw.questions.len()].into();
    let mut fields: List<QuestionId, Option<usize>> = vec![None; fw.questions.len()].into();
    let mut reports = IndexMap::new();
    for (i, t) in tables.iter().enumerate() {
        if b.levels[t.level].table != Some(i) {
            continue;
        }
        let report = b.table(t, &mut columns, &mut fields);
        reports.insert(fw.levels[t.level].id.clone(), report);
    }
    let columns = fw
        .questions
        .iter()
        .zip(columns)
        .map(|(q, c)| c.unwrap_or_else(|| empty_column(&q.ty, b.levels[q.level].len())))
        .map(std::sync::Arc::new)
        .collect();
    // In file order, whatever stage found them.
    b.diags
        .sort_by_key(|d| (d.primary.span.src, d.primary.span.start));
    let ds = Dataset {
        levels: b.levels,
        columns,
        tables,
        fields,
        reports,
        fatal: b.fatal,
    };
    (ds, b.diags)
}

pub(super) fn empty_column(ty: &QType, n: usize) -> Column {
    match ty {
        QType::Number | QType::Percent { .. } | QType::Scale { .. } => {
            Column::Num(vec![f64::NAN; n])
        }
        QType::YesNo => Column::Bool(vec![column::NA_BOOL; n]),
        QType::Choice(_) => Column::Opt(vec![column::NA_OPT; n]),
        QType::Multi(_) => Column::Set(vec![column::NA_SET; n]),
        QType::Date => Column::Date(vec![column::NA_DATE; n]),
        QType::Text => Column::Text(vec![None; n]),
    }
}

pub(super) fn push(col: &mut Column, cell: &Cell) {
    match (col, cell) {
        (Column::Num(v), Cell::Num(x)) => v.push(*x),
        (Column::Bool(v), Cell::Bool(x)) => v.push(*x as u8),
        (Column::Opt(v), Cell::Opt(x)) => v.push(*x),
        (Column::Set(v), Cell::Set(x)) => v.push(*x),
        (Column::Date(v), Cell::Date(x)) => v.push(*x),
        (Column::Text(v), Cell::Text(x)) => v.push(Some(x.clone().into_boxed_str())),
        (Column::Num(v), _) => v.push(f64::NAN),
        (Column::Bool(v), _) => v.push(column::NA_BOOL),
        (Column::Opt(v), _) => v.push(column::NA_OPT),
        (Column::Set(v), _) => v.push(column::NA_SET),
        (Column::Date(v), _) => v.push(column::NA_DATE),
        (Column::Text(v), _) => v.push(None),
    }
}

impl Builder<'_> {
    pub(super) fn header_span(&self, t: &Table) -> Span {
        let text = &self.sources.get(t.src).text;
        let end = text.find(['\n', '\r']).unwrap_or(text.len());
        Span::new(t.src, 0, end)
    }

    fn table(
        &mut self,
        t: &Table,
        columns: &mut List<QuestionId, Option<Column>>,
        fields: &mut List<QuestionId, Option<usize>>,
    ) -> TableReport {
        let text = self.sources.get(t.src).text.clone();
        let dialect = Dialect {
            delimiter: t.delimiter,
        };
        let mut rec = dialect.records(&text, 0, text.len());
        let (headers, body) = headers(&mut rec);
        if let Some(enc) = t.encoding {
            self.diags.push(
                Diag::new(
                    Severity::Note,
                    DataError::Encoding(enc),
                    self.header_span(t),
                    "decoded",
                )
                .help("if letters look wrong, save the file again as CSV UTF-8"),
            );
        }
        let shape = self.shape(t, &text, &headers, fields);
        let here = Here {
            t,
            text: &text,
            headers: &headers,
            shape: &shape,
        };
        let layout = rows::Layout {
            fw: self.fw,
            table: t,
            text: &text,
            headers: &headers,
            questions: &shape.questions,
            sources: &shape.sources,
            link_cols: &shape.link,
            dialect,
        };
        let mut parsed = rows::parse(&layout, &mut rec, body);
        self.diags.append(&mut parsed.diags);
        self.fatal |= parsed.fatal;
        let (mut keep, unit_rows, mut rejected) = self.link_rows(&here, &parsed);
        if self.fw.is_finest(t.level) {
            self.finest_duplicates(&here, &unit_rows, &mut keep, &mut rejected);
        }
        let mut counts = std::mem::take(&mut parsed.counts);
        for r in 0..parsed.lines.len() {
            if !keep[r] && !parsed.empty[r] {
                let offset = parsed.offsets[r] as usize;
                rows::uncount(&layout, &mut rec, (offset, &parsed.marks), &mut counts);
            }
        }
        for (k, mut c) in std::mem::take(&mut parsed.cols).into_iter().enumerate() {
            c.retain(&keep);
            columns[shape.questions[k]] = Some(c);
        }
        TableReport {
            file: t.file.clone(),
            sha256: t.sha256.clone(),
            rows: parsed.lines.len(),
            used: keep.iter().filter(|k| **k).count(),
            rejected,
            questions: (shape.questions.iter())
                .zip(counts)
                .map(|(&q, c)| (self.fw.questions[q].id.clone(), c))
                .collect(),
        }
    }

    /// Links each row to a unit, in file order. Returns which rows are
    /// kept, the row of each unit registered, and the rows left out.
    fn link_rows(
        &mut self,
        here: &Here<'_>,
        parsed: &rows::Parsed,
    ) -> (Vec<bool>, Vec<usize>, Vec<Rejected>) {
        let rows = parsed.lines.len();
        let mut keep: Vec<bool> = Vec::with_capacity(rows);
        let mut unit_rows: Vec<usize> = Vec::new();
        let mut rejected: Vec<Rejected> = Vec::new();
        let ahead = self.parents_ahead(here, parsed);
        for r in 0..rows {
            let at = RowAt {
                line: parsed.lines[r] as usize,
                offset: parsed.offsets[r] as usize,
            };
            if parsed.repeated[r] {
                keep.push(false);
                rejected.push(Rejected {
                    row: at.line,
                    reason: "header row repeated".into(),
                });
                let key = here.shape.key;
                self.diags.push(
                    Diag::error(
                        DataError::RepeatedHeader,
                        here.span(at.offset, key.unwrap_or(0)),
                        "a column name, not an answer",
                    )
                    .cell(at.line, here.column(key))
                    .help("delete this row: a table has one header row"),
                );
                continue;
            }
            if parsed.empty[r] {
                keep.push(false);
                rejected.push(Rejected {
                    row: at.line,
                    reason: "empty row".into(),
                });
                continue;
            }
            let fields = RowFields {
                parsed,
                row: r,
                slots: &here.shape.slots,
                per_row: here.shape.link.len(),
            };
            // The key is read in place; only a table without a key column
            // makes one (the row's line number).
            let line_key;
            let key = match here.shape.key {
                Some(k) => fields.get(k),
                None => {
                    line_key = at.line.to_string();
                    &line_key
                }
            };
            let parent = ahead.as_ref().map(|a| a[r]);
            let ok = self.link(here, (&fields, parent), &at, key, &mut rejected);
            if ok {
                unit_rows.push(keep.len());
                if let Some(c) = here.shape.name {
                    // A row that links registers a new unit, the last one.
                    let u = self.levels[here.t.level].ids.len() - 1;
                    self.set_name(here.t.level, u, fields.get(c));
                }
            }
            keep.push(ok);
        }
        (keep, unit_rows, rejected)
    }

    /// Each row's parent looked up in the parent level's index on every
    /// core, `u32::MAX` where its key is not there (those rows go the long
    /// way, which reports them). `None` for small tables and where units of
    /// the parent level come from this table. At ten million rows the
    /// lookups, a cache miss or two each, were a tenth of reading, on one
    /// thread.
    fn parents_ahead(&self, here: &Here<'_>, parsed: &rows::Parsed) -> Option<Vec<u32>> {
        let pc = here.shape.parent?;
        let rows = parsed.lines.len();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if here.t.level == LevelId::TOP || rows < 20_000 || threads < 2 {
            return None;
        }
        let up = &self.levels[here.t.level - 1];
        up.table?;
        let look = |from: usize, to: usize| -> Vec<u32> {
            (from..to)
                .map(|row| {
                    let fields = RowFields {
                        parsed,
                        row,
                        slots: &here.shape.slots,
                        per_row: here.shape.link.len(),
                    };
                    up.index.get(fields.get(pc)).copied().unwrap_or(u32::MAX)
                })
                .collect()
        };
        let per = rows.div_ceil(threads);
        Some(std::thread::scope(|sc| {
            let handles: Vec<_> = (0..rows)
                .step_by(per)
                .map(|a| sc.spawn(move || look(a, (a + per).min(rows))))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        }))
    }

    /// Records unit `u`'s display name (none when the cell is empty).
    fn set_name(&mut self, level: LevelId, u: usize, name: &str) {
        let ld = &mut self.levels[level];
        if ld.names.len() <= u {
            ld.names.resize(u + 1, None);
        }
        if !name.is_empty() {
            ld.names[u] = Some(name.into());
        }
    }

    /// Registers a row's unit; `false` (with a diagnostic) when it is rejected.
    fn link(
        &mut self,
        here: &Here<'_>,
        (rec, ahead): (&RowFields<'_>, Option<u32>),
        at: &RowAt,
        key: &str,
        rejected: &mut Vec<Rejected>,
    ) -> bool {
        let fw = self.fw;
        let (t, headers) = (here.t, here.headers);
        let key_col = here.shape.key;
        let (line, offset) = (at.line, at.offset);
        let level = t.level;
        let span_of = |field: usize| here.span(offset, field);
        if key.is_empty() {
            rejected.push(Rejected {
                row: line,
                reason: format!("no {} identifier", fw.levels[level].id),
            });
            let sp = span_of(key_col.unwrap_or(0));
            self.diags.push(
                Diag::warning(
                    DataError::BadValue {
                        value: String::new(),
                        expected: "an identifier".into(),
                    },
                    sp,
                    "empty key",
                )
                .cell(
                    line,
                    key_col.and_then(|k| headers.get(k)).map(String::as_str),
                ),
            );
            return false;
        }
        // Keys of the finest level are checked for repeats once the table is read.
        let finest = fw.is_finest(level);
        if !finest && let Some(&first) = self.levels[level].index.get(key) {
            let first_line = self.levels[level]
                .lines
                .get(first as usize)
                .copied()
                .unwrap_or(0);
            self.duplicate(here, at, key, first_line, rejected);
            return false;
        }
        let parent = match level {
            LevelId::TOP => u32::MAX,
            _ => match self.parent_of(here, (rec, ahead), at, rejected) {
                Some(p) => p,
                None => return false,
            },
        };
        let lu = &mut self.levels[level];
        let idx = lu.ids.len() as u32;
        if !finest {
            lu.index.insert(key.into(), idx);
        }
        lu.ids.push(key);
        lu.parent.push(parent);
        lu.lines.push(line as u32);
        lu.offsets.push(offset as u32);
        true
    }

    pub(super) fn missing_column(&mut self, t: &Table, column: &str, why: String) {
        self.fatal = true;
        self.diags.push(
            Diag::error(
                DataError::MissingColumn {
                    column: column.to_string(),
                },
                self.header_span(t),
                "header row",
            )
            .help(why),
        );
    }
}

/// The header row, trimmed, and where the body starts.
fn headers(rec: &mut Records<'_>) -> (Vec<String>, usize) {
    rec.next();
    let headers = rec
        .iter()
        .map(|x| x.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    (headers, rec.consumed())
}

#[cfg(test)]
mod ids_tests {
    use super::Ids;

    /// Ids read back as pushed, empty and multibyte ones included, and
    /// keeping some keeps them in order.
    #[test]
    fn ids_read_back_as_pushed() {
        let given = ["E1", "", "Évry-2", "e1", "x"];
        let mut ids: Ids = given.iter().copied().collect();
        assert_eq!(ids.len(), 5);
        assert_eq!(ids.iter().collect::<Vec<_>>(), given);
        assert_eq!(
            (&ids[2], ids.get(1), ids.get(5)),
            ("Évry-2", Some(""), None)
        );
        ids.retain_flags(&[true, false, true, false, true]);
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["E1", "Évry-2", "x"]);
        ids.push("y");
        assert_eq!(&ids[3], "y");
        assert!(!ids.is_empty() && Ids::default().is_empty());
    }
}
