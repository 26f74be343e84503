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
        } else if let Err(e) = write_atomic(path, &out) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return USAGE;
        }
    }
    code
}

/// Writes through a temporary file in the same folder, then renames it.
pub fn write_atomic(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
