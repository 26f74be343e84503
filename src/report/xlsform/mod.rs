//! `grille form --to xlsform`: the questionnaires that collect a
//! framework's data, as XLSForms (KoboToolbox, ODK, SurveyCTO).
//!
//! In: a checked framework, and optionally the known units of some levels
//! (`--units`). Out: one [`Form`] per level with questions — `survey`,
//! `choices` and `settings` sheets as rows of text, with a
//! `label::Français (fr)` column per language — and the `.xlsx` bytes of
//! each. The form is shaped so that the platform's CSV export reads back
//! into `grille eval` as it is: fields are named after the question's
//! column, the unit's key and parent come first, choice names are the
//! option codes, yes/no answers are `yes`/`no`. A question's `when` is its
//! `relevant`, sections are groups, ranges, `required` and the rules that
//! read one row become constraints, and the parent key is picked from the
//! known units when they are given. A `percent` is typed out of 100 in a
//! `<name>_pct` field and stored as a share by a `calculate` field with the
//! question's name, because a bare `45` is not a share.

mod rows;
mod units;
pub mod xpath;

use crate::ir::{Framework, LevelId};
pub use units::{KnownUnit, KnownUnits, read_units};

/// One XLSForm.
#[derive(Debug, Clone)]
pub struct Form {
    pub level: LevelId,
    /// `survey`, `choices` and `settings`: each a header row then data rows.
    pub sheets: Vec<(String, Vec<Vec<String>>)>,
}

/// Why a form cannot be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormError {
    #[error(
        "who is asked `{question}` depends on answers of level `{level}`; \
         give its units with `--units {level}=FILE` so the form can look them up"
    )]
    NeedsUnits { question: String, level: String },
    #[error("who is asked `{question}` cannot be written in a form: it reads {what}")]
    Unwritable { question: String, what: String },
}

/// A language's name as XLSForm columns write it: `Français (fr)`.
pub fn language_name(tag: &str) -> String {
    let name = match tag {
        "fr" => "Français",
        "nl" => "Nederlands",
        "en" => "English",
        "de" => "Deutsch",
        "es" => "Español",
        "it" => "Italiano",
        "pt" => "Português",
        other => other,
    };
    format!("{name} ({tag})")
}

/// Builds the forms, one per level that has questions, coarsest first.
///
/// # Errors
/// A question's `when` the form cannot compute.
pub fn forms(fw: &Framework, known: &[KnownUnits]) -> Result<Vec<Form>, FormError> {
    let mut out = Vec::new();
    for l in fw.levels.keys() {
        if !fw.questions.iter().any(|q| q.level == l) {
            continue;
        }
        out.push(form(fw, l, known)?);
    }
    Ok(out)
}

fn form(fw: &Framework, l: LevelId, known: &[KnownUnits]) -> Result<Form, FormError> {
    let mut b = rows::Builder::new(fw, l, known);
    b.keys();
    for q in fw.questions_in_order(l) {
        b.section_change(fw.questions[q].section);
        b.question(q)?;
    }
    b.section_change(None);
    b.rules();
    let level = &fw.levels[l];
    let dl = fw.default_lang();
    let title = format!(
        "{} — {}",
        fw.title.get(dl, dl).unwrap_or(&fw.id),
        level.label.get(dl, dl).unwrap_or(&level.id)
    );
    let mut settings = vec![
        vec![
            "form_title".to_string(),
            "form_id".into(),
            "default_language".into(),
        ],
        vec![title, format!("{}_{}", fw.id, level.id), language_name(dl)],
    ];
    if let Some(v) = &fw.version {
        settings[0].push("version".into());
        settings[1].push(v.clone());
    }
    let (survey, choices) = b.finish();
    Ok(Form {
        level: l,
        sheets: vec![
            ("survey".into(), survey),
            ("choices".into(), choices),
            ("settings".into(), settings),
        ],
    })
}

/// The form as `.xlsx` bytes.
///
/// # Errors
/// The writer's message, should the workbook not be writable.
pub fn to_xlsx(form: &Form) -> Result<Vec<u8>, String> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (name, rows) in &form.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(|e| e.to_string())?;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                let (r, c) = (r as u32, c as u16);
                if r == 0 {
                    ws.write_string_with_format(r, c, cell, &bold)
                } else {
                    ws.write_string(r, c, cell)
                }
                .map_err(|e| e.to_string())?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}
