//! `grille doc FRAMEWORK [--lang L] [--format md|html]`

use super::OK;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file.
    framework: PathBuf,
    /// Language of the document (default: the framework's first language).
    #[arg(long)]
    lang: Option<String>,
    /// `md` (Markdown) or `html` (one self-contained page).
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
}

pub fn run(a: Args) -> i32 {
    let (ws, lang) = match super::load(&a.framework, a.lang.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let fw = ws.framework();
    match a.format {
        Format::Md => print!("{}", grille::report::doc::markdown(fw, &lang)),
        Format::Html => print!("{}", grille::report::doc::html(fw, &lang)),
    }
    OK
}
