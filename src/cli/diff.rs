//! `grille diff BASE ADAPTED [--format human|json] [--lang L]`: what an
//! adaptation adds, removes and changes, item by item. Exit 0 whatever the
//! differences; 1 if either framework has errors; 2 if one cannot be read.

use super::OK;
use grille::source::SourceMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The base framework.
    base: PathBuf,
    /// The framework compared with it (usually one that `extends` it).
    adapted: PathBuf,
    /// `human` (text) or `json` (`grille/diff@1`).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Language of the labels shown (default: the adapted framework's first).
    #[arg(long)]
    lang: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(a: Args) -> i32 {
    let mut sources = SourceMap::new();
    let (base, _) = match super::load(&a.base, None, &mut sources) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (adapted, lang) = match super::load(&a.adapted, a.lang.as_deref(), &mut sources) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let files = (
        a.base.display().to_string(),
        a.adapted.display().to_string(),
    );
    let d = grille::report::diff::diff(
        &base.framework,
        &adapted.framework,
        &sources,
        &lang,
        (&files.0, &files.1),
    );
    match a.format {
        Format::Human => print!("{}", grille::report::diff::human(&d)),
        Format::Json => print!("{}", grille::report::diff::json(&d)),
    }
    OK
}
