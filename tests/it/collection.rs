//! Reading what collection platforms export: renamed questions (column
//! aliases), headers with stray case and spaces, `n/a`.

use crate::support::{TempDir, eval_json, grille};

const FW: &str = r#"framework f { title "F" languages en }
level org { label "Org" }
questions at org {
  staff: number column "staff_2024", "staff_2023"
  share: percent
}
indicator staff_i { at org  label "Staff"  value staff }
indicator share_i { at org  label "Share"  value share  unit "%" }
"#;

fn value(doc: &serde_json::Value, u: &str, ind: &str) -> serde_json::Value {
    crate::support::unit(doc, "org", u)["indicators"][ind]["value"].clone()
}

#[test]
fn a_renamed_question_reads_last_rounds_export() {
    // Last round's export names the column by its old name.
    let doc = eval_json(FW, &[("org", "org,staff_2023,share\nA,12,40%\nB,3,n/a\n")]);
    assert_eq!(value(&doc, "A", "staff_i"), 12.0);
    assert_eq!(value(&doc, "B", "staff_i"), 3.0);
    // The current name wins when both are there.
    let doc = eval_json(
        FW,
        &[("org", "org,staff_2023,staff_2024,share\nA,12,14,40%\n")],
    );
    assert_eq!(value(&doc, "A", "staff_i"), 14.0);
}

#[test]
fn n_a_is_missing_by_default() {
    let doc = eval_json(
        FW,
        &[("org", "org,staff_2024,share\nA,1,N/A\nB,2,n/a\nC,3,50%\n")],
    );
    // Two missing answers, not two unreadable cells.
    assert!(value(&doc, "A", "share_i").is_null());
    assert!(value(&doc, "B", "share_i").is_null());
    assert_eq!(value(&doc, "C", "share_i"), 0.5);
    let counts = &doc["data"]["org"]["questions"]["share"];
    assert_eq!(counts["blank"], 2, "{counts}");
    assert_eq!(counts["invalid"], 0, "{counts}");
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] != "grille::data::bad_value"),
        "{}",
        doc["diagnostics"]
    );
}

#[test]
fn headers_with_case_and_spaces_are_read_with_a_note() {
    let dir = TempDir::new(&[
        ("f.grille", FW),
        ("o.csv", "org, Staff_2024 ,SHARE\nA,5,10%\n"),
    ]);
    let o = grille(dir.path(), &["eval", "f.grille", "--data", "org=o.csv"]);
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(value(&doc, "A", "staff_i"), 5.0);
    assert_eq!(value(&doc, "A", "share_i"), 0.1);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("grille::data::loose_headers"), "{err}");
    // The note names the header as it is read (the reader trims cells).
    assert!(err.contains("`Staff_2024` for `staff_2024`"), "{err}");
}

