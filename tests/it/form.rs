//! `grille form --to xlsform`: the questionnaires convert with pyxform's
//! `xls2xform` (the reference converter), and a CSV shaped like the
//! platform's export of them evaluates with no data warning or error.

use crate::support::{TempDir, grille, root};
use calamine::{Data, Reader, open_workbook_auto};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// A sheet as rows of text.
pub(crate) fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(path).expect("an xlsx");
    let range = wb.worksheet_range(name).expect("the sheet exists");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn forms(dir: &TempDir) -> (std::path::PathBuf, std::path::PathBuf) {
    let o = grille(
        &root(),
        &[
            "form",
            "frameworks/vises.grille",
            "--to",
            "xlsform",
            "--out",
            dir.path().join("vises.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let e = dir.path().join("vises-entreprise.xlsx");
    let p = dir.path().join("vises-personne.xlsx");
    assert!(e.exists() && p.exists());
    (e, p)
}

#[test]
fn forms_have_the_xlsform_shape() {
    let dir = TempDir::new(&[]);
    let (e, p) = forms(&dir);
    let survey = sheet(&e, "survey");
    let head = &survey[0];
    for lang in ["Français (fr)", "Nederlands (nl)", "English (en)"] {
        assert!(head.contains(&format!("label::{lang}")), "{head:?}");
    }
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let find = |name: &str| survey.iter().find(|r| r[1] == name).unwrap().clone();
    // The key and parent first, required.
    assert_eq!(survey[1][1], "entreprise");
    assert_eq!(survey[2][1], "territoire");
    assert_eq!(survey[1][col("required")], "yes");
    assert_eq!(find("groupe")[0], "select_one groupe");
    assert_eq!(find("benevoles")[0], "integer");
    assert_eq!(find("etp")[col("constraint")], ". >= 0 and . <= 5000");
    assert_eq!(find("prix_adaptes")[0], "select_one yes_no");
    // A share is typed out of 100 and stored as a share.
    assert_eq!(find("part_cdi_pct")[0], "decimal");
    assert!(find("part_cdi")[col("calculation")].contains("div 100"));
    // A data rule reading two answers: a constraint on the later one,
    // unjudged while either is empty, with the rule's message.
    assert_eq!(
        find("sorties_total")[col("constraint")],
        "(. >= 0 and . <= 10000) and ($\u{7b}sorties_positives\u{7d} = '' or \
         $\u{7b}sorties_total\u{7d} = '' or \
         ($\u{7b}sorties_positives\u{7d} <= $\u{7b}sorties_total\u{7d}))"
    );
    assert_eq!(
        find("sorties_total")[col("constraint_message::English (en)")],
        "Between 0 and 10000 — More positive exits than exits"
    );
    let settings = sheet(&e, "settings");
    assert_eq!(settings[1][1], "vises_entreprise");
    // The person survey: a generated key, the required link question.
    let survey = sheet(&p, "survey");
    assert_eq!(survey[1][0], "calculate");
    let statut = survey.iter().find(|r| r[1] == "statut").unwrap();
    assert_eq!(statut[0], "select_one statut");
    // Asked to workers only, in the section's group; the let written out.
    let head = &survey[0];
    let rel = head.iter().position(|h| h == "relevant").unwrap();
    let sens = survey.iter().find(|r| r[1] == "sens").unwrap();
    assert_eq!(
        sens[rel],
        "(($\u{7b}statut\u{7d} = 'insertion' or $\u{7b}statut\u{7d} = 'salarie'))"
    );
    let groups: Vec<&str> = survey
        .iter()
        .filter(|r| r[0] == "begin_group")
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(groups, ["profil", "parcours"]);
    let choices = sheet(&p, "choices");
    assert!(
        choices
            .iter()
            .any(|r| r[0] == "confiance_scale" && r[1] == "5")
    );
}

#[test]
fn quickstart_form_snapshot() {
    let dir = TempDir::new(&[]);
    let out = dir.path().join("q.xlsx");
    let o = grille(
        &root(),
        &[
            "form",
            "examples/quickstart/framework.grille",
            "--level",
            "personne",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let mut text = String::new();
    for name in ["survey", "choices", "settings"] {
        text.push_str(&format!("== {name}\n"));
        for row in sheet(&out, name) {
            text.push_str(&row.join(" | "));
            text.push('\n');
        }
    }
    insta::assert_snapshot!("form_quickstart_personne", text);
}

/// pyxform's converter: the `xls2xform` command, or its module.
pub(crate) fn xls2xform() -> Option<Vec<String>> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("--help")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    [
        vec!["xls2xform"],
        vec!["python3", "-m", "pyxform.xls2xform"],
    ]
    .into_iter()
    .find(|c| works(c))
    .map(|c| c.into_iter().map(str::to_string).collect())
}

/// Converts a form with pyxform; it must pass with no error or warning.
/// Returns the XForm.
pub(crate) fn convert(tool: &[String], f: &Path) -> String {
    let xml = f.with_extension("xml");
    let o = Command::new(&tool[0])
        .args(&tool[1..])
        .arg("--json")
        .arg(f)
        .arg(&xml)
        .output()
        .expect("xls2xform runs");
    // pyxform writes its JSON report on one of its streams.
    let out = format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let report = out
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or("");
    let v: serde_json::Value =
        serde_json::from_str(report).unwrap_or_else(|_| panic!("xls2xform said: {out}"));
    assert!(o.status.success(), "{out}");
    assert_eq!(v["code"], 100, "{out}");
    assert_eq!(v["warnings"], serde_json::json!([]), "{out}");
    std::fs::read_to_string(&xml).expect("an XForm")
}

#[test]
fn forms_convert_with_pyxform() {
    let Some(tool) =
        crate::support::external(xls2xform(), "pyxform's xls2xform", "pip install pyxform")
    else {
        return;
    };
    let dir = TempDir::new(&[]);
    let (e, p) = forms(&dir);
    for f in [e, p] {
        let x = convert(&tool, &f);
        assert!(x.contains("<h:html"));
        assert!(x.contains("lang=\"Français (fr)\""));
    }
}

/// A CSV as KoboToolbox exports submissions ("XML values and headers",
/// `;` separated, split columns for multiple choices, its own `_` columns).
/// How a platform writes its CSV export of a form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Platform {
    /// KoboToolbox, "XML values and headers": `;`, groups as `g/field`,
    /// split multiple choices `field/option` holding 1/0 beside the
    /// combined column, its `_` columns at the end.
    Kobo,
    /// ODK Central: `,`, groups joined by `-`, split columns
    /// `g-field/option`, its metadata before and after the answers.
    OdkCentral,
    /// LimeSurvey, question codes: a BOM, every field quoted, CRLF and a
    /// trailing empty line, `Y`/`N`, multiple choices only as
    /// `field[option]` holding `Y` or nothing, an unshown field unquoted.
    LimeSurvey,
}

impl Platform {
    /// The platform's own columns, before and after the answers.
    fn metadata(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Platform::Kobo => (&[], &["_id", "_uuid", "_submission_time", "_index"]),
            Platform::OdkCentral => (
                &["SubmissionDate"],
                &[
                    "meta-instanceID",
                    "KEY",
                    "SubmitterID",
                    "SubmitterName",
                    "ReviewState",
                    "FormVersion",
                ],
            ),
            Platform::LimeSurvey => (
                &["id", "submitdate", "lastpage", "startlanguage", "seed"],
                &[],
            ),
        }
    }
}

fn export(form: &Path, rows: usize, value: &dyn Fn(&str, &str, usize) -> Option<String>) -> String {
    export_as(Platform::Kobo, form, rows, value)
}

fn export_as(
    platform: Platform,
    form: &Path,
    rows: usize,
    value: &dyn Fn(&str, &str, usize) -> Option<String>,
) -> String {
    let survey = sheet(form, "survey");
    let choices = sheet(form, "choices");
    let head = &survey[0];
    let col = |n: &str| head.iter().position(|h| h == n);
    let lists: HashMap<&str, Vec<&str>> =
        choices.iter().skip(1).fold(HashMap::new(), |mut m, r| {
            m.entry(r[0].as_str()).or_default().push(r[1].as_str());
            m
        });
    let mut headers: Vec<String> = Vec::new();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); rows];
    let mut by_name: Vec<HashMap<String, String>> = vec![HashMap::new(); rows];
    // Kobo writes a grouped field's header as its path, `group/field`.
    let mut group: Option<String> = None;
    for r in survey.iter().skip(1) {
        let (ty, name) = (r[0].as_str(), r[1].as_str());
        match ty {
            "begin_group" => {
                group = Some(name.to_string());
                continue;
            }
            "end_group" => {
                group = None;
                continue;
            }
            _ => {}
        }
        let constraint = col("constraint").map(|c| r[c].clone()).unwrap_or_default();
        let bounds: Option<(f64, f64)> = constraint
            .strip_prefix(". >= ")
            .and_then(|x| x.split_once(" and . <= "))
            .map(|(a, b)| (a.parse().unwrap(), b.parse().unwrap()));
        let relevant = col("relevant").map(|c| r[c].clone()).unwrap_or_default();
        headers.push(match (&group, platform) {
            (Some(_), Platform::LimeSurvey) | (None, _) => name.to_string(),
            (Some(g), Platform::Kobo) => format!("{g}/{name}"),
            (Some(g), Platform::OdkCentral) => format!("{g}-{name}"),
        });
        let mut split: Vec<String> = Vec::new();
        for (k, row) in cells.iter_mut().enumerate() {
            // The platform leaves a field it did not show empty.
            if !relevant.is_empty() && !Relevant::new(&relevant, &by_name[k]).holds() {
                by_name[k].insert(name.to_string(), String::new());
                row.push(String::new());
                continue;
            }
            let v = if let Some(v) = value(ty, name, k) {
                v
            } else if let Some(list) = ty.strip_prefix("select_one ") {
                let opts = &lists[list];
                opts[k % opts.len()].to_string()
            } else if let Some(list) = ty.strip_prefix("select_multiple ") {
                let opts = &lists[list];
                let chosen = [opts[k % opts.len()], opts[(k + 1) % opts.len()]];
                if k == 0 {
                    split = opts
                        .iter()
                        .map(|o| format!("{}/{o}", headers.last().unwrap()))
                        .collect();
                }
                chosen.join(" ")
            } else if ty == "integer" || ty == "decimal" {
                // One small value per row for every number, so that
                // `a <= b` rules between records hold.
                let base = (k % 4 + 2) as f64;
                let x = match bounds {
                    Some((lo, hi)) if hi <= 100.0 && name.ends_with("_pct") => {
                        (base * 10.0).clamp(lo, hi)
                    }
                    Some((lo, hi)) => base.clamp(lo, hi),
                    None => base,
                };
                crate::support::num(x)
            } else if ty == "calculate" {
                let calc = &r[col("calculation").unwrap()];
                if calc == "uuid()" {
                    format!("uuid:{name}-{k}")
                } else {
                    let src = calc
                        .split("${")
                        .nth(1)
                        .and_then(|x| x.split('}').next())
                        .unwrap();
                    let x: f64 = by_name[k][src].parse().unwrap();
                    crate::support::num(x / 100.0)
                }
            } else if ty == "date" {
                format!("2024-05-{:02}", k % 28 + 1)
            } else {
                format!("réponse {k}")
            };
            by_name[k].insert(name.to_string(), v.clone());
            // LimeSurvey's yes/no questions hold Y and N.
            let v = match (platform, ty) {
                (Platform::LimeSurvey, "select_one yes_no") if v == "yes" => "Y".into(),
                (Platform::LimeSurvey, "select_one yes_no") if v == "no" => "N".into(),
                _ => v,
            };
            row.push(v);
        }
        if !split.is_empty() {
            for row in cells.iter_mut() {
                let combined = row.last().unwrap().clone();
                let chosen: Vec<&str> = combined.split(' ').filter(|x| !x.is_empty()).collect();
                if platform == Platform::LimeSurvey {
                    row.pop();
                }
                for s in &split {
                    let opt = s.rsplit(['/', '[']).next().unwrap().trim_end_matches(']');
                    let ticked = chosen.contains(&opt);
                    row.push(match (platform, ticked) {
                        (Platform::LimeSurvey, true) => "Y".into(),
                        (Platform::LimeSurvey, false) => String::new(),
                        (_, _) if combined.is_empty() => String::new(),
                        (_, true) => "1".into(),
                        (_, false) => "0".into(),
                    });
                }
            }
            if platform == Platform::LimeSurvey {
                headers.pop();
            }
            headers.extend(split);
        }
    }
    serialize(platform, headers, cells)
}

