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
use super::rows::{self, Source};
use super::{DataError, Table};
use crate::diagnostic::{Diag, Severity};
use crate::ir::{Framework, LevelId, QType, QuestionId};
use crate::source::{SourceMap, Span};
use indexmap::IndexMap;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// The units of one level.
#[derive(Debug, Clone, Default)]
pub struct LevelUnits {
    pub ids: Vec<Arc<str>>,
    pub index: FxHashMap<Arc<str>, u32>,
    /// Index of each unit's parent in the coarser level (`u32::MAX` at the top).
    pub parent: Vec<u32>,
    /// Index into [`Dataset::tables`] when the level has a table.
    pub table: Option<usize>,
    /// For a level with a table: each unit's line and byte offset in it.
    pub lines: Vec<u32>,
    pub offsets: Vec<u32>,
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
    pub levels: Vec<LevelUnits>,
    /// One column per question, over the units of the question's level.
    pub columns: Vec<Column>,
    pub tables: Vec<Table>,
    /// For each question, the field index in its level's table.
    pub fields: Vec<Option<usize>>,
    pub reports: IndexMap<String, TableReport>,
    /// A required answer is missing, or a column the data needs is absent.
    pub fatal: bool,
}

/// How a column name was found among the headers.
enum Found {
    None,
    Exact(usize),
    /// Only when case is ignored (`Entreprise` for `entreprise`).
    Loose(usize),
    /// In several columns.
    Many(Vec<usize>),
}

fn locate(headers: &[String], name: &str) -> Found {
    let exact: Vec<usize> = (0..headers.len())
        .filter(|&i| header_matches(&headers[i], name))
        .collect();
    match exact.as_slice() {
        [i] => return Found::Exact(*i),
        [_, _, ..] => return Found::Many(exact),
        [] => {}
    }
    let lower = name.to_lowercase();
    let loose: Vec<usize> = (0..headers.len())
        .filter(|&i| header_matches(&headers[i].to_lowercase(), &lower))
        .collect();
    match loose.as_slice() {
        [] => Found::None,
        [i] => Found::Loose(*i),
        _ => Found::Many(loose),
    }
}

fn header_matches(header: &str, column: &str) -> bool {
    header == column
        || header
            .strip_suffix(column)
            .is_some_and(|p| p.ends_with('/'))
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
struct RowFields<'a> {
    parsed: &'a rows::Parsed,
    row: usize,
    slots: &'a [usize],
    per_row: usize,
}

impl RowFields<'_> {
    /// The trimmed text of column `c` (a link column).
    fn get(&self, c: usize) -> &str {
        match self.slots.get(c) {
            Some(&slot) if slot != usize::MAX => self.parsed.link(self.row, slot, self.per_row),
            _ => "",
        }
    }
}

struct Builder<'a> {
    fw: &'a Framework,
    sources: &'a SourceMap,
    levels: Vec<LevelUnits>,
    diags: Vec<Diag>,
    fatal: bool,
}