#[test]
fn a_form_for_a_level_without_questions_names_those_with_some() {
    let o = grille(
        &crate::support::root(),
        &[
            "form",
            "frameworks/vises.grille",
            "--level",
            "territoire",
            "--out",
            "/nonexistent/x.xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("level `territoire` has no questions") && err.contains("entreprise, personne"),
        "{err}"
    );
}

/// A LimeSurvey multiple choice whose sub-questions are the options.
const SPORTS: &str = r#"framework f { title "F" languages en }
level org { label "Org" }
level person { within org  label "Person" }
questions at person {
  sports: multi { SQ001 "Football", SQ002 "Cycling" }
}
indicator foot { at org  label "Football"  value share(sports has "SQ001")  unit "%" }
"#;

#[test]
fn limesurvey_multiple_choice_columns_make_one_question() {
    let fw = SPORTS;
    // LimeSurvey writes `Y` in a ticked sub-question and nothing
    // elsewhere; a person who ticked nothing has no answer.
    let doc = eval_json(
        fw,
        &[
            ("org", "org\nA\n"),
            (
                "person",
                "person,org,sports[SQ001],sports[SQ002]\np1,A,Y,\np2,A,,Y\np3,A,Y,Y\np4,A,,\n",
            ),
        ],
    );
    // p1 and p3 of the three who answered: 2 / 3.
    let v = crate::support::unit(&doc, "org", "A")["indicators"]["foot"]["value"]
        .as_f64()
        .unwrap();
    assert!((v - 2.0 / 3.0).abs() < 1e-12, "{v}");
    assert_eq!(doc["data"]["person"]["questions"]["sports"]["present"], 3);
    assert_eq!(doc["data"]["person"]["questions"]["sports"]["blank"], 1);
}

/// LimeSurvey's other heading style (`Q1_SQ001`) reads the same, and its
/// "other" and "comment" columns are listed as not read.
#[test]
fn limesurvey_underscore_headings_and_other_columns() {
    let fw = SPORTS;
    let people = "person,org,sports_SQ001,sports_SQ002,sports[other],sports[comment]
        p1,A,Y,,,
p2,A,,Y,Tennis,
p3,A,Y,Y,,great
p4,A,,,,
";
    let doc = eval_json(
        fw,
        &[
            (
                "org", "org
A
",
            ),
            ("person", people),
        ],
    );
    let v = crate::support::unit(&doc, "org", "A")["indicators"]["foot"]["value"]
        .as_f64()
        .unwrap();
    assert!((v - 2.0 / 3.0).abs() < 1e-12, "{v}");
    let notes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("`sports[other]`, `sports[comment]`"),
        "{notes:?}"
    );
}

/// The tutorial's people, as ODK Central exports them: groups joined by
/// `-` (`g1-confiance`), `yes`/`no` choice names, its metadata columns
/// before and after the answers.
const ODK_CENTRAL: &str = "SubmissionDate,personne,structure,g1-confiance,g1-liens,meta-instanceID,KEY,SubmitterID,SubmitterName,AttachmentsPresent,AttachmentsExpected,Status,ReviewState,DeviceID,Edits,FormVersion
2024-05-02T10:00:00.000Z,p1,A,5,yes,uuid:a1,uuid:a1,5,enq,0,0,,,collect:x,0,1
2024-05-02T10:01:00.000Z,p2,A,4,no,uuid:a2,uuid:a2,5,enq,0,0,,,collect:x,0,1
2024-05-02T10:02:00.000Z,p3,A,2,yes,uuid:a3,uuid:a3,5,enq,0,0,,,collect:x,0,1
2024-05-02T10:03:00.000Z,p4,A,,yes,uuid:a4,uuid:a4,5,enq,0,0,,,collect:x,0,1
2024-05-02T10:04:00.000Z,p5,B,3,no,uuid:b5,uuid:b5,5,enq,0,0,,,collect:x,0,1
2024-05-02T10:05:00.000Z,p6,B,4,yes,uuid:b6,uuid:b6,5,enq,0,0,,,collect:x,0,1
2024-05-02T10:06:00.000Z,p7,B,5,yes,uuid:b7,uuid:b7,5,enq,0,0,,,collect:x,0,1
";

/// The same people as LimeSurvey exports responses (question codes as
/// headings): a UTF-8 BOM, every field quoted, `Y`/`N`, CRLF line ends and
/// a trailing empty line; p4's unanswered scale is `""`.
fn limesurvey() -> String {
    let rows = [
        ("p1", "A", "5", "Y"),
        ("p2", "A", "4", "N"),
        ("p3", "A", "2", "Y"),
        ("p4", "A", "", "Y"),
        ("p5", "B", "3", "N"),
        ("p6", "B", "4", "Y"),
        ("p7", "B", "5", "Y"),
    ];
    let mut out = String::from(
        "\u{feff}\"id\",\"submitdate\",\"lastpage\",\"startlanguage\",\"seed\",\"personne\",\"structure\",\"confiance\",\"liens\"\r\n",
    );
    for (k, (p, s, c, l)) in rows.iter().enumerate() {
        out.push_str(&format!(
            "\"{}\",\"2024-05-02 10:0{k}:00\",\"1\",\"fr\",\"{}\",\"{p}\",\"{s}\",\"{c}\",\"{l}\"\r\n",
            k + 1,
            1000 + k
        ));
    }
    out.push_str("\r\n");
    out
}

