//! `grille form --to xlsform`: the questionnaires that collect a
//! framework's data, as XLSForms (KoboToolbox, ODK, SurveyCTO).
//!
//! In: a checked framework. Out: one [`Form`] per level with questions —
//! `survey`, `choices` and `settings` sheets as rows of text, with a
//! `label::Français (fr)` column per language — and the `.xlsx` bytes of
//! each. The form is shaped so that the platform's CSV export reads back
//! into `grille eval` as it is: fields are named after the question's
//! column, the unit's key and parent come first, choice names are the
//! option codes, yes/no answers are `yes`/`no`, and ranges and `required`
//! become constraints. A `percent` is typed out of 100 in a `<name>_pct`
//! field and stored as a share by a `calculate` field with the question's
//! name, because a bare `45` is not a share.

use crate::ir::{Framework, LevelId, QType, Question};

/// One XLSForm.
#[derive(Debug, Clone)]
pub struct Form {
    pub level: LevelId,
    /// `survey`, `choices`, `settings`: each a header row then data rows.
    pub sheets: Vec<(String, Vec<Vec<String>>)>,
}

/// A choice's name and its label in each language.
type Choice = (String, Vec<String>);

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

struct Words {
    id: &'static str,
    yes: &'static str,
    no: &'static str,
    between: &'static str,
    and: &'static str,
    unit: &'static str,
    percent: &'static str,
}

fn words(lang: &str) -> Words {
    match lang {
        "fr" => Words {
            id: "Identifiant",
            yes: "Oui",
            no: "Non",
            between: "Entre",
            and: "et",
            unit: "Unité",
            percent: "en %, de 0 à 100",
        },
        "nl" => Words {
            id: "Identificatie",
            yes: "Ja",
            no: "Nee",
            between: "Tussen",
            and: "en",
            unit: "Eenheid",
            percent: "in %, van 0 tot 100",
        },
        _ => Words {
            id: "Identifier",
            yes: "Yes",
            no: "No",
            between: "Between",
            and: "and",
            unit: "Unit",
            percent: "in %, from 0 to 100",
        },
    }
}

fn num(x: f64) -> String {
    crate::text::number(x)
}

