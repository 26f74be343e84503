//! Questions asked only to some (`when`), labelled scale points and
//! sections: what evaluation counts, what the data section says, and the
//! questionnaire that asks the right people.

use crate::support::{TempDir, eval_json, grille};

/// Workers are asked whether their work is meaningful; everyone is asked
/// about trust. `sens` is also asked only where the person's org runs a
/// workshop (a parent answer read through the key).
const FW: &str = r#"framework f { title "F" languages fr, en }
level org { key "org" }
level person { within org via "org" key "id" }
questions at org { workshop: yesno }
questions at person section path {
  label fr "Parcours" en "Path"
  role: choice { worker fr "Travailleur" en "Worker", partner fr "Partenaire" en "Partner" }
  sens: scale 1..5 {
    1 fr "Pas du tout" en "Not at all"
    5 fr "Tout à fait" en "Fully"
  } when role == "worker" and workshop label fr "Mon travail a du sens" en "My work is meaningful"
  trust: scale 1..5
}
indicator sens_mean { at org value mean(sens) normalize goalposts 1..5 }
indicator trust_share { at org value share(trust >= 4) unit "%" }
dimension d { use sens_mean use trust_share }
"#;

const ORGS: &str = "org,workshop\nA,yes\nB,no\n";

/// The orgs as a network knows them, with a figure no condition reads.
const UNITS: &str = "org,workshop,budget\nA,yes,120000\nB,no,80000\n";

/// A: p1 worker 4, p2 worker blank, p3 partner with a `sens` answer (not
/// asked: ignored), p4 role missing (undecided: not asked) and blank.
/// B runs no workshop, so nobody there is asked: p5's 2 is ignored, p6 is blank.
const PEOPLE: &str = "id,org,role,sens,trust\n\
p1,A,worker,4,5\n\
p2,A,worker,,4\n\
p3,A,partner,5,2\n\
p4,A,,,\n\
p5,B,worker,2,4\n\
p6,B,worker,,1\n";

fn indicator<'a>(doc: &'a serde_json::Value, u: &str, i: &str) -> &'a serde_json::Value {
    &crate::support::unit(doc, "org", u)["indicators"][i]
}

#[test]
fn answers_not_asked_are_left_out_and_counted_apart() {
    let doc = eval_json(FW, &[("org", ORGS), ("person", PEOPLE)]);
    // Asked in A: p1 (4) and p2 (blank): mean 4 from n = 1 of 2 asked.
    let a = indicator(&doc, "A", "sens_mean");
    assert_eq!(a["value"], 4.0);
    assert_eq!(a["n"], 1);
    assert_eq!(a["coverage"], 0.5);
    // Nobody asked in B; p5's 2 is ignored.
    let b = indicator(&doc, "B", "sens_mean");
    assert!(b["value"].is_null(), "{b}");
    // Everyone is asked about trust: A has 5, 4, 2 and a blank.
    let t = indicator(&doc, "A", "trust_share");
    crate::support::close(&t["value"], 2.0 / 3.0);
    crate::support::close(&t["coverage"], 3.0 / 4.0);
    // The data section: 6 rows; asked in p1 (present) and p2 (blank); not
    // asked p3, p4, p5, p6 (p3 and p5 answered anyway).
    let sens = &doc["data"]["person"]["questions"]["sens"];
    assert_eq!(sens["present"], 1);
    assert_eq!(sens["blank"], 1);
    assert_eq!(sens["not_asked"], 4);
    assert!(
        doc["data"]["person"]["questions"]["trust"]
            .get("not_asked")
            .is_none()
    );
    let warned: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "grille::data::answer_not_asked")
        .collect();
    assert_eq!(warned.len(), 1, "one warning for the question");
    assert_eq!(warned[0]["row"], 4, "the first such answer, p3, on line 4");
    assert_eq!(warned[0]["column"], "sens");
    assert!(warned[0]["message"].as_str().unwrap().contains("2 row(s)"));
}

#[test]
fn the_warning_underlines_the_cell() {
    let dir = TempDir::new(&[("f.grille", FW), ("org.csv", ORGS), ("person.csv", PEOPLE)]);
    let o = grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "org=org.csv",
            "--data",
            "person=person.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stderr).replace(dir.path().to_str().unwrap(), "DIR");
    insta::assert_snapshot!("answer_not_asked", text);
}

#[test]
fn a_required_question_is_required_only_where_asked() {
    let fw = FW.replace(
        "trust: scale 1..5",
        "trust: scale 1..5\n  why: text required when role == \"partner\"",
    );
    let people = "id,org,role,sens,trust,why\np1,A,worker,4,5,\np3,A,partner,,2,\n";
    let dir = TempDir::new(&[("f.grille", &fw), ("org.csv", ORGS), ("person.csv", people)]);
    let o = grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "org=org.csv",
            "--data",
            "person=person.csv",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(3),
        "as for any missing required answer: {err}"
    );
    assert!(o.stdout.is_empty());
    // p1 is a worker: not asked, no error; p3 is a partner without answer.
    assert_eq!(
        err.matches("grille::data::required_missing").count(),
        1,
        "{err}"
    );
    assert!(err.contains("person.csv:3:"), "{err}");
}

#[test]
fn scale_points_are_read_by_their_labels() {
    let people = "id,org,role,sens,trust\np1,A,worker,Tout à fait,5\np2,A,worker,not at all,4\n";
    let doc = eval_json(FW, &[("org", ORGS), ("person", people)]);
    // 5 and 1: mean 3.
    assert_eq!(indicator(&doc, "A", "sens_mean")["value"], 3.0);
    assert_eq!(doc["data"]["person"]["questions"]["sens"]["invalid"], 0);
}