#[test]
fn odk_central_and_limesurvey_exports_give_the_csv_numbers() {
    let fw = std::fs::read_to_string(crate::support::root().join("examples/tutorial/first.grille"))
        .unwrap();
    let csv =
        std::fs::read_to_string(crate::support::root().join("examples/tutorial/personnes.csv"))
            .unwrap();
    let base = eval_json(&fw, &[("personne", &csv)]);
    // A: p1 5, p2 4, p3 2, p4 blank → confident 2 of 3; met people 3 of 4.
    let a = &crate::support::unit(&base, "structure", "A")["indicators"];
    crate::support::close(&a["confiance_i"]["value"], 2.0 / 3.0);
    crate::support::close(&a["liens_i"]["value"], 3.0 / 4.0);
    for (name, export) in [
        ("ODK Central", ODK_CENTRAL.to_string()),
        ("LimeSurvey", limesurvey()),
    ] {
        let doc = eval_json(&fw, &[("personne", &export)]);
        assert_eq!(doc["results"], base["results"], "{name}");
        // Everything read; only the platform's own columns left aside.
        let q = &doc["data"]["personne"]["questions"];
        assert_eq!(q["confiance"]["present"], 6, "{name}");
        assert_eq!(q["confiance"]["blank"], 1, "{name}");
        assert_eq!(doc["data"]["personne"]["rows"], 7, "{name}");
        for d in doc["diagnostics"].as_array().unwrap() {
            assert_eq!(d["code"], "grille::data::ignored_columns", "{name}: {d}");
        }
    }
}

/// An ODK Central repeat group: its own file, rows keyed by `KEY` and
/// pointing at their submission's `KEY` in `PARENT_KEY`.
#[test]
fn odk_central_repeats_read_as_a_finer_level() {
    let fw = r#"framework r { title "R" languages en }
level household { key "KEY" label "Household" }
level member { within household via "PARENT_KEY" key "KEY" label "Member" }
questions at member { age: number integer range 0..120 }
indicator adults { at household label "Adults" value count(age >= 18) }
"#;
    let households = "SubmissionDate,village,meta-instanceID,KEY\n\
        2024-05-02T10:00:00.000Z,Ath,uuid:h1,uuid:h1\n\
        2024-05-02T11:00:00.000Z,Ath,uuid:h2,uuid:h2\n";
    let members = "age,PARENT_KEY,KEY\n\
        34,uuid:h1,uuid:h1/members[1]\n\
        12,uuid:h1,uuid:h1/members[2]\n\
        40,uuid:h1,uuid:h1/members[3]\n\
        71,uuid:h2,uuid:h2/members[1]\n";
    let doc = eval_json(fw, &[("household", households), ("member", members)]);
    let h1 = &crate::support::unit(&doc, "household", "uuid:h1")["indicators"]["adults"];
    let h2 = &crate::support::unit(&doc, "household", "uuid:h2")["indicators"]["adults"];
    assert_eq!(h1["value"], 2.0);
    assert_eq!(h2["value"], 1.0);
}

/// A KoboToolbox export with labels instead of names: headers are the
/// questions' labels (here in French, behind a group label), answers the
/// options' labels, every field quoted, `;` separated.
#[test]
fn kobo_label_headers_are_matched_through_labels() {
    let fw = r#"framework k { title "K" languages fr, en }
level org { key "org" }
questions at org {
  role: choice { worker fr "Travailleur" en "Worker", partner fr "Partenaire" en "Partner" } label fr "Votre rôle" en "Your role"
  acts: multi { sport fr "Sport" en "Sports", culture fr "Culture" en "Culture" } label fr "Activités" en "Activities"
  staff: number label fr "Effectif" en "Staff"
}
indicator workers { at org value role == "worker" }
indicator sporty { at org value acts has "sport" }
indicator staff_i { at org value staff }
"#;
    let export = "\"org\";\"Profil/Votre rôle\";\"Profil/Activités/Sport\";\"Profil/Activités/Culture\";\"Effectif\";\"_id\"\n\
        \"A\";\"Travailleur\";\"1\";\"0\";\"12\";\"1\"\n\
        \"B\";\"Partenaire\";\"0\";\"1\";\"3,5\";\"2\"\n";
    let doc = eval_json(fw, &[("org", export)]);
    let a = &crate::support::unit(&doc, "org", "A")["indicators"];
    let b = &crate::support::unit(&doc, "org", "B")["indicators"];
    assert_eq!(a["workers"]["value"], true);
    assert_eq!(b["workers"]["value"], false);
    assert_eq!(a["sporty"]["value"], true);
    assert_eq!(b["sporty"]["value"], false);
    assert_eq!(b["staff_i"]["value"], 3.5);
    for d in doc["diagnostics"].as_array().unwrap() {
        assert_eq!(d["code"], "grille::data::ignored_columns", "{d}");
    }
}

