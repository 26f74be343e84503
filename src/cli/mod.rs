//! Command-line interface: one file per subcommand, each with its clap
//! arguments and a `run` that returns the exit code. This is the edge: the
//! only place that prints and renders diagnostics.

mod check;
mod compare;
mod diff;
mod doc;
mod eval;
mod explain;
mod fmt;
mod form;
mod sql;
mod template;
mod test;
mod write;

use clap::{Parser, Subcommand};
use grille::diagnostic::Diag;
use grille::source::SourceMap;
use grille::workspace::Workspace;
use std::io::IsTerminal;

/// Exit codes (see docs/cli.md).
pub const OK: i32 = 0;
pub const FRAMEWORK_ERRORS: i32 = 1;
pub const USAGE: i32 = 2;
pub const DATA_ERRORS: i32 = 3;
/// `eval --record`: the record is to run again with the new list of hidden values.
pub const RUN_AGAIN: i32 = 4;

#[derive(Parser)]
#[command(
    name = "grille",
    version,
    about = "Social-impact indicator frameworks: check, format and evaluate `.grille` files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve and check a framework; print its diagnostics.
    Check(check::Args),
    /// Compare rounds: what moved between results of `eval --round`, with an interval on each change.
    Compare(compare::Args),
    /// Show what an adapted framework adds, removes and changes from its base.
    Diff(diff::Args),
    /// Print the framework as a reference document (Markdown or HTML).
    Doc(doc::Args),
    /// Evaluate a framework against response data and write the results.
    Eval(eval::Args),
    /// Explain an item in words; with `--data` and `--unit`, trace how a unit's result was reached.
    Explain(explain::Args),
    /// Rewrite files in the canonical layout (comments kept).
    Fmt(fmt::Args),
    /// Write the questionnaires that collect the framework's data (XLSForm, one per level).
    Form(form::Args),
    /// Print the SQL that computes the framework's result in a database (PostgreSQL, DuckDB, Spark).
    Sql(sql::Args),
    /// Write the empty tables (one CSV per level) and a column guide for data collection.
    Template(template::Args),
    /// Run framework test files (`*.test.toml`) and report each expectation.
    Test(test::Args),
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { USAGE } else { OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Doc(a) => doc::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Form(a) => form::run(a),
        Command::Sql(a) => sql::run(a),
        Command::Template(a) => template::run(a),
        Command::Test(a) => test::run(a),
    }
}

/// Checks the framework for a command that needs a valid one, and picks
/// the language asked for (or the framework's first). On failure, reports
/// why and gives the exit code: 1 for framework errors, 2 for an unreadable
/// file or an undeclared language.
pub fn load(path: &std::path::Path, lang: Option<&str>) -> Result<(Workspace, String), i32> {
    let mut ws = Workspace::new();
    if let Err(e) = ws.check(path) {
        return Err(failed(e, &ws.sources));
    }
    match ws.lang(lang) {
        Ok(lang) => Ok((ws, lang)),
        Err(e) => Err(usage(e)),
    }
}

/// Says why a framework could not be checked and gives the exit code: 1
/// for framework errors, 2 for an unreadable file.
pub fn failed(e: grille::check::Failure, sources: &SourceMap) -> i32 {
    use grille::check::Failure;
    match e {
        Failure::Io { path, error } => {
            eprintln!("error: cannot read `{path}`: {error}");
            USAGE
        }
        Failure::Invalid(d) => {
            report(&d, sources);
            FRAMEWORK_ERRORS
        }
    }
}

/// The day a report is dated (days since 1970-01-01): from
/// `SOURCE_DATE_EPOCH` (seconds) when set, so that a report made twice
/// from the same inputs is the same file, else today.
pub fn report_date() -> Result<i64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .map(|s| s.div_euclid(86_400))
            .map_err(|_| format!("`SOURCE_DATE_EPOCH` must be a number of seconds, not `{v}`")),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| (d.as_secs() / 86_400) as i64)
            .unwrap_or(0)),
    }
}

/// Says a usage error and gives its exit code.
pub fn usage(e: impl std::fmt::Display) -> i32 {
    eprintln!("error: {e}");
    USAGE
}

pub fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints diagnostics to stderr, rendered.
pub fn report(diags: &[Diag], sources: &SourceMap) {
    let color = color();
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.render(sources, 100, color));
        out.push('\n');
    }
    let (errors, warnings) = grille::diagnostic::counts(diags);
    if errors + warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    eprint!("{out}");
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "2 errors, 1 warning"
pub fn summary(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}
