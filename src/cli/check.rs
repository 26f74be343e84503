//! `grille check FRAMEWORK [--lang L] [--deny-warnings] [--format human|json]`

use super::{FRAMEWORK_ERRORS, OK, USAGE, report};
use grille::check::{Failure, Options};
use grille::diagnostic::Diag;
use grille::source::SourceMap;
use grille::workspace::Workspace;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file to check.
    framework: PathBuf,
    /// Report missing translations for this language only.
    #[arg(long)]
    lang: Option<String>,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    deny_warnings: bool,
    /// `human` (rendered, on standard error) or `json` (an array, on standard output).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(a: Args) -> i32 {
    // As in `eval`: the process ends when this returns, and freeing a large
    // framework's syntax and model piece by piece was a tenth of `check`.
    let mut ws = std::mem::ManuallyDrop::new(Workspace::new());
    let opts = Options {
        lang: a.lang.clone(),
    };
    let (diags, failed, languages) = match ws.check_with(&a.framework, &opts) {
        Ok(c) => (c.warnings.clone(), false, c.framework.languages.clone()),
        Err(Failure::Io { path, error }) => {
            eprintln!("error: cannot read `{path}`: {error}");
            return USAGE;
        }
        Err(Failure::Invalid(d)) => (d, true, Vec::new()),
    };
    if let Some(l) = &a.lang
        && !failed
        && !languages.is_empty()
        && !languages.contains(l)
    {
        eprintln!(
            "error: `--lang {l}`: the framework's languages are {}",
            languages.join(", ")
        );
        return USAGE;
    }
    emit(&diags, &ws.sources, a.format);
    if failed || (a.deny_warnings && !diags.is_empty()) {
        FRAMEWORK_ERRORS
    } else {
        OK
    }
}

fn emit(diags: &[Diag], sources: &SourceMap, format: Format) {
    match format {
        Format::Human => report(diags, sources),
        Format::Json => {
            let v: Vec<_> = diags.iter().map(|d| d.to_json(sources)).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("diagnostics serialise")
            );
        }
    }
}
