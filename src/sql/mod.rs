//! Stage 5b, the SQL runner: a framework's evaluation plan written as one
//! SQL query, so that a database computes what `grille eval` computes.
//!
//! In: a checked [`Framework`], its [`Plan`] and [`Options`] (dialect,
//! table names, row order). Out: the text of one statement whose rows are
//! the tidy result (`eval --format csv`), in the same order; or
//! [`SqlError::Unsupported`] naming a construct the compiler cannot yet
//! write exactly. Also the `CREATE TABLE` statements of the typed tables
//! the query reads ([`schema`]) and those tables' contents from a dataset
//! read in memory ([`typed`]).
//!
//! The query is a chain of CTEs, one per thing the in-memory runner
//! computes as a column: `b{l}` the units of level `l` with their
//! ancestors' keys and checked answers, `p{f}_{l}…` a pass computing
//! every aggregate over the rows of level `f` grouped at `l` (see
//! `pass`), `v{i}_{l}`/`i{i}_{l}` an indicator's value then its
//! status and score, `d{d}_{l}` a dimension. Each CTE is keyed by `_k`,
//! the unit's key; an expression at level `l` reads the row `r` of `b{l}`
//! and whatever CTEs it needs, joined on the key of `r`'s ancestor at
//! their level.

mod build;
mod cells;
pub mod dialect;
mod expr;
mod items;
pub mod lines;
mod output;
mod pass;
pub mod pg;
pub mod rebuild;
mod record;
pub mod report;
pub mod run;
pub mod schema;
pub mod tidy;
pub mod typed;

pub use dialect::Dialect;

use crate::diagnostic::Code;
use crate::eval::Plan;
use crate::ir::{Framework, LevelId};
use crate::source::Span;

/// How rows are ordered in the typed tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// By each table's key.
    #[default]
    Key,
    /// By each table's `_row` column (the order of the original file).
    Row,
}

/// What the query is written for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dialect: Dialect,
    /// Per level: its table's name (default: the level's name).
    pub tables: Vec<(LevelId, String)>,
    pub order: Order,
    /// Only this level's rows in the result.
    pub level: Option<LevelId>,
    /// The table listing the values disclosure control hides (`min_group`),
    /// decided by grille between runs of the record (`eval --engine`); the
    /// query then masks them before anything reads them. Without it,
    /// `min_group` is refused.
    pub hidden: Option<String>,
    /// Levels whose own table is read although they have no questions: a
    /// top level given a table (named with `--table`, or read with the
    /// data of `eval --engine`) takes its units from it, so that a unit
    /// with nothing below it is still there (a count of 0), as in memory.
    /// Otherwise a top level without questions is made from the parents
    /// its finer table names.
    pub given: Vec<LevelId>,
}

impl Options {
    /// The table of level `l`.
    pub fn table(&self, fw: &Framework, l: LevelId) -> String {
        self.tables
            .iter()
            .rev()
            .find(|(x, _)| *x == l)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| fw.levels[l].id.clone())
    }
}

/// Why a framework cannot be written as SQL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SqlError {
    #[error("{construct} cannot be computed in {dialect} SQL yet")]
    Unsupported {
        construct: String,
        dialect: &'static str,
        span: Span,
    },
}

impl Code for SqlError {
    fn code(&self) -> &'static str {
        match self {
            SqlError::Unsupported { .. } => "grille::sql::unsupported",
        }
    }
}

impl SqlError {
    /// Where in the framework the construct is written.
    pub fn span(&self) -> Span {
        match self {
            SqlError::Unsupported { span, .. } => *span,
        }
    }
}

/// The query computing the tidy result of `fw`.
pub fn query(fw: &Framework, opts: &Options) -> Result<String, SqlError> {
    Ok(query_parts(fw, opts)?.text())
}

/// The tidy query as its parts (see [`Statement::staged`]).
pub fn query_parts(fw: &Framework, opts: &Options) -> Result<Statement, SqlError> {
    let plan = Plan::new(fw);
    let mut b = build::Builder::new(fw, &plan, opts)?;
    b.items()?;
    let select = output::select(&b)?;
    Ok(b.statement(select))
}

/// The statement returning every fact of the results, raw (see
/// [`rebuild`]), for running a framework in a database from grille.
pub fn record(fw: &Framework, opts: &Options) -> Result<String, SqlError> {
    Ok(record_parts(fw, opts)?.text())
}

/// The record statement as its parts, for a runner that computes the
/// CTEs one by one ([`run`]).
pub fn record_parts(fw: &Framework, opts: &Options) -> Result<Statement, SqlError> {
    let plan = Plan::new(fw);
    let mut b = build::Builder::new(fw, &plan, opts)?;
    b.items()?;
    let select = record::select(&mut b)?;
    Ok(b.statement(select))
}

/// One statement as its common table expressions, each listed after the
/// ones it reads, and the `SELECT` reading them.
#[derive(Debug, Clone)]
pub struct Statement {
    /// (name, body) in an order where a body reads only earlier names.
    pub ctes: Vec<(String, String)>,
    pub select: String,
    pub dialect: Dialect,
}

impl Statement {
    /// The statement as one `WITH … SELECT …;`.
    pub fn text(&self) -> String {
        let mut s = String::from("WITH\n");
        let n = self.ctes.len();
        for (k, (name, body)) in self.ctes.iter().enumerate() {
            s.push_str(&format!("{name} {} (\n  {body}\n)", self.dialect.cte()));
            s.push_str(if k + 1 < n { ",\n" } else { "\n" });
        }
        s.push_str(&self.select);
        s.push_str(";\n");
        s
    }

    /// PostgreSQL: a transaction computing each CTE into a temporary table
    /// of its name, up to the final select (not included). The planner
    /// knows nothing of a CTE's size; it knows a table's. Without `ANALYZE`:
    /// the size is what the plans needed, and gathering statistics on the
    /// wide tables of the chains took a fifth of the time at a million
    /// persons (docs/sql.md, "PostgreSQL's plans").
    ///
    /// Just-in-time compilation is turned off for the transaction: LLVM
    /// spent 9 s compiling a pass of 200 aggregates over a million rows,
    /// which took 16 s in all with it and 10 s without.
    pub fn staged_tables(&self) -> String {
        let mut s = String::from("BEGIN;\nSET LOCAL jit = off;\n");
        for (name, body) in &self.ctes {
            s.push_str(&format!(
                "CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS\n  {body};\n"
            ));
        }
        s
    }

    /// PostgreSQL: the statement as a script of [`Statement::staged_tables`],
    /// the final select and `COMMIT`, which drops the tables.
    pub fn staged(&self) -> String {
        format!("{}{};\nCOMMIT;\n", self.staged_tables(), self.select)
    }
}

/// The statement listing the units of every level in order (level, key,
/// parent's key, name), for `eval --db`.
pub fn units(fw: &Framework, opts: &Options) -> Result<String, SqlError> {
    let plan = Plan::new(fw);
    let b = build::Builder::new(fw, &plan, opts)?;
    Ok(b.finish(record::units(&b)))
}

/// The statement counting, per table and question, the rows and answers
/// the query reads (the `data` section of a result).
pub fn data_report(fw: &Framework, opts: &Options) -> Result<String, SqlError> {
    let plan = Plan::new(fw);
    let b = build::Builder::new(fw, &plan, opts)?;
    Ok(b.finish(report::select(&b)))
}
