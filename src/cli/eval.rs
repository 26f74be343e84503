//! `grille eval FRAMEWORK --data SPEC… [--format json|csv|md|html|pdf|xlsx] [--lang L] [--level LEVEL] [--out PATH | --split DIR] [--round LABEL] [--strict]`

use super::{DATA_ERRORS, report};
use grille::data::DataSpec;
use grille::diagnostic::{Diag, Severity};
use grille::workspace::Workspace;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file to evaluate.
    framework: PathBuf,
    /// `LEVEL=PATH` (repeatable), or a bare PATH when one level has questions; `-` reads standard input.
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    data: Vec<String>,
    /// Evaluate in this PostgreSQL database, on tables already there
    /// (`postgres://user@host/db` or `host=… dbname=…`); see docs/sql.md.
    #[arg(long)]
    db: Option<String>,
    /// With `--data`: read and check the files here, then evaluate in this
    /// PostgreSQL database, in temporary tables.
    #[arg(long, requires = "data", conflicts_with = "record")]
    engine: Option<String>,
    /// With `--data`: read the results from the rows of `grille sql
    /// --record`, run in any engine and saved as JSON Lines (a file, or a
    /// folder of part files); see docs/sql.md.
    #[arg(long, requires = "data")]
    record: Option<PathBuf>,
    /// With `--record` and `min_group`: the list of values disclosure
    /// control hides, as the table `grille_hidden` holds it; rewritten
    /// (exit 4) when the record must run again with a new list.
    #[arg(long, requires = "record")]
    hidden: Option<PathBuf>,
    /// With `--db`: `LEVEL=NAME`, the table of a level (default: the level's name).
    #[arg(long, requires = "db")]
    table: Vec<String>,
    /// Output format (default: from the extension of `--out`, else JSON).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of labels and messages (default: the framework's first language).
    #[arg(long)]
    lang: Option<String>,
    /// Report only this level.
    #[arg(long)]
    level: Option<String>,
    /// Write the result to this file (atomically) instead of standard output.
    #[arg(long, conflicts_with = "split")]
    out: Option<PathBuf>,
    /// With `--format md|html|pdf`: write one report per unit of the reported
    /// level(s) into this folder, and an `index` listing them.
    #[arg(long)]
    split: Option<PathBuf>,
    /// Indent the JSON result (the default when writing to a terminal).
    #[arg(long)]
    pretty: bool,
    /// With `--format csv`: `fr` or `nl` write `;` and decimal commas with a
    /// byte-order mark, as French and Dutch spreadsheets open them (default `en`).
    #[arg(long, value_enum)]
    csv_locale: Option<CsvLocale>,
    /// Label this result as a round (`grille compare` reads it), e.g. `--round 2021`.
    #[arg(long)]
    round: Option<String>,
    /// Exit 3 when the data has errors (unreadable cells, unknown options or parents, failed error rules).
    #[arg(long)]
    strict: bool,
}

