//! Reading a table's rows into typed columns, in parallel chunks.
//!
//! In: a table's CSV text and where each question and link column is. Out:
//! [`Parsed`]: one typed column per question, per-question counts, each
//! row's line and byte offset, the text of the columns needed to link rows
//! (key, parent, ancestors) in one buffer, and the diagnostics of
//! unreadable cells. Large tables are split where records start and read
//! in pieces, one per core; the pieces are joined in file order, so the
//! result is the same as a single pass.

use super::cells::{self, Cell, CellContext, Invalid, Marks};
use super::link::{QuestionCounts, cell_span, empty_column, push};
use super::records::{Dialect, Records};
use super::{Column, DataError, Table};
use crate::diagnostic::Diag;
use crate::ir::{Framework, QuestionId};
use crate::source::Span;

/// Where a question's answers are in the table.
#[derive(Debug, Clone)]
pub enum Source {
    Combined(usize),
    /// One 0/1 column per option: `(option index, column)`.
    Split(Vec<(u32, usize)>),
    Absent,
}

/// What the row reader needs to know about a table.
pub struct Layout<'a> {
    pub fw: &'a Framework,
    pub table: &'a Table,
    pub text: &'a str,
    pub headers: &'a [String],
    pub questions: &'a [QuestionId],
    pub sources: &'a [Source],
    /// Columns whose text the linking step reads.
    pub link_cols: &'a [usize],
    /// The table's CSV state machine.
    pub dialect: Dialect,
}

/// The rows of a table, read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub cols: Vec<Column>,
    pub counts: Vec<QuestionCounts>,
    pub lines: Vec<u32>,
    pub offsets: Vec<u32>,
    /// Rows with no value at all.
    pub empty: Vec<bool>,
    /// Rows that repeat the header row (tables pasted together by hand).
    pub repeated: Vec<bool>,
    /// Text of the link columns, row after row.
    pub arena: String,
    /// End of each link field in `arena` (`link_cols.len()` per row).
    pub ends: Vec<u32>,
    pub diags: Vec<Diag>,
    /// A required answer is missing.
    pub fatal: bool,
    /// How each question's number cells write decimals.
    pub marks: Vec<Marks>,
    /// Cells such as `27.108` whose reading waits for their column.
    pub grouped: Vec<GroupedCell>,
}

/// A number cell with a point (or comma) before three digits, read once
/// its column is known: its slot, row and field, and both readings.
#[derive(Debug, Clone, Copy)]
pub struct GroupedCell {
    pub slot: u32,
    pub row: u32,
    pub field: u32,
    pub thousands: f64,
    pub decimals: f64,
}

impl Parsed {
    /// Text of link field `slot` of row `r`.
    pub fn link(&self, r: usize, slot: usize, per_row: usize) -> &str {
        let i = r * per_row + slot;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.arena[start..self.ends[i] as usize]
    }

    fn append(&mut self, mut other: Parsed) {
        let base_rows = self.lines.len() as u32;
        for (a, b) in self.cols.iter_mut().zip(other.cols) {
            extend(a, b);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            a.present += b.present;
            a.blank += b.blank;
            a.dont_know += b.dont_know;
            a.refused += b.refused;
            a.invalid += b.invalid;
        }
        self.lines.append(&mut other.lines);
        self.offsets.append(&mut other.offsets);
        self.empty.append(&mut other.empty);
        self.repeated.append(&mut other.repeated);
        let base = self.arena.len() as u32;
        self.arena.push_str(&other.arena);
        self.ends.extend(other.ends.iter().map(|e| e + base));
        self.diags.append(&mut other.diags);
        for (a, b) in self.marks.iter_mut().zip(&other.marks) {
            a.join(*b);
        }
        self.grouped
            .extend(other.grouped.iter().map(|g| GroupedCell {
                row: g.row + base_rows,
                ..*g
            }));
        self.fatal |= other.fatal;
    }
}

