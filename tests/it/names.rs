//! How results are presented to a network: unit names (`name "COLUMN"`,
//! read from the level's table, also for a level without questions), the
//! publisher, rating colours, CSV for French and Dutch spreadsheets.

use crate::support::{TempDir, grille};

const FW: &str = r#"framework t {
  title "T"
  languages en
}
level terr { name "nom"  label "Territory" }
level org { within terr  name "raison_sociale"  label "Organisation" }
questions at org { x: number }
indicator i { at org  value x  normalize goalposts 0..10  rollup mean }
"#;

const ORGS: &str = "org,terr,raison_sociale,x\nA,T1,Atelier du Nord,3\nB,T2,,5\n";
const TERRS: &str = "terr,nom\nT1,Lille\nT2,Mons\nT3,Gand\n";

/// `grille eval` of `f.grille` on the organisations' and territories' tables.
const EVAL: [&str; 6] = [
    "eval",
    "f.grille",
    "--data",
    "org=org.csv",
    "--data",
    "terr=terr.csv",
];

fn run(args: &[&str]) -> (String, String, Option<i32>) {
    let dir = TempDir::new(&[("f.grille", FW), ("org.csv", ORGS), ("terr.csv", TERRS)]);
    let mut a = EVAL.to_vec();
    a.extend(args);
    let o = grille(dir.path(), &a);
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code(),
    )
}