/// A KoboToolbox XLSX export of a form with a repeat group: the
/// submissions on the first sheet with their `_index`, the repeat on its
/// own sheet pointing back through `_parent_index` (numbers in the cells).
#[test]
fn kobo_repeat_sheets_read_as_a_finer_level() {
    let fw = r#"framework r { title "R" languages en }
level household { key "_index" label "Household" }
level member { within household via "_parent_index" key "_index" label "Member" }
questions at household { village: text }
questions at member { age: number integer range 0..120 }
indicator adults { at household label "Adults" value count(age >= 18) }
indicator place { at household label "Village" value village }
"#;
    let dir = TempDir::new(&[("r.grille", fw)]);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let main = wb.add_worksheet();
    main.set_name("Ménages").unwrap();
    for (c, h) in ["village", "_id", "_uuid", "__version__", "_index"]
        .iter()
        .enumerate()
    {
        main.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (v, id)) in [("Ath", 11.0), ("Mons", 12.0)].iter().enumerate() {
        let r = r as u32 + 1;
        main.write_string(r, 0, *v).unwrap();
        main.write_number(r, 1, *id).unwrap();
        main.write_string(r, 2, format!("u{r}")).unwrap();
        main.write_string(r, 3, "vX").unwrap();
        main.write_number(r, 4, r as f64).unwrap();
    }
    let rep = wb.add_worksheet();
    rep.set_name("membres").unwrap();
    for (c, h) in [
        "membres/age",
        "_index",
        "_parent_table_name",
        "_parent_index",
    ]
    .iter()
    .enumerate()
    {
        rep.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (age, parent)) in [(34.0, 1.0), (12.0, 1.0), (40.0, 1.0), (71.0, 2.0)]
        .iter()
        .enumerate()
    {
        let r = r as u32 + 1;
        rep.write_number(r, 0, *age).unwrap();
        rep.write_number(r, 1, r as f64).unwrap();
        rep.write_string(r, 2, "Ménages").unwrap();
        rep.write_number(r, 3, *parent).unwrap();
    }
    wb.save(dir.path().join("export.xlsx")).unwrap();
    let out = grille(
        dir.path(),
        &[
            "eval",
            "r.grille",
            "--data",
            "household=export.xlsx#Ménages",
            "--data",
            "member=export.xlsx#membres",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let h1 = &crate::support::unit(&doc, "household", "1")["indicators"];
    let h2 = &crate::support::unit(&doc, "household", "2")["indicators"];
    assert_eq!(h1["adults"]["value"], 2.0);
    assert_eq!(h2["adults"]["value"], 1.0);
    assert_eq!(h2["place"]["value"], "Mons");
    // The platform's columns, listed once per sheet.
    let notes: Vec<&serde_json::Value> = doc["diagnostics"].as_array().unwrap().iter().collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes
            .iter()
            .all(|d| d["code"] == "grille::data::ignored_columns")
    );
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap()
            .contains("`__version__`")
    );
}

