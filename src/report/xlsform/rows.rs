//! The rows of one form's `survey` and `choices` sheets.
//!
//! In: the framework, the form's level, the known units. Out: the sheets
//! as rows of text, built one question at a time by [`Builder`]; columns
//! no row fills are dropped at the end.

use super::xpath::{Unwritable, Writer, field_name};
use super::{FormError, KnownUnits, language_name};
use crate::eval::plan::Reads;
use crate::ir::{Framework, Labels, LevelId, OptionDef, QType, QuestionId, SectionId};

struct Words {
    id: &'static str,
    yes: &'static str,
    no: &'static str,
    between: &'static str,
    and: &'static str,
    unit: &'static str,
    percent: &'static str,
    no_spaces: &'static str,
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
            no_spaces: "L'identifiant s'écrit sans espace",
        },
        "nl" => Words {
            id: "Identificatie",
            yes: "Ja",
            no: "Nee",
            between: "Tussen",
            and: "en",
            unit: "Eenheid",
            percent: "in %, van 0 tot 100",
            no_spaces: "De identificatie bevat geen spaties",
        },
        _ => Words {
            id: "Identifier",
            yes: "Yes",
            no: "No",
            between: "Between",
            and: "and",
            unit: "Unit",
            percent: "in %, from 0 to 100",
            no_spaces: "The identifier has no spaces",
        },
    }
}

fn num(x: f64) -> String {
    crate::text::number(x)
}

type Row = Vec<String>;
/// A choice's name and its label in each language.
type Choice = (String, Vec<String>);

/// Builds one form.
pub struct Builder<'a> {
    fw: &'a Framework,
    level: LevelId,
    langs: Vec<String>,
    known: &'a [KnownUnits],
    head: Row,
    survey: Vec<Row>,
    /// Choice rows, each with its cells in the extra columns.
    choices: Vec<(Row, Vec<(String, String)>)>,
    /// Extra columns of the choices sheet (a parent's cells, for lookups).
    choice_extra: Vec<String>,
    section: Option<SectionId>,
    yes_no: bool,
}

