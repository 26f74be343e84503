//! `grille explain` (with and without a trace) and `grille diff` on the
//! shipped frameworks and example data.

use crate::support::{grille, root};

fn run(args: &[&str]) -> String {
    crate::support::grille_ok(args)
}

const VISES: &str = "frameworks/vises.grille";
const HDF: &str = "frameworks/vises-hauts-de-france.grille";
const DATA: [&str; 4] = [
    "--data",
    "entreprise=examples/vises/entreprises.csv",
    "--data",
    "personne=examples/vises/personnes.csv",
];

fn traced(item: &str, unit: &str, lang: &str) -> String {
    let mut args = vec!["explain", VISES, item, "--unit", unit, "--lang", lang];
    args.extend(DATA);
    run(&args)
}

#[test]
fn explain_without_data() {
    insta::assert_snapshot!(
        "explain_indicator_fr",
        run(&["explain", VISES, "soc_confiance"])
    );
    insta::assert_snapshot!(
        "explain_dimension_en",
        run(&["explain", VISES, "personnes", "--lang", "en"])
    );
    insta::assert_snapshot!(
        "explain_question_nl",
        run(&["explain", VISES, "statut", "--lang", "nl"])
    );
    insta::assert_snapshot!(
        "explain_adapted",
        run(&["explain", HDF, "eco_achats_locaux"])
    );
}

#[test]
fn explain_with_a_trace() {
    insta::assert_snapshot!("trace_indicator", traced("soc_confiance", "E01", "fr"));
    insta::assert_snapshot!("trace_dimension_gate", traced("personnes", "E01", "en"));
    insta::assert_snapshot!(
        "trace_rollup",
        traced("eco_emplois", "lille_metropole", "fr")
    );
    insta::assert_snapshot!("trace_evidence", traced("temoignages", "E02", "fr"));
}

#[test]
fn explain_refuses_unknown_items_and_units() {
    let o = grille(&root(), &["explain", VISES, "soc_confianc"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `soc_confiance`"), "{err}");
    let mut args = vec!["explain", VISES, "soc_confiance", "--unit", "E99"];
    args.extend(DATA);
    let o = grille(&root(), &args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no unit `E99`"));
    // A unit needs data, and data needs a unit.
    let o = grille(
        &root(),
        &["explain", VISES, "soc_confiance", "--unit", "E01"],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_of_the_regional_adaptation() {
    insta::assert_snapshot!("diff_human", run(&["diff", VISES, HDF]));
    let json = run(&["diff", VISES, HDF, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["schema"], "grille/diff@1");
    crate::support::validate(&v, "diff.schema.json");
    insta::assert_snapshot!("diff_json", json);
    let same = run(&["diff", VISES, VISES]);
    assert!(same.contains("aucune différence"), "{same}");
    let same = run(&["diff", VISES, VISES, "--lang", "en"]);
    assert!(same.contains("no differences"), "{same}");
}