/// Builds the forms, one per level that has questions, coarsest first.
pub fn forms(fw: &Framework) -> Vec<Form> {
    let langs: Vec<String> = if fw.languages.is_empty() {
        vec![fw.default_lang().to_string()]
    } else {
        fw.languages.clone()
    };
    let dl = fw.default_lang();
    let mut out = Vec::new();
    for (l, level) in fw.levels.iter().enumerate() {
        let qs: Vec<&Question> = fw.questions.iter().filter(|q| q.level == l).collect();
        if qs.is_empty() {
            continue;
        }
        let mut head: Vec<String> = vec!["type".into(), "name".into()];
        for lang in &langs {
            head.push(format!("label::{}", language_name(lang)));
        }
        for lang in &langs {
            head.push(format!("hint::{}", language_name(lang)));
        }
        head.extend(["required".into(), "constraint".into()]);
        for lang in &langs {
            head.push(format!("constraint_message::{}", language_name(lang)));
        }
        head.push("calculation".into());
        let n = head.len();
        let col = |name: &str| head.iter().position(|h| h == name).expect("known column");
        let mut survey = vec![head.clone()];
        let mut choices: Vec<Vec<String>> = vec![{
            let mut h = vec!["list_name".to_string(), "name".to_string()];
            for lang in &langs {
                h.push(format!("label::{}", language_name(lang)));
            }
            h
        }];
        let label_of = |labels: &crate::ir::Labels, lang: &str, id: &str| {
            labels.get(lang, dl).unwrap_or(id).to_string()
        };
        let row = |ty: &str, name: &str| {
            let mut r = vec![String::new(); n];
            r[0] = ty.to_string();
            r[1] = name.to_string();
            r
        };
        let set_labels = |r: &mut Vec<String>, prefix: &str, text: &dyn Fn(&str) -> String| {
            for lang in &langs {
                r[col(&format!("{prefix}::{}", language_name(lang)))] = text(lang);
            }
        };
        // The unit's key: typed for units that others point to, generated
        // for the finest level (each submission is a unit).
        let finest = !fw.levels.iter().any(|x| x.parent == Some(l));
        let mut key = if finest {
            let mut r = row("calculate", &level.key);
            r[col("calculation")] = "uuid()".into();
            r
        } else {
            let mut r = row("text", &level.key);
            r[col("required")] = "yes".into();
            r
        };
        set_labels(&mut key, "label", &|lang| {
            format!(
                "{} — {}",
                label_of(&level.label, lang, &level.id),
                words(lang).id
            )
        });
        survey.push(key);
        if let (Some(p), Some(pc)) = (level.parent, &level.parent_column) {
            let mut r = row("text", pc);
            r[col("required")] = "yes".into();
            let plabel = &fw.levels[p].label;
            let pid = &fw.levels[p].id;
            set_labels(&mut r, "label", &|lang| {
                format!("{} — {}", label_of(plabel, lang, pid), words(lang).id)
            });
            survey.push(r);
        }
        let mut yesno_list = false;
        for q in qs {
            let label = |lang: &str| label_of(&q.label, lang, &q.id);
            let hint = |lang: &str| {
                let mut h = q.description.get(lang, dl).unwrap_or("").to_string();
                if let Some(u) = &q.unit {
                    if !h.is_empty() {
                        h.push_str(" — ");
                    }
                    h.push_str(&format!("{} : {u}", words(lang).unit));
                }
                h
            };
            let range_constraint = |r: &mut Vec<String>, lo: f64, hi: f64| {
                r[col("constraint")] = format!(". >= {} and . <= {}", num(lo), num(hi));
                set_labels(r, "constraint_message", &|lang| {
                    let w = words(lang);
                    format!("{} {} {} {}", w.between, num(lo), w.and, num(hi))
                });
            };
            let required = if q.required { "yes" } else { "" };
            match &q.ty {
                QType::Percent { of_100: false } => {
                    // Typed out of 100, stored as a share.
                    let raw = format!("{}_pct", q.column);
                    let mut r = row("decimal", &raw);
                    set_labels(&mut r, "label", &|lang| {
                        format!("{} ({})", label(lang), words(lang).percent)
                    });
                    set_labels(&mut r, "hint", &hint);
                    r[col("required")] = required.into();
                    range_constraint(&mut r, 0.0, 100.0);
                    survey.push(r);
                    let mut c = row("calculate", &q.column);
                    c[col("calculation")] = format!("if(${{{raw}}} = '', '', ${{{raw}}} div 100)");
                    survey.push(c);
                }
                QType::Percent { of_100: true } => {
                    let mut r = row("decimal", &q.column);
                    set_labels(&mut r, "label", &|lang| {
                        format!("{} ({})", label(lang), words(lang).percent)
                    });
                    set_labels(&mut r, "hint", &hint);
                    r[col("required")] = required.into();
                    range_constraint(&mut r, 0.0, 100.0);
                    survey.push(r);
                }
                ty => {
                    // The field's type and, for lists, each choice's name and labels.
                    let (kind, list): (String, Option<Vec<Choice>>) = match ty {
                        QType::Number if q.integer => ("integer".into(), None),
                        QType::Number => ("decimal".into(), None),
                        // Scales run between whole numbers: a list of points
                        // (with their labels) when short enough to tap or
                        // labelled, a bounded integer beyond.
                        QType::Scale { lo, hi, points }
                            if hi - lo <= 10.0 || (!points.is_empty() && hi - lo <= 100.0) =>
                        {
                            let name = format!("{}_scale", q.id);
                            let pts = (*lo as i64..=*hi as i64)
                                .map(|p| {
                                    let code = p.to_string();
                                    let labels = langs
                                        .iter()
                                        .map(|lang| point_label(points, &code, lang))
                                        .collect();
                                    (code, labels)
                                })
                                .collect();
                            (format!("select_one {name}"), Some(pts))
                        }
                        QType::Scale { .. } => ("integer".into(), None),
                        QType::YesNo => {
                            yesno_list = true;
                            ("select_one yes_no".into(), None)
                        }
                        QType::Choice(opts) | QType::Multi(opts) => {
                            let kind = if matches!(ty, QType::Choice(_)) {
                                "select_one"
                            } else {
                                "select_multiple"
                            };
                            let items = opts
                                .iter()
                                .map(|o| {
                                    let labels = langs
                                        .iter()
                                        .map(|lang| label_of(&o.label, lang, &o.code))
                                        .collect();
                                    (o.code.clone(), labels)
                                })
                                .collect();
                            (format!("{kind} {}", q.id), Some(items))
                        }
                        QType::Date => ("date".into(), None),
                        _ => ("text".into(), None),
                    };
                    let mut r = row(&kind, &q.column);
                    set_labels(&mut r, "label", &label);
                    set_labels(&mut r, "hint", &hint);
                    r[col("required")] = required.into();
                    let bounds = match (ty, q.range) {
                        (_, Some((lo, hi))) => Some((lo, hi)),
                        (QType::Scale { lo, hi, .. }, None) if list.is_none() => Some((*lo, *hi)),
                        _ => None,
                    };
                    if let Some((lo, hi)) = bounds {
                        range_constraint(&mut r, lo, hi);
                    }
                    survey.push(r);
                    if let Some(items) = list {
                        let list_name = kind.split_once(' ').map(|x| x.1).unwrap_or("").to_string();
                        for (name, labels) in items {
                            let mut c = vec![list_name.clone(), name];
                            c.extend(labels);
                            choices.push(c);
                        }
                    }
                }
            }
        }
        if yesno_list {
            for (name, yes) in [("yes", true), ("no", false)] {
                let mut c = vec!["yes_no".to_string(), name.to_string()];
                for lang in &langs {
                    let w = words(lang);
                    c.push(if yes { w.yes } else { w.no }.to_string());
                }
                choices.push(c);
            }
        }
        // Hints and messages no question uses are left out.
        let survey = drop_empty_columns(survey);
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
        out.push(Form {
            level: l,
            sheets: vec![
                ("survey".into(), survey),
                ("choices".into(), choices),
                ("settings".into(), settings),
            ],
        });
    }
    out
}

fn drop_empty_columns(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let n = rows.first().map(Vec::len).unwrap_or(0);
    let keep: Vec<bool> = (0..n)
        .map(|c| c < 2 || rows.iter().skip(1).any(|r| !r[c].is_empty()))
        .collect();
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| x)
                .collect()
        })
        .collect()
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

/// The label of a scale's point in `lang`, the point itself when unlabelled.
fn point_label(points: &[crate::ir::OptionDef], code: &str, lang: &str) -> String {
    match points.iter().find(|p| p.code == code) {
        Some(p) => match p.label.get(lang, lang) {
            Some(l) => format!("{code} — {l}"),
            None => code.to_string(),
        },
        None => code.to_string(),
    }
}