#[test]
fn names_are_read_and_shown() {
    let (json, err, code) = run(&["--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    // The name columns are read, so not listed as ignored.
    assert!(!err.contains("ignored"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    crate::support::validate_result(&doc);
    let terr = &doc["results"]["terr"];
    // T3 exists only in the territories' table: a unit with its name.
    assert_eq!(terr[2]["unit"], "T3");
    assert_eq!(terr[2]["name"], "Gand");
    let org = &doc["results"]["org"];
    assert_eq!(org[0]["name"], "Atelier du Nord");
    // B's name is empty: no name.
    assert!(org[1].get("name").is_none());
    let (csv, _, _) = run(&["--format", "csv"]);
    assert!(csv.starts_with("level,unit,name,parent,"));
    assert!(csv.contains("\nterr,T1,Lille,,indicator,i,3,"), "{csv}");
    assert!(csv.contains("\norg,B,,T2,indicator,i,5,"), "{csv}");
    let (md, _, _) = run(&["--format", "md"]);
    assert!(
        md.contains("## Organisation A — Atelier du Nord (in territory T1)"),
        "{md}"
    );
    assert!(md.contains("## Territory T3 — Gand"), "{md}");
}

#[test]
fn explain_shows_the_name() {
    let dir = TempDir::new(&[("f.grille", FW), ("org.csv", ORGS), ("terr.csv", TERRS)]);
    let o = grille(
        dir.path(),
        &[
            "explain",
            "f.grille",
            "i",
            "--data",
            "org=org.csv",
            "--data",
            "terr=terr.csv",
            "--unit",
            "A",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("org A « Atelier du Nord » (terr T1)"), "{out}");
}

#[test]
fn a_missing_name_column_is_reported() {
    let dir = TempDir::new(&[("f.grille", FW), ("org.csv", "org,terr,x\nA,T1,3\n")]);
    let o = grille(dir.path(), &["eval", "f.grille", "--data", "org=org.csv"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("raison_sociale"), "{err}");
    assert!(err.contains("names are read from it"), "{err}");
}

/// `publisher` in the header: in the JSON result, the report and `doc`.
#[test]
fn the_publisher_is_shown() {
    let fw = FW.replace(
        "  languages en\n}",
        "  languages en, fr\n  publisher en \"Social economy observatory\" fr \"Observatoire de l'ESS\"\n}",
    )
    .replace("label \"Territory\"", "label en \"Territory\" fr \"Territoire\"")
    .replace("label \"Organisation\"", "label en \"Organisation\" fr \"Structure\"");
    let dir = TempDir::new(&[("f.grille", &fw), ("org.csv", ORGS), ("terr.csv", TERRS)]);
    let base = EVAL;
    let o = grille(
        dir.path(),
        &[&base[..], &["--format", "json", "--lang", "fr"]].concat(),
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    crate::support::validate_result(&doc);
    assert_eq!(doc["framework"]["publisher"], "Observatoire de l'ESS");
    let o = grille(
        dir.path(),
        &[&base[..], &["--format", "md", "--lang", "fr"]].concat(),
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("**Publié par**: Observatoire de l'ESS"));
    let o = grille(dir.path(), &["doc", "f.grille", "--lang", "en"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("*Social economy observatory*"));
}

/// Rating colours: a step's own `color`, else a colour-blind-safe palette
/// in step order; drawn as a swatch beside the label, never instead of it.
#[test]
fn rating_colours() {
    let fw = r##"framework t {
  title "T"
  languages en
  rate steps
}
level terr { label "Territory" }
level org { within terr  label "Organisation" }
questions at org { x: number }
ratings steps {
  low below 40 color "#D73027" label "Low"
  mid below 70 label "Middle"
  high label "High"
}
indicator i { at org  value x  normalize goalposts 0..10 }
dimension d { use i }
"##;
    let orgs = "org,terr,x\nA,T1,2\nB,T1,5\nC,T1,9\n";
    let dir = TempDir::new(&[("f.grille", fw), ("org.csv", orgs)]);
    let o = grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "org=org.csv",
            "--format",
            "html",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = String::from_utf8_lossy(&o.stdout);
    // The territory compares its organisations: A is low (its own colour,
    // lower-cased), B middle (the palette's middle), C high (its top).
    assert!(
        html.contains("background:#d73027\" aria-hidden=\"true\"></span>20 · Low"),
        "{html}"
    );
    assert!(html.contains("background:#fee090\" aria-hidden=\"true\"></span>50 · Middle"));
    assert!(html.contains("background:#4575b4\" aria-hidden=\"true\"></span>90 · High"));
    // `fmt` keeps the colour.
    let o = grille(dir.path(), &["fmt", "f.grille"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let formatted = std::fs::read_to_string(dir.path().join("f.grille")).unwrap();
    assert!(
        formatted.contains("low below 40 color \"#D73027\" label \"Low\""),
        "{formatted}"
    );
    // A colour that is not #rrggbb is refused.
    let bad = fw.replace("#D73027", "red");
    let dir = TempDir::new(&[("f.grille", &bad)]);
    let o = grille(dir.path(), &["check", "f.grille"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`red` is not a colour") && err.contains("six hexadecimal digits"),
        "{err}"
    );
}

/// `--csv-locale fr`: `;`, decimal commas in numbers only, a byte-order mark.
#[test]
fn csv_for_french_spreadsheets() {
    let fw = FW.replace("indicator i {", "questions at org { note: text }\nindicator t { at org  value note  rollup none }\nindicator i {");
    let orgs = "org,terr,raison_sociale,x,note\nA,T1,Atelier,2.5,v1.2\n";
    let dir = TempDir::new(&[("f.grille", &fw), ("org.csv", orgs), ("terr.csv", TERRS)]);
    let base = [&EVAL[..], &["--format", "csv"]].concat();
    let o = grille(dir.path(), &[&base[..], &["--csv-locale", "fr"]].concat());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("\u{feff}level;unit;name;parent;kind;item;value;score;"),
        "{text}"
    );
    // 2.5 on goalposts 0..10: value 2,5, score 25; the text answer keeps its point.
    assert!(
        text.contains("\norg;A;Atelier;T1;indicator;i;2,5;25;1;1;;;;ok;;"),
        "{text}"
    );
    assert!(text.contains(";t;v1.2;"), "{text}");
    let o = grille(
        dir.path(),
        &[
            "eval",
            "f.grille",
            "--data",
            "org=org.csv",
            "--csv-locale",
            "nl",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "only with --format csv");
}
