//! `grille template FRAMEWORK [--out DIR] [--lang L]`

use super::{OK, USAGE};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file.
    framework: PathBuf,
    /// Folder to write the files into (created if needed); without it, the
    /// files are printed one after the other.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Language of the column guide (default: the framework's first language).
    #[arg(long)]
    lang: Option<String>,
    /// Overwrite files that already exist in `--out` (by default they are
    /// kept and nothing is written: they may hold collected answers).
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> i32 {
    let (ws, lang) = match super::load(&a.framework, a.lang.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let fw = ws.framework();
    let files = grille::report::template::files(fw, &lang);
    match a.out {
        None => {
            for f in &files {
                println!("==> {} <==\n{}", f.name, f.text);
            }
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("error: cannot create `{}`: {e}", dir.display());
                return USAGE;
            }
            let existing: Vec<String> = files
                .iter()
                .map(|f| dir.join(&f.name))
                .filter(|p| p.exists())
                .map(|p| p.display().to_string())
                .collect();
            if !existing.is_empty() && !a.force {
                eprintln!(
                    "error: these files already exist and may hold answers: {}\n  help: choose another `--out` folder, or add `--force` to overwrite them",
                    existing.join(", ")
                );
                return USAGE;
            }
            for f in &files {
                let path = dir.join(&f.name);
                if let Err(e) = super::write::write_atomic(&path, f.text.as_bytes()) {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    return USAGE;
                }
                eprintln!("wrote {}", path.display());
            }
        }
    }
    OK
}