/// In a LimeSurvey export every field is quoted: `""` in a multiple
/// choice's columns is a question shown and left unticked (an answer:
/// nothing chosen), an unquoted empty field one never shown (missing).
#[test]
fn limesurvey_shown_but_unticked_is_an_answer() {
    let fw = SPORTS;
    let people = "\"person\",\"org\",\"sports[SQ001]\",\"sports[SQ002]\"\r\n\
        \"p1\",\"A\",\"Y\",\"\"\r\n\
        \"p2\",\"A\",\"\",\"\"\r\n\
        \"p3\",\"A\",,\r\n\
        \r\n";
    let doc = eval_json(fw, &[("org", "org\nA\n"), ("person", people)]);
    // p1 ticked football, p2 ticked nothing, p3 was not shown: 1 of 2.
    let v = crate::support::unit(&doc, "org", "A")["indicators"]["foot"]["value"]
        .as_f64()
        .unwrap();
    assert!((v - 0.5).abs() < 1e-12, "{v}");
    let counts = &doc["data"]["person"]["questions"]["sports"];
    assert_eq!(counts["present"], 2);
    assert_eq!(counts["blank"], 1);
}

/// ODK Central's split multiple choices behind a group: `g1-acts/sport`.
#[test]
fn odk_central_split_choices_behind_a_group() {
    let fw = r#"framework o { title "O" languages en }
level org { key "org" }
questions at org { acts: multi { sport, culture } }
indicator sporty { at org value acts has "sport" }
"#;
    let export = "SubmissionDate,org,g1-acts/sport,g1-acts/culture,KEY\n\
        2024-05-02T10:00:00.000Z,A,1,0,uuid:1\n\
        2024-05-02T10:00:00.000Z,B,0,1,uuid:2\n";
    let doc = eval_json(fw, &[("org", export)]);
    assert_eq!(
        crate::support::unit(&doc, "org", "A")["indicators"]["sporty"]["value"],
        true
    );
    assert_eq!(
        crate::support::unit(&doc, "org", "B")["indicators"]["sporty"]["value"],
        false
    );
}

/// Two rounds of one KoboToolbox form, the second after `q12_confiance`
/// was renamed `confiance`: one `column` alias reads both, and answers
/// that did not change give the same numbers.
#[test]
fn two_kobo_rounds_with_a_renamed_question() {
    let fw = r#"framework k { title "K" languages fr }
level org { key "org" }
level person { within org via "org" key "_uuid" }
questions at person {
  confiance: scale 1..5 column "confiance", "q12_confiance"
  liens: yesno
}
indicator conf { at org value share(confiance >= 4) unit "%" }
indicator lien { at org value share(liens) unit "%" }
"#;
    let round1 = "org;parcours/q12_confiance;parcours/liens;_id;_uuid;_submission_time;__version__;_index\n\
        A;5;yes;1;u1;2023-05-02T10:00:00;v1;1\n\
        A;2;no;2;u2;2023-05-02T10:05:00;v1;2\n\
        A;4;yes;3;u3;2023-05-02T10:09:00;v1;3\n";
    let round2 = "org;parcours/confiance;parcours/liens;_id;_uuid;_submission_time;__version__;_index\n\
        A;5;yes;7;u7;2024-05-02T10:00:00;v2;1\n\
        A;2;no;8;u8;2024-05-02T10:05:00;v2;2\n\
        A;4;yes;9;u9;2024-05-02T10:09:00;v2;3\n";
    let one = eval_json(fw, &[("org", "org\nA\n"), ("person", round1)]);
    let two = eval_json(fw, &[("org", "org\nA\n"), ("person", round2)]);
    let a1 = &crate::support::unit(&one, "org", "A")["indicators"];
    let a2 = &crate::support::unit(&two, "org", "A")["indicators"];
    // 5, 2, 4: two of three are 4 or more, in both rounds.
    crate::support::close(&a1["conf"]["value"], 2.0 / 3.0);
    assert_eq!(a1["conf"], a2["conf"]);
    assert_eq!(a1["lien"], a2["lien"]);
    for doc in [&one, &two] {
        assert_eq!(
            doc["data"]["person"]["questions"]["confiance"]["present"],
            3
        );
        let notes = doc["diagnostics"].as_array().unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0]["code"], "grille::data::ignored_columns");
    }
}