/// The format to write: the one asked for, else the one the `--out`
/// file's extension names (so `--out rapport.html` is a report, not JSON
/// in a file called `.html`), else JSON.
fn pick_format(asked: Option<Format>, out: Option<&std::path::Path>) -> Result<Format, String> {
    use super::write::Ext;
    if let Some(f) = asked {
        return Ok(f);
    }
    match super::write::out_ext(out)? {
        None | Some(Ext::Json) => Ok(Format::Json),
        Some(Ext::Csv) => Ok(Format::Csv),
        Some(Ext::Md) => Ok(Format::Md),
        Some(Ext::Html) => Ok(Format::Html),
        Some(Ext::Xlsx) => Ok(Format::Xlsx),
        Some(Ext::Pdf) => Ok(Format::Pdf),
        Some(Ext::Txt) => Err(
            "no format writes `.txt` files; use `.json`, `.csv`, `.md`, `.html`, `.pdf` or `.xlsx`, or say `--format`".into(),
        ),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvLocale {
    En,
    Fr,
    Nl,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    /// A report for people, in Markdown.
    Md,
    /// A report for people: one self-contained HTML page with charts.
    Html,
    /// A report for people: an A4 PDF.
    Pdf,
    /// The result as an Excel workbook: a sheet per level, a row per unit.
    Xlsx,
}

/// How many diagnostics of one code are rendered on standard error.
const SHOWN_PER_CODE: usize = 20;

pub fn run(a: Args) -> i32 {
    let (ws, lang) = match super::load(&a.framework, a.lang.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The process ends when this returns: freeing the tables, columns and
    // results one allocation at a time would only delay the exit (about
    // a second at ten million persons), so the operating system takes
    // the memory back at once. Nothing in the workspace has a `Drop`
    // that matters (files are written and closed before this returns).
    let mut ws = std::mem::ManuallyDrop::new(ws);
    let level = match ws.level(a.level.as_deref()) {
        Ok(l) => l,
        Err(e) => return super::usage(e),
    };
    let format = match pick_format(a.format, a.out.as_deref()) {
        Ok(f) => f,
        Err(e) => return super::usage(format!("`--out`: {e}")),
    };
    if a.csv_locale.is_some() && format != Format::Csv {
        return super::usage("`--csv-locale` applies to `--format csv` only".to_string());
    }
    if a.split.is_some() && !matches!(format, Format::Md | Format::Html | Format::Pdf) {
        return super::usage(
            "`--split` writes reports: say `--format md`, `--format html` or `--format pdf`"
                .to_string(),
        );
    }
    let date = match super::report_date() {
        Ok(d) => d,
        Err(e) => return super::usage(e),
    };
    let evaluated = match (&a.db, &a.engine, &a.record) {
        (Some(url), _, _) => super::sql::on_tables(&mut ws, url, &a.table, &lang),
        (None, Some(url), _) => super::sql::in_engine(&mut ws, &a.data, url, &lang),
        (None, None, Some(rows)) => {
            super::sql::from_record(&mut ws, &a.data, rows, a.hidden.as_deref(), &lang)
        }
        (None, None, None) => evaluate_data(&mut ws, &a.data, &lang),
    };
    if let Err(code) = evaluated {
        return code;
    }
    let (_, diags) = ws.results().expect("evaluated above");
    let strict_fail = a.strict
        && diags.iter().any(|d| {
            d.severity == Severity::Error || grille::data::codes::STRICT.contains(&d.code)
        });
    // A required answer missing where its question was asked is known
    // only after evaluation settled who was asked.
    let unanswered = diags
        .iter()
        .any(|d| d.code == grille::data::codes::REQUIRED_MISSING);
    if ws.dataset().fatal || unanswered || strict_fail {
        eprintln!("error: the data has errors; no result was written");
        return DATA_ERRORS;
    }
    let mut cx = ws.report_context(&lang, level);
    cx.round = a.round.as_deref();
    cx.date = Some(date);
    note_empty_level(&cx);
    if let Some(dir) = &a.split {
        return write_split(&cx, diags, dir, format);
    }
    // Text formats are streamed into the output as they are produced;
    // the workbook and the PDF are made whole, then written.
    let out = a.out.as_deref();
    match format {
        Format::Json => {
            let pretty =
                a.pretty || (out.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()));
            super::write::emit_with(out, |w| {
                grille::report::json::write(&cx, diags, &ws.sources, pretty, w)
            })
        }
        Format::Csv => {
            use grille::report::csv::Locale;
            let locale = match a.csv_locale {
                Some(CsvLocale::Fr) => Locale::Fr,
                Some(CsvLocale::Nl) => Locale::Nl,
                _ => Locale::En,
            };
            super::write::emit_with(out, |w| grille::report::csv::write_in(&cx, locale, w))
        }
        Format::Md => super::write::emit_with(out, |w| {
            grille::report::human::write_markdown(&cx, diags, w)
        }),
        Format::Html => {
            super::write::emit_with(out, |w| grille::report::human::write_html(&cx, diags, w))
        }
        Format::Xlsx => {
            let bytes = grille::report::xlsx::result(&cx, diags, &ws.sources);
            emit_made(a.out.as_deref(), bytes, "workbook")
        }
        Format::Pdf => {
            let doc = grille::report::human::whole(&cx, diags);
            emit_made(
                a.out.as_deref(),
                grille::report::pdf::render(&doc, cx.lang),
                "PDF",
            )
        }
    }
}

/// Writes bytes a writer made, or says why it could not make them.
fn emit_made(out: Option<&std::path::Path>, made: Result<Vec<u8>, String>, what: &str) -> i32 {
    match made {
        Ok(bytes) => super::write::emit_bytes(out, &bytes),
        Err(e) => {
            eprintln!("error: cannot make the {what}: {e}");
            super::USAGE
        }
    }
}

/// `--split DIR`: one report per unit and an index, each file written
/// atomically; the folder is made when missing.
fn write_split(
    cx: &grille::report::Context<'_>,
    diags: &[Diag],
    dir: &std::path::Path,
    format: Format,
) -> i32 {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot make the folder `{}`: {e}", dir.display());
        return super::USAGE;
    }
    let ext = match format {
        Format::Md => "md",
        Format::Pdf => "pdf",
        _ => "html",
    };
    let written = grille::report::human::split_each(cx, diags, ext, |stem, doc| {
        let bytes = match format {
            Format::Md => grille::report::page::markdown(&doc.blocks).into_bytes(),
            Format::Pdf => match grille::report::pdf::render(&doc, cx.lang) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: cannot make the PDF of `{stem}`: {e}");
                    return Err(());
                }
            },
            _ => grille::report::page::html(&doc.title, cx.lang, &doc.blocks).into_bytes(),
        };
        let path = dir.join(format!("{stem}.{ext}"));
        super::write::write_atomic(&path, &bytes).map_err(|e| {
            eprintln!("error: cannot write `{}`: {e}", path.display());
        })
    });
    match written {
        Ok(()) => super::OK,
        Err(()) => super::USAGE,
    }
}