/// Links the tables into a dataset.
pub fn build(fw: &Framework, mut tables: Vec<Table>, sources: &SourceMap) -> (Dataset, Vec<Diag>) {
    tables.sort_by_key(|t| t.level);
    let mut b = Builder {
        fw,
        sources,
        levels: vec![LevelUnits::default(); fw.levels.len()],
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
    let mut columns: Vec<Option<Column>> = vec![None; fw.questions.len()];
    let mut fields: Vec<Option<usize>> = vec![None; fw.questions.len()];
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
    fn header_span(&self, t: &Table) -> Span {
        let text = &self.sources.get(t.src).text;
        let end = text.find(['\n', '\r']).unwrap_or(text.len());
        Span::new(t.src, 0, end)
    }

    fn table(
        &mut self,
        t: &Table,
        columns: &mut [Option<Column>],
        fields: &mut [Option<usize>],
    ) -> TableReport {
        let fw = self.fw;
        let level = &fw.levels[t.level];
        let text = self.sources.get(t.src).text.clone();
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(t.delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match rdr.headers() {
            Ok(h) => h
                .iter()
                .map(|x| x.trim().trim_start_matches('\u{feff}').to_string())
                .collect(),
            Err(e) => {
                self.unreadable(t, e.to_string());
                return self.empty_report(t);
            }
        };
        // Headers match exactly, else ignoring case; two columns for one
        // name is an error, never a silent pick.
        let loose: std::cell::RefCell<Vec<(usize, String)>> = Default::default();
        let twice: std::cell::RefCell<Vec<(String, Vec<usize>)>> = Default::default();
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
        let find = |name: &str| match locate(&headers, name) {
            Found::None => None,
            Found::Exact(i) => Some(i),
            Found::Loose(i) => {
                loose.borrow_mut().push((i, name.to_string()));
                Some(i)
            }
            Found::Many(v) => {
                let mut t = twice.borrow_mut();
                if !t.iter().any(|(n, _)| n == name) {
                    t.push((name.to_string(), v.clone()));
                }
                Some(v[0])
            }
        };
        let finest = t.level + 1 == fw.levels.len();
        let key_col = find(&level.key);
        if key_col.is_none() && !finest {
            self.missing_column(
                t,
                &level.key,
                format!("each {} row needs its identifier", level.id),
            );
        }
        let parent_col = level.parent_column.as_deref().and_then(|c| {
            let f = find(c);
            if f.is_none() {
                self.missing_column(
                    t,
                    c,
                    format!(
                        "each {} row names its {}",
                        level.id,
                        fw.levels[t.level - 1].id
                    ),
                );
            }
            f
        });
        // Columns naming the parents of table-less coarser levels.
        let mut ancestor_cols: Vec<Option<usize>> = vec![None; fw.levels.len()];
        for l in 1..t.level {
            if let Some(c) = &fw.levels[l].parent_column {
                ancestor_cols[l] = find(c);
            }
        }
        let questions: Vec<QuestionId> = (0..fw.questions.len())
            .filter(|&q| fw.questions[q].level == t.level)
            .collect();
        let mut used_cols = vec![false; headers.len()];
        if let Some(k) = key_col {
            used_cols[k] = true;
        }
        if let Some(p) = parent_col {
            used_cols[p] = true;
        }
        for c in ancestor_cols.iter().flatten() {
            used_cols[*c] = true;
        }
        let mut srcs: Vec<Source> = Vec::new();
        for &q in &questions {
            let question = &fw.questions[q];
            let combined = find(&question.column);
            let split: Vec<(u32, usize)> = question
                .ty
                .options()
                .iter()
                .enumerate()
                .filter_map(|(i, o)| {
                    find(&format!("{}/{}", question.column, o.code)).map(|c| (i as u32, c))
                })
                .collect();
            for (_, c) in &split {
                used_cols[*c] = true;
            }
            let s = match combined {
                Some(c) => {
                    used_cols[c] = true;
                    fields[q] = Some(c);
                    Source::Combined(c)
                }
                None if matches!(question.ty, QType::Multi(_)) && !split.is_empty() => {
                    Source::Split(split)
                }
                None => {
                    self.diags.push(
                        Diag::warning(
                            DataError::MissingColumn { column: question.column.clone() },
                            self.header_span(t),
                            format!("no column for question `{}`", question.id),
                        )
                        .help("its answers are all missing; name a column after the question, or set `column \"…\"` on it"),
                    );
                    Source::Absent
                }
            };
            srcs.push(s);
        }
        let twice = twice.take();
        // A repeated column is reported as such, not again as ignored.
        for &c in twice.iter().flat_map(|(_, cols)| cols) {
            used_cols[c] = true;
        }
        self.header_findings(t, &text, &headers, loose.take(), twice);
        let ignored: Vec<usize> = (0..headers.len())
            .filter(|&i| !used_cols[i] && !headers[i].is_empty())
            .collect();
        if let Some(&first) = ignored.first() {
            let list = ignored
                .iter()
                .map(|&i| format!("`{}`", headers[i]))
                .collect::<Vec<_>>()
                .join(", ");
            let cell = |i: usize| {
                let (a, b) = cell_span(&text, 0, i, t.delimiter);
                Span::new(t.src, a, b)
            };
            let mut d = Diag::new(
                Severity::Note,
                DataError::IgnoredColumns(list),
                cell(first),
                "not read",
            );
            for &i in ignored.iter().skip(1).take(4) {
                d = d.related(cell(i), "");
            }
            self.diags.push(d);
        }
        let body = rdr.position().byte() as usize;
        // The columns linking needs: key, parent, ancestors of table-less levels.
        let mut link_cols: Vec<usize> = Vec::new();
        for c in [key_col, parent_col]
            .into_iter()
            .chain(ancestor_cols.iter().copied())
            .flatten()
        {
            if !link_cols.contains(&c) {
                link_cols.push(c);
            }
        }
        let mut slots = vec![usize::MAX; headers.len()];
        for (i, &c) in link_cols.iter().enumerate() {
            slots[c] = i;
        }
        let layout = rows::Layout {
            fw,
            table: t,
            text: &text,
            headers: &headers,
            questions: &questions,
            sources: &srcs,
            link_cols: &link_cols,
        };
        let mut parsed = rows::parse(&layout, body);
        self.diags.append(&mut parsed.diags);
        self.fatal |= parsed.fatal;
        if let Some(e) = parsed.error.take() {
            self.unreadable(t, e);
        }
        let rows = parsed.lines.len();
        let mut keep: Vec<bool> = Vec::with_capacity(rows);
        // Row index (in `keep`) of each unit registered from this table.
        let mut unit_rows: Vec<usize> = Vec::new();
        let mut rejected: Vec<Rejected> = Vec::new();
        for r in 0..rows {
            let line = parsed.lines[r] as usize;
            let offset = parsed.offsets[r] as usize;
            if parsed.repeated[r] {
                keep.push(false);
                rejected.push(Rejected {
                    row: line,
                    reason: "header row repeated".into(),
                });
                let (a, b) = cell_span(&text, offset, key_col.unwrap_or(0), t.delimiter);
                self.diags.push(
                    Diag::error(
                        DataError::RepeatedHeader,
                        Span::new(t.src, a, b),
                        "a column name, not an answer",
                    )
                    .cell(
                        line,
                        key_col.and_then(|k| headers.get(k)).map(String::as_str),
                    )
                    .help("delete this row: a table has one header row"),
                );
                continue;
            }
            if parsed.empty[r] {
                keep.push(false);
                rejected.push(Rejected {
                    row: line,
                    reason: "empty row".into(),
                });
                continue;
            }
            let fields = RowFields {
                parsed: &parsed,
                row: r,
                slots: &slots,
                per_row: link_cols.len(),
            };
            let key = match key_col {
                Some(k) => fields.get(k).to_string(),
                None => line.to_string(),
            };
            let ok = self.link(
                t,
                &text,
                &fields,
                line,
                offset,
                key,
                key_col,
                parent_col,
                &ancestor_cols,
                &headers,
                &mut rejected,
            );
            if ok {
                unit_rows.push(keep.len());
            }
            keep.push(ok);
        }
        let cols = std::mem::take(&mut parsed.cols);
        let counts = std::mem::take(&mut parsed.counts);
        if t.level + 1 == fw.levels.len() {
            self.finest_duplicates(
                t,
                &text,
                &unit_rows,
                &mut keep,
                key_col,
                &headers,
                &mut rejected,
            );
        }
        let used = keep.iter().filter(|k| **k).count();
        let mut counts = counts;
        for r in 0..rows {
            if !keep[r] && !parsed.empty[r] {
                rows::uncount(
                    &layout,
                    parsed.offsets[r] as usize,
                    &parsed.marks,
                    &mut counts,
                );
            }
        }
        for (k, mut c) in cols.into_iter().enumerate() {
            c.retain(&keep);
            columns[questions[k]] = Some(c);
        }
        TableReport {
            file: t.file.clone(),
            sha256: t.sha256.clone(),
            rows,
            used,
            rejected,
            questions: questions
                .iter()
                .zip(counts)
                .map(|(&q, c)| (fw.questions[q].id.clone(), c))
                .collect(),
        }
    }

    /// Registers a row's unit; `false` (with a diagnostic) when it is rejected.
    #[allow(clippy::too_many_arguments)]
    fn link(
        &mut self,
        t: &Table,
        text: &str,
        rec: &RowFields<'_>,
        line: usize,
        offset: usize,
        key: String,
        key_col: Option<usize>,
        parent_col: Option<usize>,
        ancestor_cols: &[Option<usize>],
        headers: &[String],
        rejected: &mut Vec<Rejected>,
    ) -> bool {
        let fw = self.fw;
        let level = t.level;
        let span_of = |field: usize| {
            let (a, b) = cell_span(text, offset, field, t.delimiter);
            Span::new(t.src, a, b)
        };
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
        let finest = level + 1 == fw.levels.len();
        if !finest && let Some(&first) = self.levels[level].index.get(key.as_str()) {
            let first_line = self.levels[level]
                .lines
                .get(first as usize)
                .copied()
                .unwrap_or(0);
            self.duplicate(
                t, text, line, offset, &key, first_line, key_col, headers, rejected,
            );
            return false;
        }
        let mut parent = u32::MAX;
        if level > 0 {
            let Some(pc) = parent_col else { return false };
            let pkey = rec.get(pc);
            let p = level - 1;
            let plevel = &fw.levels[p];
            if self.levels[p].table.is_some() {
                match self.levels[p].index.get(pkey) {
                    Some(&i) => parent = i,
                    None => {
                        rejected.push(Rejected {
                            row: line,
                            reason: format!("unknown {} `{pkey}`", plevel.id),
                        });
                        let help = if self.levels[p].len() <= 10_000 {
                            crate::suggest::closest(pkey, self.levels[p].ids.iter().map(|x| &**x))
                                .map(|s| format!("did you mean `{s}`? The row is left out"))
                        } else {
                            None
                        };
                        self.diags.push(
                            Diag::error(DataError::UnknownParent { level: plevel.id.clone(), key: pkey.to_string() }, span_of(pc), format!("no such {}", plevel.id))
                                .help(help.unwrap_or_else(|| format!("add it to the {} table, or correct this cell; the row is left out", plevel.id)))
                                .cell(line, headers.get(pc).map(String::as_str)),
                        );
                        return false;
                    }
                }
            } else {
                if pkey.is_empty() {
                    rejected.push(Rejected {
                        row: line,
                        reason: format!("no {}", plevel.id),
                    });
                    self.diags.push(
                        Diag::error(
                            DataError::UnknownParent {
                                level: plevel.id.clone(),
                                key: String::new(),
                            },
                            span_of(pc),
                            "empty",
                        )
                        .cell(line, headers.get(pc).map(String::as_str)),
                    );
                    return false;
                }
                parent = self.discover(t, p, pkey, rec, ancestor_cols, line, &span_of);
            }
        }
        let lu = &mut self.levels[level];
        let idx = lu.ids.len() as u32;
        let key: Arc<str> = key.into();
        if !finest {
            lu.index.insert(key.clone(), idx);
        }
        lu.ids.push(key);
        lu.parent.push(parent);
        lu.lines.push(line as u32);
        lu.offsets.push(offset as u32);
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn duplicate(
        &mut self,
        t: &Table,
        text: &str,
        line: usize,
        offset: usize,
        key: &str,
        first_line: u32,
        key_col: Option<usize>,
        headers: &[String],
        rejected: &mut Vec<Rejected>,
    ) {
        let level = &self.fw.levels[t.level].id;
        rejected.push(Rejected {
            row: line,
            reason: format!("duplicate {level} `{key}` (first on row {first_line})"),
        });
        let (a, b) = cell_span(text, offset, key_col.unwrap_or(0), t.delimiter);
        self.diags.push(
            Diag::error(
                DataError::DuplicateKey {
                    level: level.clone(),
                    key: key.to_string(),
                },
                Span::new(t.src, a, b),
                "seen before",
            )
            .help(format!(
                "the first row with this key (row {first_line}) is used; this one is left out"
            ))
            .cell(
                line,
                key_col.and_then(|k| headers.get(k)).map(String::as_str),
            ),
        );
    }

    /// Finds repeated keys of the finest level by sorting their hashes (a
    /// table of a million keys would cost more); later repeats are
    /// rejected. `rows[u]` is the row index of unit `u` in `keep`.
    #[allow(clippy::too_many_arguments)]
    fn finest_duplicates(
        &mut self,
        t: &Table,
        text: &str,
        rows: &[usize],
        keep: &mut [bool],
        key_col: Option<usize>,
        headers: &[String],
        rejected: &mut Vec<Rejected>,
    ) {
        use std::hash::BuildHasher;
        let hasher = rustc_hash::FxBuildHasher;
        let lu = &self.levels[t.level];
        let mut order: Vec<(u64, u32)> = lu
            .ids
            .iter()
            .enumerate()
            .map(|(i, k)| (hasher.hash_one(&**k), i as u32))
            .collect();
        order.sort_unstable();
        let mut dup = vec![false; lu.ids.len()];
        let mut firsts: Vec<(u32, u32)> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let mut j = i + 1;
            while j < order.len() && order[j].0 == order[i].0 {
                j += 1;
            }
            for a in i + 1..j {
                let ua = order[a].1;
                if let Some(&(_, first)) = order[i..a].iter().find(|(_, ub)| {
                    !dup[*ub as usize] && lu.ids[*ub as usize] == lu.ids[ua as usize]
                }) {
                    dup[ua as usize] = true;
                    firsts.push((ua, first));
                }
            }
            i = j;
        }
        if firsts.is_empty() {
            return;
        }
        firsts.sort_unstable();
        for (u, first) in firsts {
            let lu = &self.levels[t.level];
            let (line, offset, key, first_line) = (
                lu.lines[u as usize] as usize,
                lu.offsets[u as usize] as usize,
                lu.ids[u as usize].clone(),
                lu.lines[first as usize],
            );
            self.duplicate(
                t, text, line, offset, &key, first_line, key_col, headers, rejected,
            );
            keep[rows[u as usize]] = false;
        }
        let lu = &mut self.levels[t.level];
        let mut k = 0;
        lu.ids.retain(|_| {
            k += 1;
            !dup[k - 1]
        });
        for v in [&mut lu.parent, &mut lu.lines, &mut lu.offsets] {
            let mut k = 0;
            v.retain(|_| {
                k += 1;
                !dup[k - 1]
            });
        }
        rejected.sort_by_key(|r| r.row);
    }

    /// Finds or creates a unit of table-less level `p` named in a finer row.
    #[allow(clippy::too_many_arguments)]
    fn discover(
        &mut self,
        t: &Table,
        p: LevelId,
        key: &str,
        rec: &RowFields<'_>,
        ancestor_cols: &[Option<usize>],
        line: usize,
        span_of: &dyn Fn(usize) -> Span,
    ) -> u32 {
        let fw = self.fw;
        let grand = if p == 0 {
            u32::MAX
        } else {
            match ancestor_cols[p] {
                Some(c) => {
                    let gkey = rec.get(c);
                    if self.levels[p - 1].table.is_some() {
                        self.levels[p - 1]
                            .index
                            .get(gkey)
                            .copied()
                            .unwrap_or(u32::MAX)
                    } else if gkey.is_empty() {
                        u32::MAX
                    } else {
                        self.discover(t, p - 1, gkey, rec, ancestor_cols, line, span_of)
                    }
                }
                None => u32::MAX,
            }
        };
        if let Some(&i) = self.levels[p].index.get(key) {
            let known = self.levels[p].parent[i as usize];
            if grand != u32::MAX && known != u32::MAX && known != grand {
                let gl = &fw.levels[p - 1];
                let c = ancestor_cols[p].unwrap_or(0);
                self.diags.push(
                    Diag::warning(
                        DataError::ConflictingParent {
                            level: fw.levels[p].id.clone(),
                            key: key.to_string(),
                            parent: gl.id.clone(),
                            first: self.levels[p - 1].ids[known as usize].to_string(),
                            second: self.levels[p - 1].ids[grand as usize].to_string(),
                        },
                        span_of(c),
                        "differs from an earlier row",
                    )
                    .help("the first one is kept")
                    .cell(line, None),
                );
            }
            return i;
        }
        if p > 0 && grand == u32::MAX && ancestor_cols[p].is_none() && self.levels[p].is_empty() {
            let col = fw.levels[p].parent_column.clone().unwrap_or_default();
            self.missing_column(
                t,
                &col,
                format!(
                    "{} has no table, so its {} is read here",
                    fw.levels[p].id,
                    fw.levels[p - 1].id
                ),
            );
        }
        let lu = &mut self.levels[p];
        let idx = lu.ids.len() as u32;
        let key: Arc<str> = key.into();
        lu.index.insert(key.clone(), idx);
        lu.ids.push(key);
        lu.parent.push(grand);
        idx
    }

    /// A note for headers matched ignoring case; an error (the table is
    /// not read) for a name found in two columns.
    fn header_findings(
        &mut self,
        t: &Table,
        text: &str,
        headers: &[String],
        loose: Vec<(usize, String)>,
        twice: Vec<(String, Vec<usize>)>,
    ) {
        let cell = |i: usize| {
            let (a, b) = cell_span(text, 0, i, t.delimiter);
            Span::new(t.src, a, b)
        };
        if let Some(&(first, _)) = loose.first() {
            let list = loose
                .iter()
                .map(|(i, n)| format!("`{}` for `{n}`", headers[*i]))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d = Diag::new(
                Severity::Note,
                DataError::LooseHeaders(list),
                cell(first),
                "read ignoring case",
            );
            for (i, _) in loose.iter().skip(1).take(4) {
                d = d.related(cell(*i), "");
            }
            self.diags.push(d);
        }
        for (name, cols) in twice {
            self.fatal = true;
            // Columns spelt alike are told apart by their place.
            let alike = cols.iter().skip(1).any(|&i| headers[i] == headers[cols[0]]);
            let names: Vec<String> = cols
                .iter()
                .map(|&i| match alike {
                    true => format!("`{}` (column {})", headers[i], i + 1),
                    false => format!("`{}`", headers[i]),
                })
                .collect();
            let mut d = Diag::error(
                DataError::DuplicateColumn {
                    column: name.clone(),
                    columns: names.join(" and "),
                },
                cell(cols[0]),
                "first",
            )
            .help(format!(
                "keep one column for `{name}`, or tell the question which one to read with `column \"…\"`"
            ));
            for &i in &cols[1..] {
                d = d.related(cell(i), "also");
            }
            self.diags.push(d);
        }
    }

    fn missing_column(&mut self, t: &Table, column: &str, why: String) {
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

    fn unreadable(&mut self, t: &Table, why: String) {
        self.fatal = true;
        self.diags.push(Diag::error(
            DataError::Unreadable(why),
            Span::new(t.src, 0, 0),
            "here",
        ));
    }

    fn empty_report(&self, t: &Table) -> TableReport {
        TableReport {
            file: t.file.clone(),
            sha256: t.sha256.clone(),
            rows: 0,
            used: 0,
            rejected: Vec::new(),
            questions: IndexMap::new(),
        }
    }
}
