//! `grille sql FRAMEWORK [--dialect postgres|duckdb|spark] [--table LEVEL=NAME]… [--level LEVEL] [--order key|row] [--schema | --data-report] [--record] [--staged] [--data SPEC… --export DIR]`

use super::report;
use grille::data::DataSpec;
use grille::diagnostic::Diag;
use grille::sql::{Dialect, Options, Order};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file to compile.
    framework: PathBuf,
    /// The engine the SQL is written for.
    #[arg(long, value_enum, default_value = "postgres")]
    dialect: DialectArg,
    /// `LEVEL=NAME`: the table (or view) holding a level's rows; a dotted
    /// name is schema-qualified (default: the level's name).
    #[arg(long)]
    table: Vec<String>,
    /// Only this level's rows in the result.
    #[arg(long)]
    level: Option<String>,
    /// The rows' order: by each table's key, or by its `_row` column.
    #[arg(long, value_enum, default_value = "key")]
    order: OrderArg,
    /// Print the `CREATE TABLE` statements of the tables the query reads.
    #[arg(long, conflicts_with = "data_report")]
    schema: bool,
    /// Print the statement counting rows and answers per table and question
    /// (the result's `data` section) instead of the result's.
    #[arg(long, conflicts_with = "record")]
    data_report: bool,
    /// Print the record statement: every fact of the results, one row each,
    /// for `grille eval --record` to write any format from (see docs/sql.md).
    /// With `min_group`, it masks what the table `grille_hidden` lists.
    #[arg(long, conflicts_with = "schema")]
    record: bool,
    /// PostgreSQL: print a script that computes each step of the statement
    /// into a temporary table before the final select, in one transaction.
    /// Its planner knows the tables' sizes, not a single statement's steps
    /// (docs/sql.md, "PostgreSQL's plans"); run it with `psql -q`.
    #[arg(long, conflicts_with_all = ["schema", "data_report"])]
    staged: bool,
    /// With `--export`: the data files to write as typed tables (`LEVEL=PATH`, or a bare PATH).
    #[arg(long, requires = "export")]
    data: Vec<String>,
    /// Write the data of `--data`, read and checked as `eval` reads it, as
    /// one typed CSV per level (`LEVEL.csv`) into this folder.
    #[arg(long, requires = "data")]
    export: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DialectArg {
    Postgres,
    Duckdb,
    Spark,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OrderArg {
    Key,
    Row,
}

pub fn run(a: Args) -> i32 {
    let (mut ws, _) = match super::load(&a.framework, None) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let level = match ws.level(a.level.as_deref()) {
        Ok(l) => l,
        Err(e) => return super::usage(e),
    };
    let tables = match tables(ws.framework(), &a.table) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let given = tables.iter().map(|(l, _)| *l).collect();
    let opts = Options {
        dialect: match a.dialect {
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Spark => Dialect::Spark,
        },
        tables,
        order: match a.order {
            OrderArg::Key => Order::Key,
            OrderArg::Row => Order::Row,
        },
        level,
        hidden: (ws.framework().min_group > 1 && (a.record || a.schema))
            .then(|| grille::sql::run::HIDDEN.to_string()),
        given,
    };
    if let Some(dir) = &a.export {
        return export(&mut ws, &a.data, dir, opts);
    }
    if a.schema {
        print!("{}", grille::sql::schema::schema(ws.framework(), &opts));
        return super::OK;
    }
    if a.staged && opts.dialect != Dialect::Postgres {
        return super::usage(
            "`--staged` writes PostgreSQL's temporary tables: use it with `--dialect postgres`",
        );
    }
    let fw = ws.framework();
    let made = match (a.data_report, a.record, a.staged) {
        (true, _, _) => grille::sql::data_report(fw, &opts),
        (_, true, false) => grille::sql::record(fw, &opts),
        (_, false, false) => grille::sql::query(fw, &opts),
        (_, record, true) => {
            let st = match record {
                true => grille::sql::record_parts(fw, &opts),
                false => grille::sql::query_parts(fw, &opts),
            };
            match st {
                Ok(st) if !grille::sql::run::stageable(fw, &opts, &st) => {
                    return super::usage(
                        "a table has the name of a step of the statement, which a temporary table would hide: name the table with `--table`, or leave out `--staged`",
                    );
                }
                st => st.map(|st| st.staged()),
            }
        }
    };
    match made {
        Ok(q) => {
            print!("{q}");
            super::OK
        }
        Err(e) => {
            let span = e.span();
            report(&[Diag::error(e, span, "written here")], &ws.sources);
            super::FRAMEWORK_ERRORS
        }
    }
}

/// `--export DIR`: the data read as `eval` reads it, one typed table per level.
fn export(
    ws: &mut grille::workspace::Workspace,
    data: &[String],
    dir: &std::path::Path,
    opts: Options,
) -> i32 {
    let specs: Vec<DataSpec> = data.iter().map(|s| DataSpec::parse(s)).collect();
    if let Err(e) = ws.load_data(&specs, &mut std::io::stdin()) {
        return super::usage(e);
    }
    report(ws.data_diagnostics(), &ws.sources);
    if ws.dataset().fatal {
        eprintln!("error: the data has errors; no table was written");
        return super::DATA_ERRORS;
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot make the folder `{}`: {e}", dir.display());
        return super::USAGE;
    }
    // The tables the schema lists with the same options, no more: a top
    // level's own table is written when `--table` names it.
    let fw = ws.framework();
    for (l, text) in grille::sql::typed::tables(fw, ws.dataset(), &opts) {
        let path = dir.join(format!("{}.csv", fw.levels[l].id));
        if super::write::emit(Some(&path), &text) != super::OK {
            return super::USAGE;
        }
    }
    super::OK
}

/// `--table LEVEL=NAME` arguments, checked.
pub fn tables(
    fw: &grille::ir::Framework,
    args: &[String],
) -> Result<Vec<(grille::ir::LevelId, String)>, i32> {
    let mut tables = Vec::new();
    for t in args {
        let Some((lv, name)) = t.split_once('=') else {
            return Err(super::usage(format!("`--table {t}`: write `LEVEL=NAME`")));
        };
        let Some(l) = fw.level_by_name(lv) else {
            let known: Vec<&str> = fw.levels.iter().map(|l| l.id.as_str()).collect();
            return Err(super::usage(format!(
                "`--table {t}`: the framework's levels are {}",
                known.join(", ")
            )));
        };
        tables.push((l, name.to_string()));
    }
    Ok(tables)
}

/// `eval --db URL` (tables in the database): the units, the data section
/// and the results read from there and adopted by the workspace, so that
/// every output format is written from them. Renders the diagnostics.
pub fn on_tables(
    ws: &mut grille::workspace::Workspace,
    url: &str,
    table: &[String],
    lang: &str,
) -> Result<(), i32> {
    let mut opts = options(ws, table, None)?;
    let mut check = opts.clone();
    check.hidden = Some(grille::sql::run::HIDDEN.into());
    grille::sql::record(ws.framework(), &check).map_err(|e| refused(ws, e))?;
    let mut pg = grille::sql::pg::connect(url).map_err(engine_failed)?;
    let has_row = pg
        .check_tables(ws.framework(), &opts)
        .map_err(engine_failed)?;
    if !has_row {
        opts.order = Order::Key;
    }
    let (ds, results) = grille::sql::run::on_tables(&mut pg, ws.framework(), &opts)
        .map_err(|e| run_failed(ws, e))?;
    let (_, diags) = ws.adopt_database(ds, results, lang);
    report(&super::eval::limit(diags), &ws.sources);
    Ok(())
}

fn run_failed(ws: &grille::workspace::Workspace, e: grille::sql::run::RunError) -> i32 {
    match e {
        grille::sql::run::RunError::Sql(e) => refused(ws, e),
        e => {
            eprintln!("error: {e}");
            super::USAGE
        }
    }
}

/// `eval --data … --engine URL`: the files read and checked here, loaded
/// into temporary tables and evaluated there; the results are adopted by
/// the workspace as an in-memory run's would be, so every output format
/// is written from them. Renders the diagnostics.
pub fn in_engine(
    ws: &mut grille::workspace::Workspace,
    data: &[String],
    url: &str,
    lang: &str,
) -> Result<(), i32> {
    let mut opts = options(ws, &[], None)?;
    load_checked(ws, data)?;
    opts.given.extend(given(ws.dataset()));
    // Refused constructs are named before any connection is made.
    let mut check = opts.clone();
    check.hidden = Some(grille::sql::run::HIDDEN.into());
    grille::sql::record(ws.framework(), &check).map_err(|e| refused(ws, e))?;
    let mut pg = grille::sql::pg::connect(url).map_err(engine_failed)?;
    pg.load(ws.framework(), ws.dataset(), &opts)
        .map_err(engine_failed)?;
    let results = grille::sql::run::evaluate(&mut pg, ws.framework(), ws.dataset(), &opts)
        .map_err(|e| run_failed(ws, e))?;
    let (_, diags) = ws.adopt_results(results, lang);
    report(&super::eval::limit(diags), &ws.sources);
    Ok(())
}

/// Reads and checks the data files; an error when they cannot be used.
fn load_checked(ws: &mut grille::workspace::Workspace, data: &[String]) -> Result<(), i32> {
    let specs: Vec<DataSpec> = data.iter().map(|s| DataSpec::parse(s)).collect();
    if let Err(e) = ws.load_data(&specs, &mut std::io::stdin()) {
        return Err(super::usage(e));
    }
    if ws.dataset().fatal {
        report(ws.data_diagnostics(), &ws.sources);
        eprintln!("error: the data has errors; no result was written");
        return Err(super::DATA_ERRORS);
    }
    Ok(())
}

/// `eval --data … --record ROWS [--hidden FILE]`: the rows of the record
/// statement, run by the user in any engine, read back as results that
/// every output format is written from. With `min_group`, when what
/// disclosure control hides is not what the run masked, the list is
/// written to `FILE` for the engine's `grille_hidden` table and the exit
/// is [`super::RUN_AGAIN`].
pub fn from_record(
    ws: &mut grille::workspace::Workspace,
    data: &[String],
    rows: &std::path::Path,
    hidden: Option<&std::path::Path>,
    lang: &str,
) -> Result<(), i32> {
    use grille::sql::run::{Step, hidden_header, step};
    load_checked(ws, data)?;
    if ws.framework().min_group > 1 && hidden.is_none() {
        return Err(super::usage(
            "the framework has `min_group`: say `--hidden FILE`, the file the table `grille_hidden` is loaded from".to_string(),
        ));
    }
    let now = match hidden.filter(|p| p.exists()) {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| super::usage(format!("cannot read `{}`: {e}", p.display())))?,
        None => hidden_header(),
    };
    let files = grille::sql::lines::files(rows)
        .map_err(|e| super::usage(format!("cannot read `{}`: {e}", rows.display())))?;
    let mut it = grille::sql::lines::rows(files);
    match step(ws.framework(), ws.dataset(), &mut it, &now) {
        Err(e) => {
            eprintln!("error: {}: {e}", it.at());
            Err(super::USAGE)
        }
        Ok(Step::Again(text)) => {
            let path = hidden.expect("asked for above");
            if super::write::emit(Some(path), &text) != super::OK {
                return Err(super::USAGE);
            }
            eprintln!(
                "note: disclosure control hides other values than this run masked; load `{}` into the table `grille_hidden`, run the record again, then this command",
                path.display()
            );
            Err(super::RUN_AGAIN)
        }
        Ok(Step::Done(r)) => {
            let (_, diags) = ws.adopt_results(*r, lang);
            report(&super::eval::limit(diags), &ws.sources);
            Ok(())
        }
    }
}

/// The options of a PostgreSQL run: the tables `--table` names are read
/// whether or not their level has questions.
fn options(
    ws: &grille::workspace::Workspace,
    table: &[String],
    level: Option<grille::ir::LevelId>,
) -> Result<Options, i32> {
    let tables = tables(ws.framework(), table)?;
    Ok(Options {
        dialect: Dialect::Postgres,
        given: tables.iter().map(|(l, _)| *l).collect(),
        tables,
        order: Order::Row,
        level,
        hidden: None,
    })
}

/// The levels a table was read for: their own tables are loaded and read.
fn given(ds: &grille::data::Dataset) -> Vec<grille::ir::LevelId> {
    ds.tables.iter().map(|t| t.level).collect()
}

fn engine_failed(e: grille::sql::pg::EngineError) -> i32 {
    eprintln!("error: {e}");
    super::USAGE
}

/// A construct the compiler cannot write, rendered at the framework.
fn refused(ws: &grille::workspace::Workspace, e: grille::sql::SqlError) -> i32 {
    let span = e.span();
    report(&[Diag::error(e, span, "written here")], &ws.sources);
    super::FRAMEWORK_ERRORS
}