/// A note when `--level` names a level nothing is reported at.
fn note_empty_level(cx: &grille::report::Context<'_>) {
    let (fw, results) = (cx.fw, cx.results);
    if let Some(l) = cx.level
        && !results.levels.contains(&l)
    {
        let shown: Vec<&str> = results
            .levels
            .iter()
            .map(|&x| fw.levels[x].id.as_str())
            .collect();
        eprintln!(
            "note: nothing is reported at level `{}`; results exist at: {}",
            fw.levels[l].id,
            shown.join(", ")
        );
    }
}

/// Reads the `--data` tables, evaluates the framework on them and renders
/// the data's diagnostics on standard error (framework warnings are
/// `check`'s business: here the data speaks). Exit 2 when a file cannot
/// be read or two tables are given for one level.
pub fn evaluate_data(ws: &mut Workspace, specs: &[String], lang: &str) -> Result<(), i32> {
    let specs: Vec<DataSpec> = specs.iter().map(|s| DataSpec::parse(s)).collect();
    if let Err(e) = ws.load_data(&specs, &mut std::io::stdin()) {
        return Err(super::usage(e));
    }
    let (_, diags) = ws.evaluate(lang);
    report(&limit(diags), &ws.sources);
    Ok(())
}

/// The diagnostics to render: at most [`SHOWN_PER_CODE`] of each code, then a count.
pub fn limit(diags: &[Diag]) -> Vec<Diag> {
    // In the order codes first appear, so the notes read the same every run.
    let mut counts: indexmap::IndexMap<&str, usize> = indexmap::IndexMap::new();
    let mut out = Vec::new();
    for d in diags {
        let c = counts.entry(d.code).or_insert(0);
        *c += 1;
        if *c <= SHOWN_PER_CODE {
            out.push(d.clone());
        }
    }
    for (code, n) in counts {
        if n > SHOWN_PER_CODE {
            eprintln!(
                "note: {} more `{code}` diagnostics are not shown here (the JSON result lists them all)",
                n - SHOWN_PER_CODE
            );
        }
    }
    out
}
