//! A framework evaluated in PostgreSQL from grille (`eval --engine`).
//!
//! In: a connection whose session holds the typed tables, the framework,
//! the dataset they were loaded from (for its units) and the options.
//! Out: the complete [`Results`]. The record statement runs once without
//! disclosure control. With `min_group`, grille decides what to hide from
//! the values before masking — the order-dependent choices of
//! complementary suppression, which one SQL statement cannot make in every
//! dialect — writes that list into a temporary table the query masks by,
//! and runs again, until the list no longer changes: an indicator that
//! reads another sees it masked from the run after the other's list is
//! known, so this takes one run more than the depth of such chains
//! (usually two runs in all).

use super::pg::{EngineError, Pg};
use super::rebuild::{self, RebuildError};
use super::{Options, SqlError};
use crate::data::Dataset;
use crate::eval::Results;
use crate::eval::disclosure::{Hidden, hide_in};
use crate::ir::{Framework, IndicatorId};

/// The temporary table of values disclosure control hides.
pub const HIDDEN: &str = "grille_hidden";

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Sql(#[from] SqlError),
    #[error(transparent)]
    Rebuild(#[from] RebuildError),
}

/// Evaluates `fw` in the session's tables.
pub fn evaluate(
    pg: &mut Pg,
    fw: &Framework,
    ds: &Dataset,
    opts: &Options,
) -> Result<Results, RunError> {
    let mut opts = opts.clone();
    let disclosure = fw.min_group > 1;
    if disclosure {
        opts.hidden = Some(HIDDEN.into());
        pg.create_hidden(HIDDEN)?;
    }
    let st = super::record_parts(fw, &opts)?;
    let staged = stageable(fw, &opts, &st);
    // The one statement, only when the steps cannot be tables.
    let whole = match staged {
        true => String::new(),
        false => st.text(),
    };
    let mut hidden = hidden_header();
    for _ in 0..fw.indicators.len() + 2 {
        if disclosure {
            pg.set_hidden(HIDDEN, &hidden)?;
        }
        if staged {
            pg.stage(&st)?;
        }
        let mut rows = pg.stream(if staged { &st.select } else { &whole })?;
        let next = step(fw, ds, &mut rows, &hidden)?;
        drop(rows);
        if staged {
            pg.commit()?;
        }
        match next {
            Step::Done(r) => return Ok(*r),
            Step::Again(next) => hidden = next,
        }
    }
    Err(RebuildError("disclosure control did not settle".into()).into())
}

/// Whether the CTEs of `st` can be computed as temporary tables of their
/// own names ([`Pg::stage`]): no table the statement reads by a bare name
/// has one of those names, which the temporary table would hide.
pub fn stageable(fw: &Framework, opts: &Options, st: &super::Statement) -> bool {
    let tables: Vec<String> = super::schema::tabled(fw, opts)
        .into_iter()
        .map(|l| opts.table(fw, l))
        .chain([HIDDEN.to_string()])
        .collect();
    // Tables are quoted where read, so only the same spelling is hidden.
    !st.ctes.iter().any(|(n, _)| tables.contains(n))
}

/// What one run of the record leads to.
#[derive(Debug)]
pub enum Step {
    /// The results, complete: the run masked what disclosure control hides.
    Done(Box<Results>),
    /// What disclosure control hides differs from what the run masked: the
    /// table of hidden values is to hold these rows (CSV with a header)
    /// and the record to run again.
    Again(String),
}

/// Reads one run of the record, made with the table of hidden values
/// holding `hidden` (as written by a previous [`Step::Again`], or only
/// [`hidden_header`] for the first run), and decides whether it is the
/// last. Without `min_group` the first run is.
pub fn step(
    fw: &Framework,
    ds: &Dataset,
    rows: rebuild::Rows,
    hidden: &str,
) -> Result<Step, RebuildError> {
    let (mut r, un) = rebuild::read(fw, ds, rows)?;
    let next = match fw.min_group > 1 {
        true => rebuild::disclosed(fw, ds, &r, &un),
        false => Vec::new(),
    };
    let text = rows_of(ds, &next);
    if fw.min_group > 1 && !same_rows(&text, hidden) {
        return Ok(Step::Again(text));
    }
    for &(i, h) in &next {
        hide_in(&mut r, i, h);
    }
    crate::eval::complete(fw, ds, &mut r);
    Ok(Step::Done(Box::new(r)))
}

/// The header of the table of hidden values as CSV: indicator, level,
/// breakdown (-1 for a unit's total), cell, unit key.
pub fn hidden_header() -> String {
    "i,l,b,c,k\n".to_string()
}

/// Whether two lists of hidden values hold the same rows, whatever line
/// endings a tool in between wrote.
fn same_rows(a: &str, b: &str) -> bool {
    let lines = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    lines(a) == lines(b)
}

/// The hidden values as the table's rows, after [`hidden_header`].
fn rows_of(ds: &Dataset, hidden: &[(IndicatorId, Hidden)]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(hidden_header().into_bytes());
    for (i, h) in hidden {
        let (b, c) = match h.cell {
            Some((b, c)) => (b as i64, c),
            None => (-1, 0),
        };
        let key = &ds.levels[h.level].ids[h.unit];
        w.write_record([
            i.to_string(),
            h.level.to_string(),
            b.to_string(),
            c.to_string(),
            key.to_string(),
        ])
        .expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8")
}

/// Evaluates `fw` on tables already in the database (`eval --db`): the
/// units and the data section are read from there too.
pub fn on_tables(
    pg: &mut Pg,
    fw: &Framework,
    opts: &Options,
) -> Result<(Dataset, Results), RunError> {
    let rows = pg.rows(&super::units(fw, opts)?)?;
    let mut lists = vec![crate::data::remote::UnitList::default(); fw.levels.len()];
    for row in &rows {
        let field = |k: usize| row.get(k).cloned().flatten();
        let l: usize = field(0)
            .and_then(|x| x.parse().ok())
            .filter(|&l| l < lists.len())
            .ok_or_else(|| RebuildError(format!("a unit at level {:?}", field(0))))?;
        let list = &mut lists[l];
        list.ids.push(field(1).unwrap_or_default());
        list.parents.push(field(2));
        list.names.push(field(3));
    }
    let counts = pg.rows(&super::data_report(fw, opts)?)?;
    let reports = super::report::reports(fw, opts, &counts);
    let ds = crate::data::remote::units_only(fw, lists, reports);
    let results = evaluate(pg, fw, &ds, opts)?;
    Ok((ds, results))
}
