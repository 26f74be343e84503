//! `grille doc FRAMEWORK [--lang L] [--format md|html]`

use super::{FRAMEWORK_ERRORS, OK, USAGE, report};
use grille::check::{self, Failure, Options};
use grille::source::SourceMap;
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
    let mut sources = SourceMap::new();
    let checked = match check::check_path(&a.framework, &mut sources, &Options::default()) {
        Ok(c) => c,
        Err(Failure::Io { path, error }) => {
            eprintln!("error: cannot read `{path}`: {error}");
            return USAGE;
        }
        Err(Failure::Invalid(d)) => {
            report(&d, &sources);
            return FRAMEWORK_ERRORS;
        }
    };
    let fw = &checked.framework;
    let lang = a.lang.unwrap_or_else(|| fw.default_lang().to_string());
    if !fw.languages.is_empty() && !fw.languages.contains(&lang) {
        eprintln!(
            "error: `--lang {lang}`: the framework's languages are {}",
            fw.languages.join(", ")
        );
        return USAGE;
    }
    match a.format {
        Format::Md => print!("{}", grille::report::doc::markdown(fw, &lang)),
        Format::Html => print!("{}", grille::report::doc::html(fw, &lang)),
    }
    OK
}