fn extend(a: &mut Column, b: Column) {
    match (a, b) {
        (Column::Num(x), Column::Num(y)) => x.extend(y),
        (Column::Bool(x), Column::Bool(y)) => x.extend(y),
        (Column::Opt(x), Column::Opt(y)) => x.extend(y),
        (Column::Set(x), Column::Set(y)) => x.extend(y),
        (Column::Date(x), Column::Date(y)) => x.extend(y),
        (Column::Text(x), Column::Text(y)) => x.extend(y),
        _ => unreachable!("chunks of one table have the same column types"),
    }
}

/// Below this many bytes a table is read on one thread.
const PARALLEL_BYTES: usize = 4 << 20;
/// When the reader chooses, no piece is smaller than this.
const CHUNK_BYTES: usize = 2 << 20;

/// How many pieces a table body of `len` bytes is read in: one per core,
/// none under [`CHUNK_BYTES`], and a small table whole.
fn chunks_for(len: usize) -> usize {
    if len < PARALLEL_BYTES {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(len / CHUNK_BYTES).max(1)
}

/// Reads every row after the header (which ends at `body`), with `rec`
/// (the reader that read the header) and, for a large table, readers of
/// their own on other threads.
pub fn parse<'a>(layout: &Layout<'a>, rec: &mut Records<'a>, body: usize) -> Parsed {
    let text = layout.text;
    let k = layout
        .table
        .chunks
        .unwrap_or_else(|| chunks_for(text.len() - body))
        .max(1);
    let first_lines = line_breaks(text.as_bytes(), 0, body);
    let mut parsed = if k == 1 {
        chunk(layout, rec, (body, text.len()), first_lines)
    } else {
        in_chunks(layout, rec, (body, k), first_lines)
    };
    settle(layout, &mut parsed);
    parsed
}

/// Reads the body in about `k` pieces on as many threads. This thread
/// walks the records to find where each piece may start, handing each
/// piece to its thread as soon as its end is known, and reads the last
/// one itself; the pieces are joined in file order.
fn in_chunks<'a>(
    layout: &Layout<'a>,
    rec: &mut Records<'a>,
    (body, k): (usize, usize),
    first_lines: usize,
) -> Parsed {
    let text = layout.text;
    let b = text.as_bytes();
    let len = text.len() - body;
    std::thread::scope(|s| {
        rec.restart(body, text.len());
        let mut walk = Boundaries {
            bytes: b,
            records: &mut *rec,
        };
        let mut handles = Vec::with_capacity(k - 1);
        let (mut start, mut lines) = (body, first_lines);
        for i in 1..k {
            let Some(at) = walk.at_or_after(body + len / k * i) else {
                break;
            };
            let (from, before) = (start, lines);
            handles.push(s.spawn(move || {
                let mut own = layout.dialect.records(text, from, at);
                chunk(layout, &mut own, (from, at), before)
            }));
            lines += line_breaks(b, start, at);
            start = at;
        }
        let last = chunk(layout, rec, (start, text.len()), lines);
        let mut pieces: Vec<Parsed> = handles
            .into_iter()
            .map(|h| h.join().expect("a reading thread does not panic"))
            .collect();
        pieces.push(last);
        join(pieces)
    })
}

/// The pieces of a table joined in file order, each vector grown once to
/// its final length. Appending piece after piece doubled the first one's
/// vectors and could leave half of every column unused (40 MiB at a
/// million rows, held through the whole evaluation).
fn join(pieces: Vec<Parsed>) -> Parsed {
    let mut pieces = pieces.into_iter();
    let Some(mut out) = pieces.next() else {
        unreachable!("a table is read in at least one piece")
    };
    let rest: Vec<Parsed> = pieces.collect();
    let more = |f: &dyn Fn(&Parsed) -> usize| rest.iter().map(f).sum::<usize>();
    for (k, c) in out.cols.iter_mut().enumerate() {
        c.reserve_exact(more(&|p| p.cols[k].len()));
    }
    out.lines.reserve_exact(more(&|p| p.lines.len()));
    out.offsets.reserve_exact(more(&|p| p.offsets.len()));
    out.empty.reserve_exact(more(&|p| p.empty.len()));
    out.repeated.reserve_exact(more(&|p| p.repeated.len()));
    out.arena.reserve_exact(more(&|p| p.arena.len()));
    out.ends.reserve_exact(more(&|p| p.ends.len()));
    for p in rest {
        out.append(p);
    }
    out
}