#[test]
fn sections_and_points_keep_their_layout() {
    let dir = TempDir::new(&[("f.grille", FW)]);
    let o = grille(dir.path(), &["fmt", "f.grille"]);
    assert_eq!(o.status.code(), Some(0));
    let once = std::fs::read_to_string(dir.path().join("f.grille")).unwrap();
    assert!(
        once.contains("questions at person section path {\n  label fr \"Parcours\" en \"Path\"\n")
    );
    assert!(once.contains("    1 fr \"Pas du tout\" en \"Not at all\"\n"));
    let o = grille(dir.path(), &["fmt", "--check", "f.grille"]);
    assert_eq!(o.status.code(), Some(0), "formatting twice changes nothing");
    let doc = grille(dir.path(), &["doc", "f.grille", "--lang", "en"]);
    let doc = String::from_utf8_lossy(&doc.stdout);
    assert!(doc.contains("### Path"), "{doc}");
    assert!(
        doc.contains("scale 1–5 (1 = Not at all, 5 = Fully)"),
        "{doc}"
    );
    assert!(doc.contains("| Asked when |"), "{doc}");
    // The template's guide, in French: the section, who is asked.
    let o = grille(
        dir.path(),
        &["template", "f.grille", "--lang", "fr", "--out", "t"],
    );
    assert_eq!(o.status.code(), Some(0));
    let guide = std::fs::read_to_string(dir.path().join("t/README.md")).unwrap();
    assert!(guide.contains("| **Parcours** | | | |"), "{guide}");
    assert!(guide.contains("posée seulement si"), "{guide}");
    assert!(
        guide.contains("| colonne | type | obligatoire | libellé |"),
        "{guide}"
    );
    let head = std::fs::read_to_string(dir.path().join("t/person.csv")).unwrap();
    assert_eq!(head.trim(), "id,org,role,sens,trust");
}

/// The person form written with the orgs as known units.
fn person_form() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new(&[("f.grille", FW), ("orgs.csv", UNITS)]);
    let out = dir.path().join("p.xlsx");
    let args = [
        "form",
        "f.grille",
        "--level",
        "person",
        "--units",
        "org=orgs.csv",
        "--out",
    ];
    let mut args: Vec<&str> = args.to_vec();
    args.push(out.to_str().unwrap());
    let o = grille(dir.path(), &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    (dir, out)
}

/// The person form: the section as a group, the condition as `relevant`
/// reading the org's answer from the known units, points with labels.
#[test]
fn the_form_asks_the_right_people() {
    let (dir, out) = person_form();
    let survey = crate::form::sheet(&out, "survey");
    let head = &survey[0];
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let row = |name: &str| survey.iter().find(|r| r[1] == name).unwrap();
    assert_eq!(row("org")[0], "select_one org");
    assert_eq!(row("path")[0], "begin_group");
    assert_eq!(
        row("sens")[col("relevant")],
        "(($\u{7b}role\u{7d} = 'worker') and (instance('org')/root/item[name = $\u{7b}org\u{7d}]/workshop = 'yes'))"
    );
    assert!(survey.iter().any(|r| r[0] == "end_group"));
    let choices = crate::form::sheet(&out, "choices");
    let ch = &choices[0];
    let workshop = ch
        .iter()
        .position(|h| h == "workshop")
        .expect("the org's cells");
    let a = choices
        .iter()
        .find(|r| r[0] == "org" && r[1] == "A")
        .unwrap();
    assert_eq!(a[workshop], "yes");
    // What no condition reads stays out of the form.
    assert!(!ch.iter().any(|h| h == "budget"), "{ch:?}");
    assert!(!a.iter().any(|c| c == "120000"), "{a:?}");
    assert!(
        choices
            .iter()
            .any(|r| r[0] == "sens_scale" && r[2] == "5 — Tout à fait")
    );
    // Without the units, the form cannot look the org's answer up.
    let o = grille(
        dir.path(),
        &[
            "form",
            "f.grille",
            "--level",
            "person",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--units org=FILE"), "{err}");
}

#[test]
fn one_row_rules_become_constraints() {
    let fw = r#"framework f { title "F" languages fr, en }
level org { key "org" }
questions at org {
  staff: number
  women: number
}
rule women_within_staff {
  at org
  check women <= staff
  message fr "Plus de femmes que de personnel" en "More women than staff"
}
indicator i { at org value women / staff unit "%" }
dimension d { use i }
"#;
    let dir = TempDir::new(&[("f.grille", fw)]);
    let out = dir.path().join("o.xlsx");
    let o = grille(
        dir.path(),
        &["form", "f.grille", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0));
    let survey = crate::form::sheet(&out, "survey");
    let head = &survey[0];
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let women = survey.iter().find(|r| r[1] == "women").unwrap();
    // Unjudged while either answer is missing, as in grille.
    assert_eq!(
        women[col("constraint")],
        "$\u{7b}women\u{7d} = '' or $\u{7b}staff\u{7d} = '' or ($\u{7b}women\u{7d} <= $\u{7b}staff\u{7d})"
    );
    assert_eq!(
        women[col("constraint_message::English (en)")],
        "More women than staff"
    );
    assert_eq!(
        women[col("constraint_message::Français (fr)")],
        "Plus de femmes que de personnel"
    );
}

#[test]
fn the_forms_convert_with_pyxform() {
    let Some(tool) = crate::support::external(
        crate::form::xls2xform(),
        "pyxform's xls2xform",
        "pip install pyxform",
    ) else {
        return;
    };
    let (_dir, out) = person_form();
    let xml = crate::form::convert(&tool, &out);
    assert!(xml.contains("relevant="), "{xml}");
    assert!(xml.contains("instance('org')/root/item[name ="), "{xml}");
}
