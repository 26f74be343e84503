//! Every example of the language reference (completed into whole files in
//! `tests/fixtures/spec`) and every valid conformance framework checks
//! without errors.

use grille::check::{Options, check_path};
use grille::source::SourceMap;
use std::path::Path;

pub const VALID: &[&str] = &[
    "tests/fixtures/spec/vises.grille",
    "tests/fixtures/spec/vises-hdf.grille",
    "tests/fixtures/conformance/c01_enterprise_survey/framework.grille",
    "tests/fixtures/conformance/c02_scores/framework.grille",
    "tests/fixtures/conformance/c03_adaptation/base.grille",
    "tests/fixtures/conformance/c03_adaptation/local.grille",
    "tests/fixtures/conformance/c04_kobo_export/framework.grille",
];

#[test]
fn spec_examples_check() {
    for f in VALID {
        let mut sources = SourceMap::new();
        if let Err(e) = check_path(Path::new(f), &mut sources, &Options::default()) {
            let text = match e {
                grille::check::Failure::Invalid(d) => d
                    .iter()
                    .map(|d| d.render(&sources, 100, false))
                    .collect::<String>(),
                grille::check::Failure::Io { path, error } => format!("{path}: {error}"),
            };
            panic!("{f} does not check:\n{text}");
        }
    }
}

#[test]
fn the_spec_example_resolves_as_described() {
    let mut sources = SourceMap::new();
    let c = check_path(
        Path::new("tests/fixtures/spec/vises.grille"),
        &mut sources,
        &Options::default(),
    )
    .expect("checks");
    let fw = &c.framework;
    assert_eq!(fw.languages, ["fr", "en"]);
    assert_eq!(fw.min_group, 5);
    assert_eq!(fw.dont_know, ["nsp", "ne sait pas"]);
    assert_eq!(
        fw.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["territory", "enterprise", "person"]
    );
    assert_eq!(fw.levels.raw[1].key, "siret");
    let i = &fw.indicators[fw.indicator_by_name("confiance_soi").expect("declared")];
    assert_eq!(i.tags, ["sdg:8.5", "iris:PI2822"]);
    assert!(matches!(i.rollup, grille::ir::Rollup::Pooled));
    assert_eq!(
        i.levels.iter().map(|l| l.index()).collect::<Vec<_>>(),
        [1, 0]
    );
    let d = &fw.dimensions[fw.dimension_by_name("personnes").expect("declared")];
    assert_eq!(d.require, 0.6);
    assert_eq!(
        d.children.len(),
        4,
        "two uses, an inline indicator and an inline dimension"
    );
    assert_eq!(d.children[0].weight, 2.0);
    assert_eq!(d.gates[0].text, "score(confiance_soi) >= 50");
    assert!(!d.top);
    assert!(fw.dimensions[fw.dimension_by_name("global").expect("declared")].top);
    // The adaptation: weights, drops, removals and additions.
    let mut sources = SourceMap::new();
    let a = check_path(
        Path::new("tests/fixtures/spec/vises-hdf.grille"),
        &mut sources,
        &Options::default(),
    )
    .expect("checks");
    let fw = &a.framework;
    assert_eq!(fw.id, "vises_hdf");
    assert_eq!(fw.extends, ["vises"]);
    assert!(fw.indicator_by_name("benevolat_competences").is_none());
    let anc = &fw.dimensions[fw.dimension_by_name("ancrage_territorial").expect("kept")];
    let names: Vec<(&str, f64)> = anc
        .children
        .iter()
        .map(|c| match c.item {
            grille::ir::ChildRef::Indicator(i) => (fw.indicators[i].id.as_str(), c.weight),
            grille::ir::ChildRef::Dimension(d) => (fw.dimensions[d].id.as_str(), c.weight),
        })
        .collect();
    assert_eq!(names, [("achats_locaux", 3.0), ("circuits_courts_i", 1.0)]);
    let al = &fw.indicators[fw.indicator_by_name("achats_locaux").expect("kept")];
    assert!(matches!(
        al.normalize,
        Some(grille::ir::Normalize::Target(_))
    ));
}