/// Whether a column reads `27.108` (in a decimal-comma file; `27,108` in
/// a decimal-point one) as decimals: only when its other cells write
/// decimals that way and never the file's way.
pub fn grouped_as_decimals(marks: Marks, decimal_comma: bool) -> bool {
    if decimal_comma {
        marks.point_decimal && !marks.comma_decimal
    } else {
        marks.comma_decimal && !marks.point_decimal
    }
}

/// Gives each grouped cell its value once its column is read whole. When
/// the column's other cells do not decide (none has decimals, or both
/// conventions appear), the cell is read with the file's convention and a
/// warning underlines it.
fn settle(layout: &Layout<'_>, parsed: &mut Parsed) {
    let t = layout.table;
    for g in std::mem::take(&mut parsed.grouped) {
        let k = g.slot as usize;
        let q = &layout.fw.questions[layout.questions[k]];
        let marks = parsed.marks[k];
        let decimals = grouped_as_decimals(marks, t.decimal_comma);
        let cell = cells::settle_grouped(q, g.thousands, g.decimals, decimals);
        let (row, field) = (g.row as usize, g.field as usize);
        let (offset, line) = (parsed.offsets[row] as usize, parsed.lines[row] as usize);
        let raw = record_field(layout, offset, field);
        match &cell {
            Cell::Num(v) => {
                if let Column::Num(col) = &mut parsed.cols[k] {
                    col[row] = *v;
                }
                let decided = marks.comma_decimal != marks.point_decimal;
                if !decided {
                    parsed
                        .diags
                        .push(ambiguous(layout, (offset, line, field), &raw, *v, marks));
                }
            }
            Cell::Invalid(inv) => {
                let n = &mut parsed.counts[k];
                n.present -= 1;
                n.invalid += 1;
                let d = invalid(layout, offset, line, field, layout.questions[k], &raw, inv);
                parsed.diags.push(d);
            }
            _ => {}
        }
    }
}

/// The text of one field of the record at `offset`.
fn record_field(layout: &Layout<'_>, offset: usize, field: usize) -> String {
    let (a, b) = cell_span(layout.text, offset, field, layout.table.delimiter);
    layout.text[a..b].trim().trim_matches('"').to_string()
}

/// The warning of a number whose separator the column does not decide.
fn ambiguous(
    layout: &Layout<'_>,
    at: (usize, usize, usize),
    raw: &str,
    v: f64,
    marks: Marks,
) -> Diag {
    let (offset, line, field) = at;
    let why = if marks.comma_decimal {
        "this column writes decimals both with a comma and with a point"
    } else {
        "no other cell of this column has decimals"
    };
    let t = layout.table;
    let (a, b) = cell_span(layout.text, offset, field, t.delimiter);
    let (sep, dec) = if t.decimal_comma {
        ('.', ',')
    } else {
        (',', '.')
    };
    let (head, tail) = raw.split_once(sep).unwrap_or((raw, ""));
    let d = Diag::warning(
        DataError::AmbiguousNumber {
            value: raw.to_string(),
            read: crate::text::number(v),
        },
        Span::new(t.src, a, b),
        format!("`{sep}` read as separating thousands"),
    )
    .help(format!(
        "{why}, so `{sep}` is read as separating thousands, as this file's convention has it; write `{head}{tail}` for that number, or `{head}{dec}{tail}` for a decimal one"
    ))
    .cell(line, layout.headers.get(field).map(String::as_str));
    private(layout, d, || {
        format!(
            "an answer in this column could be read with `{sep}` separating thousands or decimals"
        )
    })
}

