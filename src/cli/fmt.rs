//! `grille fmt FILE… [--check]`

use super::{FRAMEWORK_ERRORS, OK, USAGE, report};
use grille::source::SourceMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Files to format in place.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Change nothing; exit 1 if a file is not in canonical layout.
    #[arg(long)]
    check: bool,
}

pub fn run(a: Args) -> i32 {
    let mut code = OK;
    for path in &a.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return USAGE;
            }
        };
        let mut sources = SourceMap::new();
        let id = sources.add(path.display().to_string(), text.clone());
        let file = match grille::syntax::parse(id, &text) {
            Ok((f, _)) => f,
            Err(d) => {
                report(&d, &sources);
                code = FRAMEWORK_ERRORS;
                continue;
            }
        };
        let out = grille::fmt::format(&file, &text);
        if out == text {
            continue;
        }
        if a.check {
            eprintln!("{} is not formatted", path.display());
            code = FRAMEWORK_ERRORS;
        } else if let Err(e) = super::write::write_atomic(path, out.as_bytes()) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return USAGE;
        }
    }
    code
}
