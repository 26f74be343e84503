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
use crate::data::column::{NA_BOOL, NA_DATE, NA_OPT, format_date};
use crate::ir::{Framework, LevelId};

/// One CSV text per level with questions.
pub fn tables(fw: &Framework, ds: &Dataset) -> Vec<(LevelId, String)> {
    super::schema::tabled(fw)
        .into_iter()
        .map(|l| (l, table(fw, ds, l)))
        .collect()
}

fn table(fw: &Framework, ds: &Dataset, l: LevelId) -> String {
    let cols = super::schema::columns(fw, Dialect::Postgres, l);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cols.iter().map(|(c, _)| c.as_str()))
        .expect("writing to memory");
    let units = &ds.levels[l];
    let has_parent = fw.levels[l].parent_column.is_some();
    let questions: Vec<usize> = (0..fw.questions.len())
        .filter(|&q| fw.questions[q].level == l)
        .collect();
    for u in 0..units.len() {
        let mut row: Vec<String> = vec![units.ids[u].to_string()];
        if has_parent {
            let p = units.parent[u];
            row.push(match (p, fw.levels[l].parent) {
                (u32::MAX, _) | (_, None) => String::new(),
                (p, Some(pl)) => ds.levels[pl].ids[p as usize].to_string(),
            });
        }
        row.push((u + 1).to_string());
        let mut seen: Vec<&str> = Vec::new();
        for &q in &questions {
            let c = fw.questions[q].column.as_str();
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            row.push(cell(fw, q, &ds.columns[q], u));
        }
        w.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 cells")
}

/// One answer as the typed table holds it (empty: missing).
fn cell(fw: &Framework, q: usize, c: &Column, u: usize) -> String {
    match c {
        Column::Num(v) if !v[u].is_nan() => format!("{}", v[u]),
        Column::Bool(v) if v[u] != NA_BOOL => (v[u] == 1).to_string(),
        Column::Opt(v) if v[u] != NA_OPT => fw.questions[q]
            .ty
            .options()
            .get(v[u] as usize)
            .map(|o| o.code.clone())
            .unwrap_or_default(),
        Column::Date(v) if v[u] != NA_DATE => format_date(v[u]),
        Column::Text(v) => v[u].as_deref().unwrap_or("").to_string(),
        _ => String::new(),
    }
}