/// A diagnostic of a respondent's cell (the finest level's table) says
/// what is wrong without quoting the answer in published results.
fn private(layout: &Layout<'_>, d: Diag, words: impl FnOnce() -> String) -> Diag {
    match layout.fw.is_finest(layout.table.level) {
        true => d.quoting_answer(words()),
        false => d,
    }
}

/// Line breaks in `b[from..to]`: `\n`, `\r\n` and a lone `\r` (old Mac
/// files) each count one, as spreadsheets and editors count lines. A `\r`
/// at `to - 1` is looked at with the byte after it.
pub fn line_breaks(b: &[u8], from: usize, to: usize) -> usize {
    let mut n = 0;
    for i in from..to {
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// Where a record really starts: the reader may place it on the line
/// break that ended the one before (`\n` of a `\r\n`).
fn record_start(b: &[u8], mut at: usize) -> usize {
    while at < b.len() && (b[at] == b'\n' || b[at] == b'\r') {
        at += 1;
    }
    at
}

/// Where records start, found as the CSV reader itself finds them
/// from the start of the body: a quote inside an unquoted field or a line
/// break inside a quoted answer cannot place a start inside a record.
struct Boundaries<'r, 'a> {
    bytes: &'a [u8],
    records: &'r mut Records<'a>,
}

impl Boundaries<'_, '_> {
    /// The start of the next record at or after `near`, if one starts
    /// before the end of the text. Calls go forward through the text.
    fn at_or_after(&mut self, near: usize) -> Option<usize> {
        while self.records.next() {
            let at = record_start(self.bytes, self.records.position());
            if at >= near {
                return (at < self.bytes.len()).then_some(at);
            }
        }
        None
    }
}

/// The answer to question `q` in a record.
/// Where a record's text is, for what the parsed record no longer says
/// (whether an empty field was quoted).
struct Raw<'a> {
    text: &'a str,
    offset: usize,
    delimiter: u8,
}

fn read_cell(
    q: &crate::ir::Question,
    s: &Source,
    rec: &Records<'_>,
    (cx, raw): (&CellContext<'_>, &Raw<'_>),
    marks: &mut Marks,
) -> Cell {
    match s {
        Source::Combined(c) => cells::read(q, rec.get(*c).unwrap_or("").trim(), cx, marks),
        Source::Split(parts) => {
            let mut bits = 0u64;
            let mut any = false;
            for (opt, c) in parts {
                if let Some(v) = cells::split_flag(rec.get(*c).unwrap_or("")) {
                    any = true;
                    if v {
                        bits |= 1 << opt;
                    }
                }
            }
            if any {
                Cell::Set(bits)
            } else if parts.iter().any(|(_, c)| quoted_empty(raw, *c)) {
                // LimeSurvey writes `""` for a multiple choice shown and
                // left unticked, and nothing for one never shown.
                Cell::Set(0)
            } else {
                Cell::Blank
            }
        }
        Source::Absent => Cell::Blank,
    }
}

/// Whether field `field` of the record is written `""`.
fn quoted_empty(raw: &Raw<'_>, field: usize) -> bool {
    // The span is trimmed of quotes: `""` leaves an empty span right
    // after them.
    let (a, b) = cell_span(raw.text, raw.offset, field, raw.delimiter);
    a == b && a >= 2 && raw.text.get(a - 2..a) == Some("\"\"")
}

/// Takes a rejected row's answers back out of the per-question counts, so
/// that the counts add up to the rows used. Rejected rows are few: each is
/// read again from its offset rather than keeping every cell's kind.
pub fn uncount(
    layout: &Layout<'_>,
    rec: &mut Records<'_>,
    (offset, marks): (usize, &[Marks]),
    counts: &mut [QuestionCounts],
) {
    let cx = CellContext {
        fw: layout.fw,
        decimal_comma: layout.table.decimal_comma,
    };
    rec.restart(offset, layout.text.len());
    if !rec.next() {
        return;
    }
    for (k, s) in layout.sources.iter().enumerate() {
        let q = &layout.fw.questions[layout.questions[k]];
        let n = &mut counts[k];
        let mut ignored = Marks::default();
        let raw = Raw {
            text: layout.text,
            offset,
            delimiter: layout.table.delimiter,
        };
        let cell = match read_cell(q, s, rec, (&cx, &raw), &mut ignored) {
            Cell::Grouped {
                thousands,
                decimals,
            } => {
                let as_decimals = grouped_as_decimals(marks[k], cx.decimal_comma);
                cells::settle_grouped(q, thousands, decimals, as_decimals)
            }
            c => c,
        };
        let slot = match cell {
            Cell::Blank => &mut n.blank,
            Cell::DontKnow => &mut n.dont_know,
            Cell::Refused => &mut n.refused,
            Cell::Invalid(_) => &mut n.invalid,
            _ => &mut n.present,
        };
        *slot = slot.saturating_sub(1);
    }
}

/// Reads the records in `text[start..end]` with `rec`; `lines_before` line
/// breaks precede `start`.
fn chunk(
    layout: &Layout<'_>,
    rec: &mut Records<'_>,
    (start, end): (usize, usize),
    lines_before: usize,
) -> Parsed {
    let fw = layout.fw;
    let t = layout.table;
    let text = layout.text;
    let cx = CellContext {
        fw,
        decimal_comma: t.decimal_comma,
    };
    let mut out = Parsed {
        cols: layout
            .questions
            .iter()
            .map(|&q| empty_column(&fw.questions[q].ty, 0))
            .collect(),
        counts: vec![QuestionCounts::default(); layout.questions.len()],
        marks: vec![Marks::default(); layout.questions.len()],
        ..Parsed::default()
    };
    rec.restart(start, end);
    let (mut breaks, mut counted) = (0usize, start);
    while rec.next() {
        let offset = record_start(text.as_bytes(), rec.position());
        // Lines counted as people count them, whatever ends them.
        breaks += line_breaks(text.as_bytes(), counted, offset);
        counted = offset;
        let line = lines_before + breaks + 1;
        // A byte-order mark before a header inside the file is the start
        // of a second file pasted after the first: still a header row.
        let repeated = rec.len() == layout.headers.len()
            && rec.iter().zip(layout.headers).all(|(c, h)| {
                c.trim_start_matches('\u{feff}')
                    .trim()
                    .eq_ignore_ascii_case(h)
            });
        // A repeated header row is not read as answers: it is reported once, as such.
        let empty = repeated || rec.iter().all(|c| c.trim().is_empty());
        out.lines.push(line as u32);
        out.offsets.push(offset as u32);
        out.empty.push(empty);
        out.repeated.push(repeated);
        for &c in layout.link_cols {
            out.arena.push_str(rec.get(c).unwrap_or("").trim());
            out.ends.push(out.arena.len() as u32);
        }
        for k in 0..layout.sources.len() {
            out.answer(layout, &cx, k, rec, (offset, line), empty);
        }
    }
    out
}

impl Parsed {
    /// Reads question `k`'s cell of a record (at `offset`, on `line`):
    /// its value, its count, and the diagnostic of an unreadable cell or a
    /// missing required answer. Grouped numbers wait for their column.
    fn answer(
        &mut self,
        layout: &Layout<'_>,
        cx: &CellContext<'_>,
        k: usize,
        rec: &Records<'_>,
        (offset, line): (usize, usize),
        empty: bool,
    ) {
        let s = &layout.sources[k];
        let q = &layout.fw.questions[layout.questions[k]];
        let field = if let Source::Combined(c) = s { *c } else { 0 };
        let cell = if empty {
            Cell::Blank
        } else {
            let raw = Raw {
                text: layout.text,
                offset,
                delimiter: layout.table.delimiter,
            };
            read_cell(q, s, rec, (cx, &raw), &mut self.marks[k])
        };
        if let Cell::Grouped {
            thousands,
            decimals,
        } = cell
        {
            self.grouped.push(GroupedCell {
                slot: k as u32,
                row: (self.lines.len() - 1) as u32,
                field: field as u32,
                thousands,
                decimals,
            });
        }
        if !empty {
            let n = &mut self.counts[k];
            match &cell {
                Cell::Blank => n.blank += 1,
                Cell::DontKnow => n.dont_know += 1,
                Cell::Refused => n.refused += 1,
                Cell::Invalid(inv) => {
                    n.invalid += 1;
                    let raw = rec.get(field).unwrap_or("").trim();
                    let d = invalid(layout, offset, line, field, layout.questions[k], raw, inv);
                    self.diags.push(d);
                }
                _ => n.present += 1,
            }
            // Whether a conditioned question was asked is known only once
            // its condition is evaluated: its required answers are checked then.
            let asked_to_all = q.when.is_none();
            if matches!(cell, Cell::Blank)
                && q.required
                && asked_to_all
                && !matches!(s, Source::Absent)
            {
                self.required_missing(layout, q, (offset, line), field);
            }
        }
        push(&mut self.cols[k], &cell);
    }

    /// A required question without an answer: the run fails.
    fn required_missing(
        &mut self,
        layout: &Layout<'_>,
        q: &crate::ir::Question,
        (offset, line): (usize, usize),
        field: usize,
    ) {
        let t = layout.table;
        let (a, b) = cell_span(layout.text, offset, field, t.delimiter);
        self.diags.push(
            Diag::error(
                DataError::RequiredMissing(q.id.clone()),
                Span::new(t.src, a, b),
                "no answer",
            )
            .cell(line, layout.headers.get(field).map(String::as_str)),
        );
        self.fatal = true;
    }
}

/// The diagnostic of an unreadable cell.
fn invalid(
    layout: &Layout<'_>,
    offset: usize,
    line: usize,
    field: usize,
    q: QuestionId,
    raw: &str,
    inv: &Invalid,
) -> Diag {
    let t = layout.table;
    let question = &layout.fw.questions[q];
    let (a, b) = cell_span(layout.text, offset, field, t.delimiter);
    let span = Span::new(t.src, a, b);
    let d = match inv {
        Invalid::NotA { expected, help } => Diag::warning(
            DataError::BadValue {
                value: raw.to_string(),
                expected: expected.clone(),
            },
            span,
            format!("`{}` expects {expected}", question.id),
        )
        .maybe_help(help.clone()),
        Invalid::UnknownOption { value, suggestion } => {
            let codes: Vec<&str> = question.ty.option_codes();
            Diag::warning(
                DataError::UnknownOption {
                    value: value.clone(),
                    question: question.id.clone(),
                },
                span,
                "unknown option",
            )
            .help(match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("options: {}", codes.join(", ")),
            })
        }
        Invalid::OutOfRange { lo, hi } => Diag::warning(
            DataError::OutOfRange {
                value: raw.to_string(),
                question: question.id.clone(),
                lo: crate::text::number(*lo),
                hi: crate::text::number(*hi),
            },
            span,
            "out of range",
        ),
    };
    let q = &question.id;
    let words = || match inv {
        Invalid::NotA { expected, .. } => format!("an answer to `{q}` is not {expected}"),
        Invalid::UnknownOption { .. } => format!("an answer to `{q}` is not one of its options"),
        Invalid::OutOfRange { lo, hi } => format!(
            "an answer to `{q}` is outside its range {}..{}",
            crate::text::number(*lo),
            crate::text::number(*hi)
        ),
    };
    let d = d.cell(line, layout.headers.get(field).map(String::as_str));
    private(layout, d, words)
}

#[cfg(test)]
mod tests {
    use super::{line_breaks, record_start};

    #[test]
    fn line_breaks_count_every_convention_once() {
        let b = b"a\nb\r\nc\rd\r";
        assert_eq!(line_breaks(b, 0, b.len()), 4);
        // A `\r` cut from its `\n` by the range still counts with it.
        assert_eq!(line_breaks(b, 0, 4), 1);
        assert_eq!(line_breaks(b, 0, 5), 2);
        assert_eq!(record_start(b"\r\nx", 0), 2);
        assert_eq!(record_start(b"\nx", 1), 1);
    }
}
