//! `grille diff BASE ADAPTED [--format human|json] [--lang L]`: what an
//! adaptation adds, removes and changes, item by item. Exit 0 whatever the
//! differences; 1 if either framework has errors; 2 if one cannot be read.

use super::OK;
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
    // The adapted framework is the workspace's; the base is read beside it.
    let (mut ws, lang) = match super::load(&a.adapted, a.lang.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let base = match ws.check_other(&a.base) {
        Ok(c) => c,
        Err(e) => return super::failed(e, &ws.sources),
    };
    let files = (
        a.base.display().to_string(),
        a.adapted.display().to_string(),
    );
    let d = grille::report::diff::diff(
        &base.framework,
        ws.framework(),
        &ws.sources,
        &lang,
        (&files.0, &files.1),
    );
    match a.format {
        Format::Human => print!("{}", grille::report::diff::human(&d, &lang)),
        Format::Json => print!("{}", grille::report::diff::json(&d)),
    }
    OK
}
