//! Data read in memory, written as the typed tables a query reads.
//!
//! In: a framework and its linked [`Dataset`]. Out: per level with
//! questions, a CSV table with the columns of [`super::schema::columns`]:
//! the units that were kept (rejected rows are not there), `_row` their
//! order, each answer as grille read it (a share as a fraction, a choice
//! as its option's code, a date as `YYYY-MM-DD`, yes/no as
//! `true`/`false`), and an empty cell where it is missing. Any engine's
//! CSV loader reads it into the table of `--schema`.

use super::Dialect;
use crate::data::Column;
use crate::data::Dataset;
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, NA_SET, format_date};
use crate::ir::{Framework, LevelId, QuestionId};

/// One CSV text per level with a table (see [`super::schema::has_table`]).
pub fn tables(fw: &Framework, ds: &Dataset, opts: &super::Options) -> Vec<(LevelId, String)> {
    super::schema::tabled(fw, opts)
        .into_iter()
        .map(|l| (l, table(fw, ds, l)))
        .collect()
}

/// One field of the table: missing, or a text (quoted when it must be,
/// and always when empty: an empty text is not a missing value).
enum Field {
    Missing,
    Text(String),
}

fn write_row(out: &mut String, row: &[Field]) {
    for (k, f) in row.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        if let Field::Text(t) = f {
            if t.is_empty() || t.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&t.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(t);
            }
        }
    }
    out.push('\n');
}

fn table(fw: &Framework, ds: &Dataset, l: LevelId) -> String {
    let cols = super::schema::columns(fw, Dialect::Postgres, l);
    let mut out = String::new();
    let header: Vec<Field> = cols.iter().map(|(c, _)| Field::Text(c.clone())).collect();
    write_row(&mut out, &header);
    let units = &ds.levels[l];
    let has_parent = fw.levels[l].parent_column.is_some();
    let questions: Vec<QuestionId> = (fw.questions.keys())
        .filter(|&q| fw.questions[q].level == l)
        .collect();
    for u in 0..units.len() {
        let mut row: Vec<Field> = vec![Field::Text(units.ids[u].to_string())];
        if has_parent {
            let p = units.parent[u];
            row.push(match (p, fw.levels[l].parent) {
                (u32::MAX, _) | (_, None) => Field::Missing,
                (p, Some(pl)) => Field::Text(ds.levels[pl].ids[p as usize].to_string()),
            });
        }
        if fw.levels[l].name_column.is_some() {
            row.push(match units.name(u) {
                Some(n) if !n.is_empty() => Field::Text(n.to_string()),
                _ => Field::Missing,
            });
        }
        row.push(Field::Text((u + 1).to_string()));
        let mut seen: Vec<&str> = Vec::new();
        for &q in &questions {
            let c = fw.questions[q].column.as_str();
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            row.push(cell(fw, q, &ds.columns[q], u));
        }
        write_row(&mut out, &row);
    }
    out
}

/// One answer as the typed table holds it.
fn cell(fw: &Framework, q: QuestionId, c: &Column, u: usize) -> Field {
    let opts = fw.questions[q].ty.options();
    let text = match c {
        Column::Num(v) if !v[u].is_nan() => format!("{}", v[u]),
        Column::Bool(v) if v[u] != NA_BOOL => (v[u] == 1).to_string(),
        Column::Opt(v) if v[u] != NA_OPT => match opts.get(v[u] as usize) {
            Some(o) => o.code.clone(),
            None => return Field::Missing,
        },
        // The codes ticked, in the options' order; none is an empty text.
        Column::Set(v) if v[u] != NA_SET => opts
            .iter()
            .enumerate()
            .filter(|(k, _)| v[u] & (1 << k) != 0)
            .map(|(_, o)| o.code.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Column::Date(v) if v[u] != NA_DATE => format_date(v[u]),
        Column::Text(v) => match &v[u] {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => return Field::Missing,
        },
        _ => return Field::Missing,
    };
    Field::Text(text)
}
