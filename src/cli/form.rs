//! `grille form FRAMEWORK --to xlsform [--out PATH] [--level LEVEL]`: the
//! questionnaires (one XLSForm per level with questions) that collect the
//! framework's data. `--out form.xlsx` names the file when one form is
//! written, and is the stem (`form-entreprise.xlsx`, …) when several are;
//! a directory (or no `--out`) receives `<framework>-<level>.xlsx`.
//! `--units LEVEL=FILE` gives a level's known units, so that the parent
//! key is a list to pick from and `when` may read the parent's answers.

use super::{OK, USAGE};
use grille::report::xlsform;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file.
    framework: PathBuf,
    /// The questionnaire format.
    #[arg(long, value_enum, default_value = "xlsform")]
    to: To,
    /// The file to write (`.xlsx`), or a directory.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only the form of this level.
    #[arg(long)]
    level: Option<String>,
    /// The known units of a level, `LEVEL=FILE` (a CSV with the level's
    /// key, and its name and answers if any): the parent key is then picked
    /// from a list, and conditions may read the parent's answers.
    #[arg(long, value_name = "LEVEL=FILE")]
    units: Vec<String>,
}

/// Reads `LEVEL=FILE` into the level's known units.
fn units(ws: &grille::workspace::Workspace, spec: &str) -> Result<xlsform::KnownUnits, String> {
    let Some((level, file)) = spec.split_once('=') else {
        return Err(format!("`--units {spec}`: write `--units LEVEL=FILE`"));
    };
    let l = ws
        .level(Some(level))
        .map_err(|e| e.to_string())?
        .expect("a level was asked for");
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read `{file}`: {e}"))?;
    xlsform::read_units(ws.framework(), l, &text).map_err(|e| format!("`{file}`: {e}"))
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum To {
    Xlsform,
}

pub fn run(a: Args) -> i32 {
    let (ws, _) = match super::load(&a.framework, None) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let fw = ws.framework();
    let mut known = Vec::new();
    for spec in &a.units {
        match units(&ws, spec) {
            Ok(k) => known.push(k),
            Err(e) => return super::usage(e),
        }
    }
    let mut forms = match xlsform::forms(fw, &known) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let with_questions: Vec<&str> = forms
        .iter()
        .map(|f| fw.levels[f.level].id.as_str())
        .collect();
    match ws.level(a.level.as_deref()) {
        Ok(Some(x)) if !forms.iter().any(|f| f.level == x) && !with_questions.is_empty() => {
            return super::usage(format!(
                "level `{}` has no questions, so no form; levels with questions: {}",
                fw.levels[x].id,
                with_questions.join(", ")
            ));
        }
        Ok(Some(x)) => forms.retain(|f| f.level == x),
        Ok(None) => {}
        Err(e) => return super::usage(e),
    }
    if forms.is_empty() {
        eprintln!("error: no level of the framework has questions: there is nothing to collect");
        return USAGE;
    }
    let out = a.out.unwrap_or_else(|| PathBuf::from("."));
    let is_file = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    for f in &forms {
        let level = &fw.levels[f.level].id;
        let path = if is_file && forms.len() == 1 {
            out.clone()
        } else if is_file {
            let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("form");
            out.with_file_name(format!("{stem}-{level}.xlsx"))
        } else {
            out.join(format!("{}-{level}.xlsx", fw.id))
        };
        let bytes = match xlsform::to_xlsx(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot build the workbook: {e}");
                return USAGE;
            }
        };
        let made = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) => std::fs::create_dir_all(dir),
            None => Ok(()),
        };
        if let Err(e) = made.and_then(|_| super::write::write_atomic(&path, &bytes)) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return USAGE;
        }
        println!("{}", path.display());
    }
    OK
}
