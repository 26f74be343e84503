//! `grille explain FRAMEWORK ITEM [--lang L] [--data SPEC… --unit ID]`:
//! an item in words; with data and a unit, the trace of its result there.

use super::{DATA_ERRORS, OK, USAGE};
use grille::report::explain;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The `.grille` file.
    framework: PathBuf,
    /// An indicator, dimension, question, let or evidence.
    item: String,
    /// Language of the explanation (default: the framework's first language).
    #[arg(long)]
    lang: Option<String>,
    /// `LEVEL=PATH` (repeatable), to trace a unit's result.
    #[arg(long, requires = "unit")]
    data: Vec<String>,
    /// The unit whose result is traced (needs `--data`).
    #[arg(long, requires = "data")]
    unit: Option<String>,
    /// The level of `--unit`, when an id is used at several levels.
    #[arg(long, requires = "unit")]
    level: Option<String>,
}

pub fn run(a: Args) -> i32 {
    let (mut ws, lang) = match super::load(&a.framework, a.lang.as_deref()) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let fw = ws.framework();
    let Some(item) = explain::find(fw, &a.item) else {
        let hint = grille::suggest::closest(&a.item, explain::names(fw))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        eprintln!(
            "error: the framework has no indicator, dimension, question, let or evidence named `{}`{hint}",
            a.item
        );
        return USAGE;
    };
    let level = match ws.level(a.level.as_deref()) {
        Ok(l) => l,
        Err(e) => return super::usage(e),
    };
    let mut out = explain::describe(fw, item, &lang);
    if let Some(unit) = &a.unit {
        if let Err(code) = super::eval::evaluate_data(&mut ws, &a.data, &lang) {
            return code;
        }
        if ws.dataset().fatal {
            eprintln!("error: the data has errors; nothing to trace");
            return DATA_ERRORS;
        }
        match explain::trace(&ws.report_context(&lang, level), item, unit) {
            Ok(t) => {
                out.push('\n');
                out.push_str(&t);
            }
            Err(e) => return super::usage(e),
        }
    }
    print!("{out}");
    OK
}
