//! A comparison as a report for people, in Markdown or HTML.
//!
//! In: a [`Compare`] and a language. Out: the report's blocks, rendered
//! by `report::page` like the eval reports: per level and unit, each
//! dimension's score in every round (a slope chart and its table), then
//! for each pair of rounds every item before → after with its change,
//! the interval of the change and the direction in words; a unit with
//! finer units lists how each of them moved.

use super::{Change, Compare, Direction, Kind, Round, UnitChange};
use crate::report::page::{self, Block, Cell, Text};
use crate::report::{format_number, format_score};
use serde_json::Value;

struct Words {
    title: &'static str,
    rounds: &'static str,
    item: &'static str,
    before: &'static str,
    after: &'static str,
    change: &'static str,
    direction: &'static str,
    scores: &'static str,
    movements: &'static str,
    unit: &'static str,
    points: &'static str,
    added: &'static str,
    dropped: &'static str,
    changed: &'static str,
}

const FR: Words = Words {
    title: "Comparaison des tours",
    rounds: "Tours comparés",
    item: "Élément",
    before: "Avant",
    after: "Après",
    change: "Évolution [intervalle à 95 %]",
    direction: "Sens",
    scores: "Notes des dimensions par tour",
    movements: "Évolution des unités",
    unit: "Unité",
    points: "pts",
    added: "nouvelles unités",
    dropped: "unités absentes",
    changed: "définition modifiée entre les tours",
};

const NL: Words = Words {
    title: "Vergelijking van de rondes",
    rounds: "Vergeleken rondes",
    item: "Onderdeel",
    before: "Voor",
    after: "Na",
    change: "Verandering [95 %-interval]",
    direction: "Richting",
    scores: "Scores van de dimensies per ronde",
    movements: "Verandering van de eenheden",
    unit: "Eenheid",
    points: "ptn",
    added: "nieuwe eenheden",
    dropped: "ontbrekende eenheden",
    changed: "definitie gewijzigd tussen de rondes",
};

const EN: Words = Words {
    title: "Comparison of rounds",
    rounds: "Rounds compared",
    item: "Item",
    before: "Before",
    after: "After",
    change: "Change [95 % interval]",
    direction: "Direction",
    scores: "Dimension scores by round",
    movements: "How the units moved",
    unit: "Unit",
    points: "pts",
    added: "new units",
    dropped: "units no longer there",
    changed: "definition changed between rounds",
};

fn words(lang: &str) -> &'static Words {
    match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    }
}

/// A direction in words.
pub fn direction(d: Direction, lang: &str) -> &'static str {
    use Direction::*;
    match (lang, d) {
        ("fr", Improved) => "en progrès",
        ("fr", Declined) => "en recul",
        ("fr", NoClearChange) => "pas d'évolution nette",
        ("fr", Unchanged) => "inchangé",
        ("fr", Missing) => "pas comparable : valeur manquante ou masquée",
        ("fr", NotComparable) => "pas comparable : définition modifiée",
        ("nl", Improved) => "vooruitgang",
        ("nl", Declined) => "achteruitgang",
        ("nl", NoClearChange) => "geen duidelijke verandering",
        ("nl", Unchanged) => "ongewijzigd",
        ("nl", Missing) => "niet vergelijkbaar: waarde ontbreekt of is verborgen",
        ("nl", NotComparable) => "niet vergelijkbaar: definitie gewijzigd",
        (_, Improved) => "improved",
        (_, Declined) => "declined",
        (_, NoClearChange) => "no clear change",
        (_, Unchanged) => "unchanged",
        (_, Missing) => "not comparable: a value is missing or hidden",
        (_, NotComparable) => "not comparable: definition changed",
    }
}

/// The Markdown report.
pub fn markdown(cmp: &Compare, lang: &str) -> String {
    page::markdown(&blocks(cmp, lang))
}

/// The HTML report: one self-contained page.
pub fn html(cmp: &Compare, lang: &str) -> String {
    page::html(words(lang).title, lang, &blocks(cmp, lang))
}

/// A signed number in the language's conventions (`+8`, `−0,5`).
fn signed(x: f64, lang: &str) -> String {
    let t = format_number(x.abs(), None, lang);
    if x > 0.0 {
        format!("+{t}")
    } else if x < 0.0 {
        format!("−{t}")
    } else {
        t
    }
}