/// The table as the platform writes it, with its own columns.
fn serialize(platform: Platform, answers: Vec<String>, cells: Vec<Vec<String>>) -> String {
    let (before, after) = platform.metadata();
    let meta = |name: &str, k: usize| -> String {
        match name {
            "_id" | "id" | "SubmitterID" => (1000 + k).to_string(),
            "_index" | "lastpage" => (k + 1).to_string(),
            "_submission_time" | "SubmissionDate" | "submitdate" => "2024-05-02T10:00:00".into(),
            "startlanguage" => "fr".into(),
            _ => format!("sub-{k}"),
        }
    };
    let headers: Vec<String> = (before.iter().map(|s| s.to_string()))
        .chain(answers)
        .chain(after.iter().map(|s| s.to_string()))
        .collect();
    let rows: Vec<Vec<String>> = cells
        .into_iter()
        .enumerate()
        .map(|(k, row)| {
            (before.iter().map(|m| meta(m, k)))
                .chain(row)
                .chain(after.iter().map(|m| meta(m, k)))
                .collect()
        })
        .collect();
    let (sep, end) = match platform {
        Platform::Kobo => (";", "\n"),
        Platform::OdkCentral => (",", "\n"),
        Platform::LimeSurvey => (",", "\r\n"),
    };
    let field = |c: &str, header: bool| -> String {
        match platform {
            // Every field quoted, except an answer never shown.
            Platform::LimeSurvey if c.is_empty() && !header => String::new(),
            Platform::LimeSurvey => format!("\"{}\"", c.replace('"', "\"\"")),
            _ if c.contains(sep) || c.contains('"') => format!("\"{}\"", c.replace('"', "\"\"")),
            _ => c.to_string(),
        }
    };
    let mut out = String::new();
    if platform == Platform::LimeSurvey {
        out.push('\u{feff}');
    }
    let line = |cells: &[String], header: bool| -> String {
        cells
            .iter()
            .map(|c| field(c, header))
            .collect::<Vec<_>>()
            .join(sep)
    };
    out.push_str(&line(&headers, true));
    out.push_str(end);
    for r in &rows {
        out.push_str(&line(r, false));
        out.push_str(end);
    }
    if platform == Platform::LimeSurvey {
        out.push_str(end);
    }
    out
}

