//! The shipped frameworks: they check cleanly in every language, are
//! formatted, evaluate the example data, give the numbers a reader can
//! check by hand on a small case, and the adaptation changes exactly what
//! it says.

use crate::support::{close, eval_lib, validate_result};
use grille::check::{Options, check_path};
use grille::source::SourceMap;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const FRAMEWORKS: &[&str] = &[
    "frameworks/vises.grille",
    "frameworks/vises-hauts-de-france.grille",
];

#[test]
fn frameworks_check_without_warnings_in_each_language() {
    for f in FRAMEWORKS {
        let mut sources = SourceMap::new();
        let c = check_path(Path::new(f), &mut sources, &Options::default())
            .unwrap_or_else(|_| panic!("{f} checks"));
        assert!(
            c.warnings.is_empty(),
            "{f}: {:?}",
            c.warnings.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        for lang in &c.framework.languages {
            let mut sources = SourceMap::new();
            let c = check_path(
                Path::new(f),
                &mut sources,
                &Options {
                    lang: Some(lang.clone()),
                },
            )
            .expect("checks");
            assert!(c.warnings.is_empty(), "{f} in {lang}");
        }
        assert_eq!(c.framework.languages, ["fr", "nl", "en"]);
        let text = std::fs::read_to_string(f).expect("readable");
        let mut sources = SourceMap::new();
        let id = sources.add(*f, text.clone());
        let (file, _) = grille::syntax::parse(id, &text).expect("parses");
        assert_eq!(
            grille::fmt::format(&file, &text),
            text,
            "{f} is not in canonical layout"
        );
    }
}

#[test]
fn vises_has_the_shape_vises_describes() {
    let mut sources = SourceMap::new();
    let c =
        check_path(Path::new(FRAMEWORKS[0]), &mut sources, &Options::default()).expect("checks");
    let fw = &c.framework;
    let top: Vec<&str> = fw
        .dimensions
        .iter()
        .filter(|d| d.top)
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(
        top,
        [
            "economique",
            "sociale",
            "politique",
            "environnementale",
            "territoriale"
        ]
    );
    let scored = fw
        .indicators
        .iter()
        .filter(|i| i.nature != Some(grille::ir::Nature::Context))
        .count();
    assert!((30..=45).contains(&scored), "{scored} scored indicators");
    for nature in ["practice", "output", "outcome", "impact"] {
        assert!(
            fw.indicators
                .iter()
                .any(|i| i.nature.map(grille::ir::Nature::name) == Some(nature)),
            "no {nature} indicator"
        );
    }
    assert!(
        fw.indicators
            .iter()
            .any(|i| i.method.as_deref() == Some("survey"))
    );
    assert!(
        fw.indicators
            .iter()
            .any(|i| i.method.as_deref() == Some("records"))
    );
    assert!(
        fw.dimensions
            .iter()
            .filter(|d| !d.evidence.is_empty())
            .count()
            >= 3
    );
    assert!(fw.min_group > 1);
    assert!(!fw.rules.is_empty());
    // Every label is complete in the three languages.
    for i in &fw.indicators {
        for l in ["fr", "nl", "en"] {
            assert!(i.label.0.contains_key(l), "{} has no {l} label", i.id);
        }
    }
}

fn example() -> [(&'static str, String); 2] {
    [
        (
            "entreprise",
            std::fs::read_to_string("examples/vises/entreprises.csv").expect("example data"),
        ),
        (
            "personne",
            std::fs::read_to_string("examples/vises/personnes.csv").expect("example data"),
        ),
    ]
}

#[test]
fn vises_evaluates_the_example_data() {
    let fw = std::fs::read_to_string(FRAMEWORKS[0]).expect("framework");
    let [(a, ta), (b, tb)] = example();
    let doc = eval_lib(&fw, &[(a, &ta), (b, &tb)]);
    validate_result(&doc);
    let levels: Vec<&String> = doc["results"]
        .as_object()
        .expect("results")
        .keys()
        .collect();
    assert_eq!(levels, ["territoire", "entreprise"]);
    assert_eq!(
        doc["results"]["territoire"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        doc["results"]["entreprise"].as_array().map(Vec::len),
        Some(15)
    );
    // Nothing worse than a note about ignored columns.
    for d in doc["diagnostics"].as_array().expect("list") {
        assert_eq!(d["severity"], "note", "{d}");
    }
    // Each enterprise is judged on what fits its group.
    for u in doc["results"]["entreprise"].as_array().expect("units") {
        let group = u["indicators"]["portrait_groupe"]["value"]
            .as_str()
            .expect("group");
        let access = &u["dimensions"]["accessibilite"]["status"];
        assert_eq!(
            access == "not_applicable",
            group != "services",
            "{}",
            u["unit"]
        );
        let exits = &u["indicators"]["soc_sorties_positives"]["status"];
        assert_eq!(
            exits == "not_applicable",
            group != "insertion",
            "{}",
            u["unit"]
        );
    }
    // Territories count the enterprises that reported each indicator.
    let t = &doc["results"]["territoire"][0]["indicators"]["soc_sorties_positives"];
    assert!(t["units"].as_u64() <= t["units_total"].as_u64());
}

/// A case small enough to check by hand.
const ENTERPRISES: &str = "entreprise;territoire;groupe;etp;recettes_ventes;subsides;dons;sorties_positives;sorties_total;heures_formation;salaire_max;salaire_min;ag_membres;ag_presents;membres_ca;femmes_ca;jeunes_ca;ges_tco2
A;T;insertion;10;60000;30000;10000;6;10;200;3000;1500;20;10;8;4;1;20
B;T;services;5;20000;20000;0;;;50;2400;1600;10;8;5;1;0;5
";

fn persons() -> String {
    let mut s = String::from(
        "entreprise,statut,confiance,autonomie,sens,nouvelles_relations,participation,contribution_locale\n",
    );
    // A: six people supported or in integration, two partners.
    for (st, c) in [
        ("insertion", 5),
        ("insertion", 4),
        ("insertion", 2),
        ("accompagne", 4),
        ("accompagne", 3),
        ("insertion", 1),
    ] {
        s += &format!("A,{st},{c},{c},{c},oui,{c},\n");
    }
    s += "A,partenaire,,,,,,4\nA,partenaire,,,,,,5\n";
    // B: five people supported.
    for c in [5, 5, 4, 2, 1] {
        s += &format!("B,accompagne,{c},{c},,non,3,\n");
    }
    s
}

#[test]
fn vises_numbers_checked_by_hand() {
    let fw = std::fs::read_to_string(FRAMEWORKS[0]).expect("framework");
    let p = persons();
    let doc = eval_lib(&fw, &[("entreprise", ENTERPRISES), ("personne", &p)]);
    let a = &doc["results"]["entreprise"][0]["indicators"];
    let b = &doc["results"]["entreprise"][1]["indicators"];
    // Sales 60,000 of 100,000 in resources: 60 %, goalposts 0..80 % → 75.
    close(&a["eco_ventes"]["value"], 0.6);
    close(&a["eco_ventes"]["score"], 75.0);
    // 6 positive exits of 10: 60 %, goalposts 0..70 % → 85.71…
    close(&a["soc_sorties_positives"]["value"], 0.6);
    close(&a["soc_sorties_positives"]["score"], 0.6 / 0.7 * 100.0);
    assert_eq!(b["soc_sorties_positives"]["status"], "not_applicable");
    // Confidence ≥ 4 among the six beneficiaries of A: 5, 4, 4 → 3 of 6.
    close(&a["soc_confiance"]["value"], 0.5);
    close(&a["soc_confiance"]["n"], 6.0);
    // B has five respondents: exactly min_group, so shown; 5, 5, 4 → 3 of 5.
    close(&b["soc_confiance"]["value"], 0.6);
    // 200 training hours over 10 FTE.
    close(&a["soc_formation"]["value"], 20.0);
    // Pay ratio 2, better lower on 1..5 → 75.
    close(&a["soc_ecart_salaires"]["score"], 75.0);
    // Half the board are women: 50 %, the top goalpost → 100.
    close(&a["pol_femmes_ca"]["score"], 100.0);
    // 20 tCO2e over 10 FTE = 2 per FTE, better lower on 0..10 → 80.
    close(&a["env_ges"]["score"], 80.0);
    // Partners' view: mean of 4 and 5; only two partners, below min_group 5 → suppressed.
    assert_eq!(a["ter_contribution"]["status"], "suppressed");
    // Territory: exits pooled through the weights of exits (only A reports them).
    let t = &doc["results"]["territoire"][0]["indicators"];
    close(&t["soc_sorties_positives"]["value"], 0.6);
    close(&t["soc_sorties_positives"]["units"], 1.0);
    close(&t["soc_sorties_positives"]["units_total"], 1.0);
    // Confidence pooled over the 11 beneficiaries: 6 of 11.
    close(&t["soc_confiance"]["value"], 6.0 / 11.0);
    // Employment summed: 15 FTE.
    close(&t["portrait_etp"]["value"], 15.0);
}

fn scores(doc: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (level, units) in doc["results"].as_object().expect("results") {
        for u in units.as_array().expect("units") {
            for kind in ["indicators", "dimensions"] {
                for (item, v) in u[kind].as_object().expect("items") {
                    let mut v = v.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("tags");
                    }
                    out.insert(
                        format!("{level}.{}.{item}", u["unit"].as_str().expect("id")),
                        v.to_string(),
                    );
                }
            }
        }
    }
    out
}

#[test]
fn the_adaptation_changes_exactly_what_it_says() {
    let [(a, ta), (b, tb)] = example();
    let base = scores(&eval_lib(
        &std::fs::read_to_string(FRAMEWORKS[0]).expect("base"),
        &[(a, &ta), (b, &tb)],
    ));
    let hdf_text = std::fs::read_to_string(FRAMEWORKS[1]).expect("adaptation");
    // Read the adaptation from its own folder so `extends` resolves.
    let mut sources = SourceMap::new();
    assert!(
        grille::check::check_text(FRAMEWORKS[1], &hdf_text, &mut sources, &Options::default())
            .is_ok()
    );
    let hdf = scores(&crate::support::eval_lib_path(
        FRAMEWORKS[1],
        &[(a, &ta), (b, &tb)],
    ));
    // What the adaptation touches, directly or through a parent dimension.
    let touched = [
        "eco_achats_locaux",
        "economique",
        "territoriale",
        "ter_circuits_courts",
        "ter_zone_prioritaire",
        "soc_delai",
        "accessibilite",
        "sociale",
    ];
    let item = |k: &str| k.rsplit('.').next().unwrap_or("").to_string();
    let mut changed = std::collections::BTreeSet::new();
    for (k, v) in &base {
        match hdf.get(k) {
            Some(w) if w == v => {}
            _ => {
                changed.insert(item(k));
            }
        }
    }
    for k in hdf.keys().filter(|k| !base.contains_key(*k)) {
        changed.insert(item(k));
    }
    for c in &changed {
        assert!(
            touched.contains(&c.as_str()),
            "`{c}` changed but the adaptation does not touch it"
        );
    }
    for t in [
        "eco_achats_locaux",
        "economique",
        "territoriale",
        "ter_circuits_courts",
        "soc_delai",
    ] {
        assert!(changed.contains(t), "`{t}` should change");
    }
}