/// A change formatted by the value's unit: shares in points.
fn change_text(c: &Change, unit: Option<&str>, lang: &str) -> String {
    let t = words(lang);
    let (scale, suffix) = match unit {
        Some("%") => (100.0, format!(" {}", t.points)),
        Some(u) => (1.0, format!(" {u}")),
        None => (1.0, String::new()),
    };
    let Some(d) = c.delta.or(c.score_delta) else {
        return String::new();
    };
    let suffix = if c.delta.is_none() {
        format!(" {}", t.points)
    } else {
        suffix
    };
    let mut s = format!("{}{suffix}", signed(d * scale, lang));
    if let Some((lo, hi)) = c.ci {
        s += &format!(
            " [{} ; {}]",
            signed(lo * scale, lang),
            signed(hi * scale, lang)
        );
    }
    s
}

/// One side's value for people.
fn side_text(x: &Value, unit: Option<&str>, kind: Kind, lang: &str) -> String {
    let shown = |v: &Value| match v {
        Value::Number(n) => n.as_f64().map(|f| format_number(f, unit, lang)),
        Value::Bool(b) => Some(crate::report::yes_no(*b, lang).to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    };
    let v = match kind {
        Kind::Indicator => x.get("value").and_then(shown),
        Kind::Dimension => x
            .get("score")
            .and_then(Value::as_f64)
            .map(|s| format_score(s, lang)),
    };
    match (v, x["status"].as_str()) {
        (Some(v), _) => v,
        (None, Some(st)) => format!("— ({st})"),
        (None, None) => "—".into(),
    }
}

fn blocks(cmp: &Compare, lang: &str) -> Vec<Block<'static>> {
    let t = words(lang);
    let last = cmp.rounds.last().expect("two rounds or more");
    let mut out = vec![Block::Heading(1, t.title.into(), "compare".into())];
    let facts = cmp
        .rounds
        .iter()
        .map(|r| {
            let fw = &r.doc["framework"];
            let what = format!(
                "{} {} — {}",
                fw["id"].as_str().unwrap_or(""),
                fw["version"].as_str().unwrap_or(""),
                r.file
            );
            (r.label.clone().into(), what.into())
        })
        .collect();
    out.push(Block::Heading(2, t.rounds.into(), "rounds".into()));
    out.push(Block::Facts(facts));
    let Some(first) = cmp.comparisons.first() else {
        return out;
    };
    for level in first.results.keys() {
        for c in &cmp.comparisons {
            let mut notes = Vec::new();
            if let Some(a) = c.units_added.get(level) {
                notes.push(format!("{} : {}", t.added, a.join(", ")));
            }
            if let Some(d) = c.units_dropped.get(level) {
                notes.push(format!("{} : {}", t.dropped, d.join(", ")));
            }
            if !notes.is_empty() {
                let pair = format!(
                    "{} → {}",
                    cmp.rounds[c.before].label, cmp.rounds[c.after].label
                );
                out.push(Block::Para(
                    format!("{level}, {pair} — {}", notes.join(" ; ")).into(),
                ));
            }
        }
        let units: Vec<&UnitChange> = first.results[level].iter().collect();
        for u in units {
            unit_blocks(cmp, level, &u.unit, last, lang, &mut out);
        }
    }
    out
}

/// One unit's section: dimension scores across rounds, each pair's
/// changes, and how its finer units moved.
fn unit_blocks(
    cmp: &Compare,
    level: &str,
    unit: &str,
    last: &Round,
    lang: &str,
    out: &mut Vec<Block<'static>>,
) {
    let t = words(lang);
    out.push(Block::Section(format!("{level}-{unit}").into()));
    let name = cmp.comparisons[0].results[level]
        .iter()
        .find(|u| u.unit == unit)
        .and_then(|u| u.name.as_deref());
    let head = match name {
        Some(n) => format!("{level} {unit} — {n}"),
        None => format!("{level} {unit}"),
    };
    out.push(Block::Heading(
        2,
        head.into(),
        page::slug(&format!("{level}-{unit}")).into(),
    ));
    // Scores of each dimension in every round.
    let dims: Vec<String> = cmp.comparisons[0].results[level]
        .iter()
        .find(|u| u.unit == unit)
        .map(|u| u.dimensions.keys().cloned().collect())
        .unwrap_or_default();
    let rounds: Vec<Text<'static>> = (cmp.rounds.iter())
        .map(|r| r.label.clone().into())
        .collect();
    let lines: Vec<(Text<'static>, Vec<f64>, Vec<Text<'static>>)> = dims
        .iter()
        .map(|d| {
            let scores: Vec<f64> = cmp
                .rounds
                .iter()
                .map(|r| score_in(r, level, unit, d))
                .collect();
            let shown = scores
                .iter()
                .map(|s| {
                    if s.is_nan() {
                        "—".into()
                    } else {
                        format_score(*s, lang).into()
                    }
                })
                .collect();
            (
                last.label(Kind::Dimension, d).to_string().into(),
                scores,
                shown,
            )
        })
        .collect();
    if !lines.is_empty() {
        out.push(Block::Slopes {
            title: format!("{} — {unit}", t.scores).into(),
            rounds,
            lines,
        });
    }
    for c in &cmp.comparisons {
        pair_blocks(cmp, c, level, unit, lang, out);
    }
    out.push(Block::EndSection);
}