/// Just enough of XLSForm's expressions to read the `relevant` grille
/// writes for text answers: `${f} = 'x'`, `!=`, `and`, `or`, `not(…)`,
/// parentheses. Reading it here, independently of grille's writer, checks
/// that the written condition asks the right people.
struct Relevant<'a> {
    tokens: Vec<String>,
    at: usize,
    answers: &'a HashMap<String, String>,
}

impl<'a> Relevant<'a> {
    fn new(text: &str, answers: &'a HashMap<String, String>) -> Relevant<'a> {
        let mut tokens = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                ' ' => {}
                '(' | ')' | '=' => tokens.push(c.to_string()),
                '!' => {
                    chars.next();
                    tokens.push("!=".into());
                }
                '\'' => tokens.push(format!(
                    "'{}",
                    chars
                        .by_ref()
                        .take_while(|&x| x != '\'')
                        .collect::<String>()
                )),
                '$' => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|&x| x != '}').collect();
                    tokens.push(format!("${name}"));
                }
                _ => {
                    let mut w = c.to_string();
                    while chars.peek().is_some_and(|x| x.is_alphanumeric()) {
                        w.push(chars.next().unwrap());
                    }
                    tokens.push(w);
                }
            }
        }
        Relevant {
            tokens,
            at: 0,
            answers,
        }
    }

    fn next(&mut self) -> String {
        self.at += 1;
        self.tokens[self.at - 1].clone()
    }

    fn peek(&self) -> &str {
        self.tokens.get(self.at).map_or("", String::as_str)
    }

    fn holds(mut self) -> bool {
        self.or()
    }

    fn or(&mut self) -> bool {
        let mut v = self.and();
        while self.peek() == "or" {
            self.next();
            v |= self.and();
        }
        v
    }

    fn and(&mut self) -> bool {
        let mut v = self.atom();
        while self.peek() == "and" {
            self.next();
            v &= self.atom();
        }
        v
    }

    fn atom(&mut self) -> bool {
        let t = self.next();
        if t == "(" {
            let v = self.or();
            assert_eq!(self.next(), ")");
            return v;
        }
        if t == "not" {
            assert_eq!(self.next(), "(");
            let v = self.or();
            assert_eq!(self.next(), ")");
            return !v;
        }
        let field = t.strip_prefix('$').expect("a field");
        let op = self.next();
        let lit = self.next();
        let lit = lit.strip_prefix('\'').expect("a text");
        let answer = self.answers.get(field).map_or("", String::as_str);
        match op.as_str() {
            "=" => answer == lit,
            "!=" => answer != lit,
            other => panic!("operator {other}"),
        }
    }
}

