//! `grille compare ROUND.json ROUND.json [ROUND.json…] [--format human|json|csv|md|html] [--lang L] [--level LEVEL] [--out PATH] [--allow-changed]`:
//! what moved between rounds. Exit 0; 1 when the rounds have nothing in
//! common; 2 when a file cannot be read or is not a grille result.

use super::{FRAMEWORK_ERRORS, USAGE};
use grille::compare::{self, CompareError, Options, Round};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Results of `grille eval --format json`, oldest first (two or more).
    #[arg(required = true, num_args = 2..)]
    rounds: Vec<PathBuf>,
    /// Output format (default: from the extension of `--out`, else the summary for people).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Language of the report's words (fr, nl, en; default: the first round's).
    #[arg(long)]
    lang: Option<String>,
    /// Compare only this level.
    #[arg(long)]
    level: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Compare items whose definition changed between rounds.
    #[arg(long)]
    allow_changed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary for the terminal.
    Human,
    Json,
    Csv,
    /// A report for people, in Markdown.
    Md,
    /// A report for people: one self-contained HTML page.
    Html,
}

fn pick(asked: Option<Format>, out: Option<&std::path::Path>) -> Result<Format, String> {
    use super::write::Ext;
    if let Some(f) = asked {
        return Ok(f);
    }
    Ok(match super::write::out_ext(out)? {
        None | Some(Ext::Txt) => Format::Human,
        Some(Ext::Pdf | Ext::Xlsx) => {
            return Err("`compare` writes `.txt`, `.json`, `.csv`, `.md` or `.html` files".into());
        }
        Some(Ext::Json) => Format::Json,
        Some(Ext::Csv) => Format::Csv,
        Some(Ext::Md) => Format::Md,
        Some(Ext::Html) => Format::Html,
    })
}

pub fn run(a: Args) -> i32 {
    let format = match pick(a.format, a.out.as_deref()) {
        Ok(f) => f,
        Err(e) => return super::usage(format!("`--out`: {e}")),
    };
    let mut rounds = Vec::new();
    for p in &a.rounds {
        let file = p.display().to_string();
        let read = std::fs::read(p).map_err(|e| CompareError::Unreadable {
            file: file.clone(),
            reason: e.to_string(),
        });
        match read.and_then(|b| Round::read(&file, &b)) {
            Ok(r) => rounds.push(r),
            Err(e) => {
                eprintln!("error: {e}");
                return USAGE;
            }
        }
    }
    let lang = a.lang.clone().unwrap_or_else(|| {
        rounds[0].doc["framework"]["lang"]
            .as_str()
            .unwrap_or("en")
            .to_string()
    });
    let opts = Options {
        allow_changed: a.allow_changed,
        level: a.level.clone(),
    };
    let cmp = match compare::compare(rounds, &opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return FRAMEWORK_ERRORS;
        }
    };
    let text = match format {
        Format::Human => compare::render::human(&cmp),
        Format::Json => compare::render::json(&cmp),
        Format::Csv => compare::render::csv(&cmp),
        Format::Md => compare::report::markdown(&cmp, &lang),
        Format::Html => compare::report::html(&cmp, &lang),
    };
    super::write::emit(a.out.as_deref(), &text)
}
