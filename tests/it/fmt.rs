//! `fmt`: idempotent, meaning-preserving, comment-keeping; the parser and
//! checker never panic on edited fixtures.

use crate::spec_examples::VALID;
use grille::check::{Options, check_text};
use grille::source::SourceMap;
use proptest::prelude::*;

fn format(text: &str) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add("x.grille", text.to_string());
    let (file, _) = grille::syntax::parse(id, text).expect("parses");
    grille::fmt::format(&file, text)
}

/// A summary of what a framework means, independent of layout and spans.
fn meaning(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    match check_text(name, text, &mut sources, &Options::default()) {
        Ok(c) => {
            let fw = &c.framework;
            let mut s = format!(
                "{} {:?} {:?} {:?}\n",
                fw.id, fw.languages, fw.missing, fw.min_group
            );
            for l in &fw.levels {
                s += &format!("level {} {} {:?} {:?}\n", l.id, l.key, l.parent, l.label);
            }
            for q in &fw.questions {
                s += &format!(
                    "q {} {:?} {} {:?} {:?}\n",
                    q.id, q.ty, q.level, q.range, q.label
                );
            }
            for i in &fw.indicators {
                s += &format!(
                    "i {} {} {:?} {:?} {:?} {:?} {:?} {:?}\n",
                    i.id,
                    i.at,
                    i.value.ty,
                    i.rollup.name(),
                    i.normalize.as_ref().map(|n| format!("{n:?}")
                        .split("span")
                        .next()
                        .unwrap_or("")
                        .to_string()),
                    i.label,
                    i.tags,
                    i.doc
                );
            }
            for d in &fw.dimensions {
                let kids: Vec<String> = d
                    .children
                    .iter()
                    .map(|c| format!("{:?}:{}", c.item, c.weight))
                    .collect();
                s += &format!(
                    "d {} {:?} {} {:?} {:?}\n",
                    d.id,
                    d.aggregate,
                    d.require,
                    kids,
                    d.gates.iter().map(|g| &g.text).collect::<Vec<_>>()
                );
            }
            s
        }
        Err(_) => "invalid".into(),
    }
}

fn fixtures() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = VALID
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(f).expect("fixture")))
        .collect();
    for e in std::fs::read_dir("tests/fixtures/diagnostics").expect("fixtures") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "grille") {
            v.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).expect("fixture"),
            ));
        }
    }
    v
}

#[test]
fn fmt_is_idempotent_and_keeps_meaning() {
    for (name, text) in fixtures() {
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), text.clone());
        if grille::syntax::parse(id, &text).is_err() {
            continue;
        }
        let once = format(&text);
        let twice = format(&once);
        assert_eq!(once, twice, "fmt is not idempotent on {name}");
        // Same folder, so `extends` still resolves.
        assert_eq!(
            meaning(&name, &text),
            meaning(&name, &once),
            "fmt changed the meaning of {name}"
        );
        let comments = |t: &str| {
            grille::syntax::comments::scan(t)
                .into_iter()
                .map(|c| c.text.trim().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            comments(&text),
            comments(&once),
            "fmt lost or reordered comments in {name}"
        );
    }
}

#[test]
fn fmt_layout() {
    let src = "framework x { title \"X\" languages en }\nlevel org{label \"Org\"}\n// about q\nquestions at org { a: number unit \"h\" // hours\n b: choice { p \"P\", q \"Q\" } }\n/// Doc of i.\nindicator i { at org value a*2+(1) unit \"h\" normalize goalposts 0..10 }\ndimension d { use i weight 2 indicator j { at org value a normalize minmax weight 3 } gate score(i) >= 50 }\n";
    insta::assert_snapshot!(format(src));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Random byte edits never make the parser, checker or formatter panic.
    #[test]
    fn edits_never_panic(file in 0usize..7, pos in any::<prop::sample::Index>(), bytes in prop::collection::vec(any::<u8>(), 0..6), cut in 0usize..8) {
        let text = std::fs::read_to_string(VALID[file]).expect("fixture");
        let mut b = text.into_bytes();
        let at = pos.index(b.len() + 1);
        let end = (at + cut).min(b.len());
        b.splice(at..end, bytes);
        let edited = String::from_utf8_lossy(&b).to_string();
        let mut sources = SourceMap::new();
        let _ = check_text(VALID[file], &edited, &mut sources, &Options::default());
        let id = sources.add("edited", edited.clone());
        if let Ok((f, _)) = grille::syntax::parse(id, &edited) {
            let out = grille::fmt::format(&f, &edited);
            // What fmt prints parses again.
            let id2 = sources.add("formatted", out.clone());
            prop_assert!(grille::syntax::parse(id2, &out).is_ok(), "fmt output does not parse:\n{}", out);
        }
    }
}