#[test]
fn an_export_of_the_forms_evaluates_cleanly() {
    let dir = TempDir::new(&[]);
    let (e, p) = forms(&dir);
    for platform in [Platform::Kobo, Platform::OdkCentral, Platform::LimeSurvey] {
        exported_forms_evaluate(platform, &dir, &e, &p);
    }
}

/// The VISES forms as `platform` exports them evaluate with `--strict`:
/// only the note on the platform's own columns, every question read.
fn exported_forms_evaluate(platform: Platform, dir: &TempDir, e: &Path, p: &Path) {
    let enterprises = export_as(platform, e, 4, &|_, name, k| match name {
        "entreprise" => Some(format!("E{k}")),
        "territoire" => Some(format!("T{}", k % 2)),
        _ => None,
    });
    let persons = export_as(platform, p, 24, &|_, name, k| match name {
        "entreprise" => Some(format!("E{}", k % 4)),
        _ => None,
    });
    let head = persons.lines().next().unwrap();
    match platform {
        Platform::Kobo => assert!(head.contains(";parcours/sens;"), "{head}"),
        Platform::OdkCentral => assert!(head.contains(",parcours-sens,"), "{head}"),
        Platform::LimeSurvey => {
            assert!(head.starts_with("\u{feff}\"id\","), "{head}");
            assert!(head.contains(",\"sens\","), "{head}");
            assert!(persons.ends_with("\r\n\r\n"));
        }
    }
    std::fs::write(dir.path().join("entreprise.csv"), &enterprises).unwrap();
    std::fs::write(dir.path().join("personne.csv"), &persons).unwrap();
    let o = grille(
        &root(),
        &[
            "eval",
            "frameworks/vises.grille",
            "--strict",
            "--data",
            &format!("entreprise={}", dir.path().join("entreprise.csv").display()),
            "--data",
            &format!("personne={}", dir.path().join("personne.csv").display()),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{platform:?}: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON result");
    let diags = v["diagnostics"].as_array().unwrap();
    // Only the note naming the columns no question reads: the platform's
    // own `_` columns and the `…_pct` entries behind the shares.
    for d in diags {
        assert_eq!(
            d["code"], "grille::data::ignored_columns",
            "{platform:?}: {d}"
        );
        assert_eq!(d["severity"], "note");
        let msg = d["message"].as_str().unwrap();
        for name in msg.split('`').skip(1).step_by(2) {
            let (before, after) = platform.metadata();
            assert!(
                before.contains(&name) || after.contains(&name) || name.ends_with("_pct"),
                "{platform:?}: {name} ignored"
            );
        }
    }
    // Every question was found and read in full.
    for (level, table) in v["data"].as_object().unwrap() {
        assert_eq!(table["rejected"], serde_json::json!([]), "{level}");
        for (q, counts) in table["questions"].as_object().unwrap() {
            let asked = counts["present"].as_u64().unwrap();
            let not_asked = counts["not_asked"].as_u64().unwrap_or(0);
            assert_eq!(asked + not_asked, table["rows"], "{level}.{q}: {counts}");
        }
    }
    // The 24 people cycle through the five statuses: insertion, salarie,
    // accompagne and benevole five times each, partenaire four times.
    let people = &v["data"]["personne"]["questions"];
    for (q, asked) in [
        ("confiance", 10),     // insertion or accompagne
        ("sens", 10),          // insertion or salarie
        ("participation", 20), // all but partners
        ("contribution_locale", 4),
        ("temoignage", 24),
    ] {
        assert_eq!(people[q]["present"], asked, "{platform:?}: {q}");
        if asked < 24 {
            assert_eq!(people[q]["not_asked"], 24 - asked, "{q}");
        } else {
            assert!(people[q].get("not_asked").is_none(), "{q}");
        }
    }
    assert!(v["results"]["entreprise"].as_array().unwrap().len() == 4);
}

/// Every kind of question, through the form and a platform export.
const ALL_KINDS: &str = r#"framework kinds { title fr "Tous les types" en "All kinds"  languages fr, en }
level org { label fr "Structure" en "Organisation" }
level person { within org  label fr "Personne" en "Person" }
questions at org {
  staff: number integer range 0..500 label fr "Effectif" en "Staff"
}
questions at person {
  age: number range 16..99 label fr "Âge" en "Age"
  share: percent label fr "Part du temps" en "Share of time"
  note: percent of 100 label fr "Note" en "Mark"
  mood: scale 0..10 label fr "Humeur" en "Mood"
  fine: scale 1..20 label fr "Échelle fine" en "Fine scale"
  trained: yesno required label fr "Formé" en "Trained"
  role: choice { a fr "A" en "A"  b fr "B" en "B" } label fr "Rôle" en "Role"
  acts: multi { sport fr "Sport" en "Sport"  culture fr "Culture" en "Culture"  numerique fr "Numérique" en "Digital" } label fr "Activités" en "Activities"
  arrived: date label fr "Arrivée" en "Arrival"
  words: text label fr "Mots" en "Words"
}
indicator i_age { at org value mean(age) }
indicator i_share { at org value mean(share) }
indicator i_note { at org value mean(note) }
indicator i_mood { at org value mean(mood) normalize goalposts 0..10 }
indicator i_fine { at org value mean(fine) }
indicator i_trained { at org value share(trained) unit "%" }
indicator i_role { at org value share(role == "a") unit "%" }
indicator i_acts { at org value share(acts has "sport") unit "%" }
indicator i_year { at org value mean(year(arrived)) }
indicator i_staff { at org value staff }
dimension d { use i_mood  use i_trained  use i_role  use i_acts }
evidence e { at org  collect words }
"#;

#[test]
fn every_kind_of_question_goes_through_a_form_and_back() {
    let dir = TempDir::new(&[("kinds.grille", ALL_KINDS)]);
    let fw = dir.path().join("kinds.grille");
    let o = grille(
        &root(),
        &[
            "form",
            fw.to_str().unwrap(),
            "--out",
            dir.path().join("kinds.xlsx").to_str().unwrap(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (org, person) = (
        dir.path().join("kinds-org.xlsx"),
        dir.path().join("kinds-person.xlsx"),
    );
    let survey = sheet(&person, "survey");
    let ty = |name: &str| survey.iter().find(|r| r[1] == name).unwrap()[0].clone();
    assert_eq!(ty("acts"), "select_multiple acts");
    assert_eq!(ty("arrived"), "date");
    assert_eq!(ty("mood"), "select_one mood_scale");
    assert_eq!(ty("fine"), "integer");
    let col = survey[0].iter().position(|h| h == "constraint").unwrap();
    let fine = survey.iter().find(|r| r[1] == "fine").unwrap();
    assert_eq!(fine[col], ". >= 1 and . <= 20");
    assert_eq!(ty("note"), "decimal");
    assert_eq!(ty("share"), "calculate");
    assert_eq!(ty("words"), "text");
    if let Some(tool) = xls2xform() {
        for f in [&org, &person] {
            let o = Command::new(&tool[0])
                .args(&tool[1..])
                .arg(f)
                .arg(f.with_extension("xml"))
                .output()
                .expect("xls2xform runs");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
    let orgs = export(&org, 2, &|_, name, k| {
        (name == "org").then(|| format!("O{k}"))
    });
    let persons = export(&person, 12, &|_, name, k| {
        (name == "org").then(|| format!("O{}", k % 2))
    });
    std::fs::write(dir.path().join("org.csv"), &orgs).unwrap();
    std::fs::write(dir.path().join("person.csv"), &persons).unwrap();
    let o = grille(
        dir.path(),
        &[
            "eval",
            "kinds.grille",
            "--strict",
            "--data",
            "org=org.csv",
            "--data",
            "person=person.csv",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for d in v["diagnostics"].as_array().unwrap() {
        assert_eq!(d["code"], "grille::data::ignored_columns", "{d}");
    }
    for (level, table) in v["data"].as_object().unwrap() {
        for (q, counts) in table["questions"].as_object().unwrap() {
            assert_eq!(counts["present"], table["rows"], "{level}.{q}: {counts}");
        }
    }
    let o0 = &v["results"]["org"][0]["indicators"];
    // Shares typed out of 100 come back as shares.
    let share = o0["i_share"]["value"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&share), "{share}");
    assert!(o0["i_acts"]["value"].as_f64().is_some());
    assert!(o0["i_year"]["value"].as_f64().unwrap() > 2000.0);
}