impl<'a> Builder<'a> {
    pub fn new(fw: &'a Framework, level: LevelId, known: &'a [KnownUnits]) -> Builder<'a> {
        let langs: Vec<String> = if fw.languages.is_empty() {
            vec![fw.default_lang().to_string()]
        } else {
            fw.languages.clone()
        };
        let mut head: Row = vec!["type".into(), "name".into()];
        for prefix in ["label", "hint"] {
            head.extend(
                langs
                    .iter()
                    .map(|l| format!("{prefix}::{}", language_name(l))),
            );
        }
        head.extend(["required".into(), "relevant".into(), "constraint".into()]);
        head.extend(
            langs
                .iter()
                .map(|l| format!("constraint_message::{}", language_name(l))),
        );
        head.push("calculation".into());
        Builder {
            fw,
            level,
            langs,
            known,
            head,
            survey: Vec::new(),
            choices: Vec::new(),
            choice_extra: Vec::new(),
            section: None,
            yes_no: false,
        }
    }

    fn col(&self, name: &str) -> usize {
        self.head
            .iter()
            .position(|h| h == name)
            .expect("a column of the survey sheet")
    }

    fn row(&self, ty: &str, name: &str) -> Row {
        let mut r = vec![String::new(); self.head.len()];
        r[0] = ty.to_string();
        r[1] = name.to_string();
        r
    }

    fn set_labels(&self, r: &mut Row, prefix: &str, text: &dyn Fn(&str) -> String) {
        for lang in &self.langs {
            r[self.col(&format!("{prefix}::{}", language_name(lang)))] = text(lang);
        }
    }

    fn label_of(&self, labels: &Labels, lang: &str, id: &str) -> String {
        labels
            .get(lang, self.fw.default_lang())
            .unwrap_or(id)
            .to_string()
    }

    fn listed(&self) -> Vec<LevelId> {
        self.known.iter().map(|k| k.level).collect()
    }

    /// The unit's key (typed, or generated for the finest level, where
    /// each submission is a unit) and its parent's key.
    pub fn keys(&mut self) {
        let fw = self.fw;
        let level = &fw.levels[self.level];
        let finest = !fw.levels.iter().any(|x| x.parent == Some(self.level));
        let mut key = if finest {
            let mut r = self.row("calculate", &level.key);
            r[self.col("calculation")] = "uuid()".into();
            r
        } else {
            let mut r = self.row("text", &level.key);
            r[self.col("required")] = "yes".into();
            self.no_spaces(&mut r);
            r
        };
        self.set_labels(&mut key, "label", &|lang| {
            format!(
                "{} — {}",
                self.label_of(&level.label, lang, &level.id),
                words(lang).id
            )
        });
        self.survey.push(key);
        let (Some(p), Some(pc)) = (level.parent, &level.parent_column) else {
            return;
        };
        let units = self.known.iter().find(|k| k.level == p);
        let mut r = match units {
            Some(_) => self.row(&format!("select_one {}", fw.levels[p].id), pc),
            None => {
                let mut r = self.row("text", pc);
                self.no_spaces(&mut r);
                r
            }
        };
        r[self.col("required")] = "yes".into();
        let parent = &fw.levels[p];
        self.set_labels(&mut r, "label", &|lang| {
            format!(
                "{} — {}",
                self.label_of(&parent.label, lang, &parent.id),
                words(lang).id
            )
        });
        self.survey.push(r);
        if let Some(units) = units {
            self.unit_choices(units);
        }
    }

    /// A typed key: no spaces, so that it matches the other tables' keys.
    fn no_spaces(&self, r: &mut Row) {
        r[self.col("constraint")] = "regex(., '^[^\\s]+$')".into();
        self.set_labels(r, "constraint_message", &|lang| {
            words(lang).no_spaces.to_string()
        });
    }

    /// The parent's known units as a choice list, each with its cells.
    fn unit_choices(&mut self, units: &KnownUnits) {
        let list = self.fw.levels[units.level].id.clone();
        // Only the answers a condition of this form reads travel with the
        // form: the rest of the file stays with whoever holds it.
        let needed = self.looked_up(units.level);
        let headers: Vec<String> = units
            .units
            .first()
            .map(|u| u.cells.keys().cloned().collect::<Vec<String>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|h| {
                needed
                    .iter()
                    .any(|c| c.trim().eq_ignore_ascii_case(h.trim()))
            })
            .collect();
        for h in &headers {
            let f = field_name(h);
            if !self.choice_extra.contains(&f) && f != "name" && !f.starts_with("label") {
                self.choice_extra.push(f);
            }
        }
        for u in &units.units {
            let mut c = vec![list.clone(), u.key.clone()];
            c.extend(self.langs.iter().map(|_| u.label.clone()));
            let extra: Vec<(String, String)> = headers
                .iter()
                .map(|h| (field_name(h), units.cell(u, h).to_string()))
                .collect();
            self.choices.push((c, extra));
        }
    }

    /// The columns of level `l`'s answers that the conditions of this
    /// form's questions read, directly or through lets.
    fn looked_up(&self, l: LevelId) -> Vec<String> {
        let fw = self.fw;
        let mut out: Vec<String> = Vec::new();
        let mut todo: Vec<&crate::ir::Expr> = fw
            .questions
            .iter()
            .filter(|q| q.level == self.level)
            .filter_map(|q| q.when.as_ref())
            .collect();
        let mut seen: crate::ir::List<crate::ir::LetId, bool> = vec![false; fw.lets.len()].into();
        while let Some(e) = todo.pop() {
            let reads = Reads::of(e);
            for q in reads.questions {
                let c = &fw.questions[q].column;
                if fw.questions[q].level == l && !out.contains(c) {
                    out.push(c.clone());
                }
            }
            for x in reads.lets {
                if !seen[x] {
                    seen[x] = true;
                    todo.push(&fw.lets[x].expr);
                }
            }
        }
        out
    }

    /// Closes the open group and opens the section's, when it changes.
    pub fn section_change(&mut self, s: Option<SectionId>) {
        if s == self.section {
            return;
        }
        if let Some(old) = self.section {
            let name = self.group_name(old);
            self.survey.push(self.row("end_group", &name));
        }
        if let Some(new) = s {
            let sec = &self.fw.sections[new];
            let mut r = self.row("begin_group", &self.group_name(new));
            self.set_labels(&mut r, "label", &|lang| {
                self.label_of(&sec.label, lang, &sec.id)
            });
            self.set_labels(&mut r, "hint", &|lang| {
                sec.description
                    .get(lang, self.fw.default_lang())
                    .unwrap_or("")
                    .to_string()
            });
            self.survey.push(r);
        }
        self.section = s;
    }

    /// A section's group name, kept apart from field names.
    fn group_name(&self, s: SectionId) -> String {
        let id = &self.fw.sections[s].id;
        if self.fw.questions.iter().any(|q| &q.column == id) {
            format!("{id}_section")
        } else {
            id.clone()
        }
    }

    /// A question's rows (two for a share typed out of 100).
    pub fn question(&mut self, q: QuestionId) -> Result<(), FormError> {
        let fw = self.fw;
        let question = &fw.questions[q];
        let relevant = match &question.when {
            Some(w) => self.relevant(q, w)?,
            None => String::new(),
        };
        let (kind, list) = self.kind(q);
        let label = |lang: &str| self.label_of(&question.label, lang, &question.id);
        let hint = |lang: &str| {
            let mut h = question
                .description
                .get(lang, fw.default_lang())
                .unwrap_or("")
                .to_string();
            if let Some(u) = &question.unit {
                if !h.is_empty() {
                    h.push_str(" — ");
                }
                h.push_str(&format!("{} : {u}", words(lang).unit));
            }
            h
        };
        let required = if question.required { "yes" } else { "" };
        if let QType::Percent { of_100: false } = question.ty {
            // Typed out of 100, stored as a share.
            let raw = format!("{}_pct", question.column);
            let mut r = self.row("decimal", &raw);
            self.set_labels(&mut r, "label", &|lang| {
                format!("{} ({})", label(lang), words(lang).percent)
            });
            self.set_labels(&mut r, "hint", &hint);
            r[self.col("required")] = required.into();
            r[self.col("relevant")] = relevant.clone();
            self.range_constraint(&mut r, 0.0, 100.0);
            self.survey.push(r);
            let mut c = self.row("calculate", &question.column);
            c[self.col("calculation")] = format!("if(${{{raw}}} = '', '', ${{{raw}}} div 100)");
            c[self.col("relevant")] = relevant;
            self.survey.push(c);
            return Ok(());
        }
        let mut r = self.row(&kind, &question.column);
        if let QType::Percent { of_100: true } = question.ty {
            self.set_labels(&mut r, "label", &|lang| {
                format!("{} ({})", label(lang), words(lang).percent)
            });
        } else {
            self.set_labels(&mut r, "label", &label);
        }
        self.set_labels(&mut r, "hint", &hint);
        r[self.col("required")] = required.into();
        r[self.col("relevant")] = relevant;
        let bounds = match (&question.ty, question.range) {
            (QType::Percent { .. }, None) => Some((0.0, 100.0)),
            (_, Some((lo, hi))) => Some((lo, hi)),
            (QType::Scale { lo, hi, .. }, None) if list.is_none() => Some((*lo, *hi)),
            _ => None,
        };
        if let Some((lo, hi)) = bounds {
            self.range_constraint(&mut r, lo, hi);
        }
        self.survey.push(r);
        if let Some(items) = list {
            let list_name = kind.split_once(' ').map(|x| x.1).unwrap_or("").to_string();
            for (name, labels) in items {
                let mut c = vec![list_name.clone(), name];
                c.extend(labels);
                self.choices.push((c, Vec::new()));
            }
        }
        Ok(())
    }

    /// A question's `when` as its `relevant`.
    fn relevant(&self, q: QuestionId, w: &crate::ir::Expr) -> Result<String, FormError> {
        let listed = self.listed();
        let writer = Writer {
            fw: self.fw,
            level: self.level,
            listed: &listed,
        };
        let question = self.fw.questions[q].id.clone();
        writer.write(w).map_err(|e| match e {
            Unwritable::NeedsUnits(l) => FormError::NeedsUnits {
                question,
                level: self.fw.levels[l].id.clone(),
            },
            Unwritable::Construct(what) => FormError::Unwritable { question, what },
        })
    }

    fn range_constraint(&self, r: &mut Row, lo: f64, hi: f64) {
        r[self.col("constraint")] = format!(". >= {} and . <= {}", num(lo), num(hi));
        self.set_labels(r, "constraint_message", &|lang| {
            let w = words(lang);
            format!("{} {} {} {}", w.between, num(lo), w.and, num(hi))
        });
    }

    /// The field type of a question and, for lists, each choice's name and
    /// labels.
    fn kind(&mut self, q: QuestionId) -> (String, Option<Vec<Choice>>) {
        let question = &self.fw.questions[q];
        let labelled = |opts: &[OptionDef]| -> Vec<Choice> {
            opts.iter()
                .map(|o| {
                    let labels = self
                        .langs
                        .iter()
                        .map(|lang| self.label_of(&o.label, lang, &o.code))
                        .collect();
                    (o.code.clone(), labels)
                })
                .collect()
        };
        match &question.ty {
            QType::Number if question.integer => ("integer".into(), None),
            QType::Number | QType::Percent { .. } => ("decimal".into(), None),
            // Scales run between whole numbers: a list of points (with
            // their labels) when short enough to tap or when labelled, a
            // bounded integer beyond.
            QType::Scale { lo, hi, points }
                if hi - lo <= 10.0 || (!points.is_empty() && hi - lo <= 100.0) =>
            {
                let pts = (*lo as i64..=*hi as i64)
                    .map(|p| {
                        let code = p.to_string();
                        let labels = self
                            .langs
                            .iter()
                            .map(|lang| point_label(points, &code, lang))
                            .collect();
                        (code, labels)
                    })
                    .collect();
                (format!("select_one {}_scale", question.id), Some(pts))
            }
            QType::Scale { .. } => ("integer".into(), None),
            QType::YesNo => {
                self.yes_no = true;
                ("select_one yes_no".into(), None)
            }
            QType::Choice(o) => (format!("select_one {}", question.id), Some(labelled(o))),
            QType::Multi(o) => (
                format!("select_multiple {}", question.id),
                Some(labelled(o)),
            ),
            QType::Date => ("date".into(), None),
            QType::Text => ("text".into(), None),
        }
    }

    /// Rules that read answers of this form's level only become
    /// constraints on the last of those answers in the form, so the form
    /// refuses the row grille would flag. An unanswered field makes the
    /// rule unjudged, as in grille.
    pub fn rules(&mut self) {
        let fw = self.fw;
        for rule in fw.rules.iter().filter(|r| r.at == self.level) {
            let reads = Reads::of(&rule.check);
            let own = reads
                .questions
                .iter()
                .all(|&q| fw.questions[q].level == self.level);
            if !own
                || reads.questions.is_empty()
                || !reads.lets.is_empty()
                || rule.check.has_aggregate()
            {
                continue;
            }
            let writer = Writer {
                fw,
                level: self.level,
                listed: &[],
            };
            let Ok(check) = writer.write(&rule.check) else {
                continue;
            };
            let fields: Vec<&str> = reads
                .questions
                .iter()
                .map(|&q| fw.questions[q].column.as_str())
                .collect();
            let Some(at) = self.survey.iter().rposition(|r| {
                fields.contains(&r[1].as_str()) || fields.iter().any(|f| r[1] == format!("{f}_pct"))
            }) else {
                continue;
            };
            let unjudged: Vec<String> = fields.iter().map(|f| format!("${{{f}}} = ''")).collect();
            let cond = format!("{} or {check}", unjudged.join(" or "));
            let c = self.col("constraint");
            let row = &mut self.survey[at];
            row[c] = if row[c].is_empty() {
                cond
            } else {
                format!("({}) and ({cond})", row[c])
            };
            for lang in self.langs.clone() {
                let m = self.col(&format!("constraint_message::{}", language_name(&lang)));
                let text = self.label_of(&rule.message, &lang, &rule.id);
                let row = &mut self.survey[at];
                row[m] = if row[m].is_empty() {
                    text
                } else {
                    format!("{} — {text}", row[m])
                };
            }
        }
    }

    /// The survey and choices sheets, header rows first.
    pub fn finish(mut self) -> (Vec<Row>, Vec<Row>) {
        self.section_change(None);
        if self.yes_no {
            for (name, yes) in [("yes", true), ("no", false)] {
                let mut c = vec!["yes_no".to_string(), name.to_string()];
                for lang in &self.langs {
                    let w = words(lang);
                    c.push(if yes { w.yes } else { w.no }.to_string());
                }
                self.choices.push((c, Vec::new()));
            }
        }
        let mut survey = vec![self.head.clone()];
        survey.append(&mut self.survey);
        let mut ch_head = vec!["list_name".to_string(), "name".to_string()];
        ch_head.extend(
            self.langs
                .iter()
                .map(|l| format!("label::{}", language_name(l))),
        );
        ch_head.extend(self.choice_extra.iter().cloned());
        let mut choices = vec![ch_head.clone()];
        for (mut c, extra) in self.choices {
            c.resize(ch_head.len(), String::new());
            for (col, v) in extra {
                if let Some(i) = ch_head.iter().position(|h| *h == col) {
                    c[i] = v;
                }
            }
            choices.push(c);
        }
        (drop_empty_columns(survey), choices)
    }
}

/// The label of a scale's point in `lang`, the point itself when unlabelled.
fn point_label(points: &[OptionDef], code: &str, lang: &str) -> String {
    match points.iter().find(|p| p.code == code) {
        Some(p) => match p.label.get(lang, lang) {
            Some(l) => format!("{code} — {l}"),
            None => code.to_string(),
        },
        None => code.to_string(),
    }
}

fn drop_empty_columns(rows: Vec<Row>) -> Vec<Row> {
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
