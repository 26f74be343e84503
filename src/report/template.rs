//! `grille template`: the empty tables data collection must fill.
//!
//! In: a checked framework and a language. Out: for each level with
//! questions, a CSV file holding only its header row (key, parent, then one
//! column per question), and a guide describing every column: its type,
//! options, range, whether it is required, and its label.

use crate::ir::{Framework, LevelId, QType};

/// One file to write: its name and its text.
pub struct TemplateFile {
    pub name: String,
    pub text: String,
}

/// The header row of a level's table.
pub fn headers(fw: &Framework, l: LevelId) -> Vec<String> {
    let level = &fw.levels[l];
    let mut h = vec![level.key.clone()];
    if let Some(p) = &level.parent_column {
        h.push(p.clone());
    }
    h.extend(
        fw.questions
            .iter()
            .filter(|q| q.level == l)
            .map(|q| q.column.clone()),
    );
    h
}

fn kind(fw: &Framework, ty: &QType, lang: &str) -> String {
    let opts = |o: &[crate::ir::OptionDef]| {
        o.iter()
            .map(|x| match x.label.get(lang, fw.default_lang()) {
                Some(l) => format!("`{}` ({l})", x.code),
                None => format!("`{}`", x.code),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match ty {
        QType::Number => "number".into(),
        QType::Percent { of_100: false } => "percentage: `45%` or `0.45`".into(),
        QType::Percent { of_100: true } => "percentage: `45%` or `45`".into(),
        QType::Scale { lo, hi, points } if points.is_empty() => {
            format!("whole number from {lo} to {hi}")
        }
        QType::Scale { lo, hi, points } => {
            format!("whole number from {lo} to {hi}: {}", opts(points))
        }
        QType::YesNo => "yes/no: `oui`/`non`, `yes`/`no`, `ja`/`nee`, `1`/`0`".into(),
        QType::Choice(o) => format!("one of {}", opts(o)),
        QType::Multi(o) => format!("any of {}, separated by spaces", opts(o)),
        QType::Date => "date `YYYY-MM-DD`".into(),
        QType::Text => "free text".into(),
    }
}

/// The template files of a framework, in `lang`.
pub fn files(fw: &Framework, lang: &str) -> Vec<TemplateFile> {
    let d = fw.default_lang();
    let mut out = Vec::new();
    let mut guide = format!("# {}\n\n", fw.title.get(lang, d).unwrap_or(&fw.id));
    guide
        .push_str("One CSV file per level; fill one row per unit. Blank cells are missing answers");
    if !fw.missing.iter().all(String::is_empty) {
        let tokens: Vec<String> = fw
            .missing
            .iter()
            .filter(|m| !m.is_empty())
            .map(|m| format!("`{m}`"))
            .collect();
        guide.push_str(&format!(", and so are {}", tokens.join(", ")));
    }
    if !fw.dont_know.is_empty() {
        let tokens: Vec<String> = fw.dont_know.iter().map(|m| format!("`{m}`")).collect();
        guide.push_str(&format!("; {} means \"don't know\"", tokens.join(", ")));
    }
    guide.push_str(".\n");
    for (l, level) in fw.levels.iter().enumerate() {
        if !fw.questions.iter().any(|q| q.level == l) {
            continue;
        }
        let name = format!("{}.csv", level.id);
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(headers(fw, l)).expect("writing to memory");
        let text = String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8");
        guide.push_str(&format!(
            "\n## {name} — {}\n\n",
            level.label.get(lang, d).unwrap_or(&level.id)
        ));
        guide.push_str("| column | type | required | label |\n|---|---|---|---|\n");
        guide.push_str(&format!(
            "| `{}` | identifier of the unit | {} | |\n",
            level.key,
            if l + 1 == fw.levels.len() {
                "no"
            } else {
                "yes"
            }
        ));
        if let (Some(p), Some(pl)) = (&level.parent_column, level.parent) {
            guide.push_str(&format!(
                "| `{p}` | identifier of its {} | yes | |\n",
                fw.levels[pl].id
            ));
        }
        for q in fw.questions.iter().filter(|q| q.level == l) {
            let mut k = kind(fw, &q.ty, lang);
            if let Some((lo, hi)) = q.range {
                k.push_str(&format!(
                    ", from {} to {}",
                    crate::text::number(lo),
                    crate::text::number(hi)
                ));
            }
            if let Some(u) = &q.unit {
                k.push_str(&format!(", in {u}"));
            }
            let label = q.label.get(lang, d).unwrap_or("").replace('|', "\\|");
            guide.push_str(&format!(
                "| `{}` | {k} | {} | {label} |\n",
                q.column,
                if q.required { "yes" } else { "no" }
            ));
        }
        out.push(TemplateFile { name, text });
    }
    out.push(TemplateFile {
        name: "README.md".into(),
        text: guide,
    });
    out
}