/// One pair of rounds at a unit: every item before → after, then how the
/// unit's finer units moved.
fn pair_blocks(
    cmp: &Compare,
    c: &super::Comparison,
    level: &str,
    unit: &str,
    lang: &str,
    out: &mut Vec<Block<'static>>,
) {
    let t = words(lang);
    let Some(u) = c
        .results
        .get(level)
        .and_then(|us| us.iter().find(|u| u.unit == unit))
    else {
        return;
    };
    let (rb, ra) = (&cmp.rounds[c.before], &cmp.rounds[c.after]);
    out.push(Block::Heading(
        3,
        format!("{} → {}", rb.label, ra.label).into(),
        page::slug(&format!("{level}-{unit}-{}-{}", rb.label, ra.label)).into(),
    ));
    let mut rows = Vec::new();
    let items = u
        .dimensions
        .iter()
        .map(|x| (Kind::Dimension, x))
        .chain(u.indicators.iter().map(|x| (Kind::Indicator, x)));
    for (kind, (id, ch)) in items {
        let unit_of = match kind {
            Kind::Indicator => ra.unit_of(id),
            Kind::Dimension => None,
        };
        let mut dir = direction(ch.direction, lang).to_string();
        if ch.definition_changed && ch.direction != Direction::NotComparable {
            dir = format!("{dir} ({})", t.changed);
        }
        let label = ra.label(kind, id).to_string();
        rows.push(vec![
            if kind == Kind::Dimension {
                Cell::strong(label)
            } else {
                Cell::plain(label)
            },
            Cell::plain(side_text(&ch.before, unit_of, kind, lang)),
            Cell::plain(side_text(&ch.after, unit_of, kind, lang)),
            Cell::plain(change_text(ch, unit_of, lang)),
            Cell::plain(dir),
        ]);
    }
    out.push(Block::Table {
        head: vec![
            t.item.into(),
            t.before.into(),
            t.after.into(),
            t.change.into(),
            t.direction.into(),
        ],
        right: vec![false, true, true, true, false],
        cells: rows.into_iter().flatten().collect(),
    });
    movements(c, level, unit, lang, out);
}

/// For a unit with finer units: how many items of each went up or down.
fn movements(
    c: &super::Comparison,
    level: &str,
    unit: &str,
    lang: &str,
    out: &mut Vec<Block<'static>>,
) {
    let t = words(lang);
    let mut rows = Vec::new();
    for (finer, units) in c
        .results
        .iter()
        .skip_while(|(l, _)| *l != level)
        .skip(1)
        .take(1)
    {
        for u in units.iter().filter(|u| u.parent.as_deref() == Some(unit)) {
            let mut counts = [0u32; 6];
            for ch in u.indicators.values().chain(u.dimensions.values()) {
                counts[ch.direction as usize] += 1;
            }
            rows.push(vec![
                Cell::plain(format!("{finer} {}", u.unit)),
                Cell::plain(counts[Direction::Improved as usize].to_string()),
                Cell::plain(counts[Direction::Declined as usize].to_string()),
                Cell::plain(
                    (counts[Direction::NoClearChange as usize]
                        + counts[Direction::Unchanged as usize])
                        .to_string(),
                ),
            ]);
        }
    }
    if !rows.is_empty() {
        out.push(Block::Para(t.movements.into()));
        out.push(Block::Table {
            head: vec![
                t.unit.into(),
                direction(Direction::Improved, lang).into(),
                direction(Direction::Declined, lang).into(),
                direction(Direction::NoClearChange, lang).into(),
            ],
            right: vec![false, true, true, true],
            cells: rows.into_iter().flatten().collect(),
        });
    }
}

/// A dimension's score at a unit in one round (NaN without one).
fn score_in(r: &Round, level: &str, unit: &str, d: &str) -> f64 {
    r.doc["results"][level]
        .as_array()
        .and_then(|us| us.iter().find(|u| u["unit"] == unit))
        .and_then(|u| u["dimensions"][d]["score"].as_f64())
        .unwrap_or(f64::NAN)
}
