//! `grille diff`: what an adaptation adds, removes and changes.
//!
//! In: two checked frameworks (usually a base and a framework that extends
//! it) and the source map holding their files. Out: a [`Diff`], item by
//! item, rendered as text or JSON (`grille/diff@1`). Each item is first
//! described as a flat list of properties (formula as written, weights of
//! a dimension's children, normalisation, labels per language, …); the
//! diff compares those lists, so every kind of item is compared the same
//! way.

use crate::ir::{Better, ChildRef, Framework, Labels, MapKey, Normalize, QType, RuleSeverity};
use crate::source::SourceMap;
use indexmap::IndexMap;
use serde::Serialize;

/// The differences between two frameworks.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub base: Side,
    pub adapted: Side,
    pub items: Vec<ItemDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub file: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
}

/// One item that differs.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDiff {
    pub change: Change,
    /// `framework`, `level`, `question`, `let`, `indicator`, `dimension`,
    /// `evidence`, `ratings` or `rule`.
    pub kind: &'static str,
    pub id: String,
    /// The item's label in the chosen language, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// For changed items, the properties that differ; for added and removed
    /// items, all of them (`before` or `after` absent).
    pub fields: Vec<FieldDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldDiff {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl Diff {
    pub fn count(&self, c: Change) -> usize {
        self.items.iter().filter(|i| i.change == c).count()
    }
}

type Props = IndexMap<String, String>;

/// An item described for comparison.
struct Described {
    kind: &'static str,
    id: String,
    label: Option<String>,
    props: Props,
}

/// Compares `base` with `adapted`; labels are shown in `lang`.
pub fn diff(
    base: &Framework,
    adapted: &Framework,
    sources: &SourceMap,
    lang: &str,
    files: (&str, &str),
) -> Diff {
    let b = describe(base, sources, lang);
    let a = describe(adapted, sources, lang);
    let mut items = Vec::new();
    let key = |d: &Described| (d.kind, d.id.clone());
    let a_index: IndexMap<(&str, String), &Described> = a.iter().map(|d| (key(d), d)).collect();
    let b_index: IndexMap<(&str, String), &Described> = b.iter().map(|d| (key(d), d)).collect();
    // In the base's order, then what only the adaptation has, in its order.
    for d in &b {
        match a_index.get(&key(d)) {
            None => items.push(ItemDiff {
                change: Change::Removed,
                kind: d.kind,
                id: d.id.clone(),
                label: d.label.clone(),
                fields: d
                    .props
                    .iter()
                    .map(|(k, v)| FieldDiff {
                        field: k.clone(),
                        before: Some(v.clone()),
                        after: None,
                    })
                    .collect(),
            }),
            Some(n) => {
                let fields = compare(&d.props, &n.props);
                if !fields.is_empty() {
                    items.push(ItemDiff {
                        change: Change::Changed,
                        kind: d.kind,
                        id: d.id.clone(),
                        label: n.label.clone().or_else(|| d.label.clone()),
                        fields,
                    });
                }
            }
        }
    }
    let mut added: Vec<ItemDiff> = a
        .iter()
        .filter(|d| !b_index.contains_key(&key(d)))
        .map(|d| ItemDiff {
            change: Change::Added,
            kind: d.kind,
            id: d.id.clone(),
            label: d.label.clone(),
            fields: d
                .props
                .iter()
                .map(|(k, v)| FieldDiff {
                    field: k.clone(),
                    before: None,
                    after: Some(v.clone()),
                })
                .collect(),
        })
        .collect();
    // Keep kinds together: insert each added item after the last of its kind.
    let order = |k: &str| KINDS.iter().position(|x| *x == k).unwrap_or(KINDS.len());
    items.append(&mut added);
    items.sort_by_key(|i| order(i.kind));
    Diff {
        schema: "grille/diff@1",
        base: Side {
            id: base.id.clone(),
            version: base.version.clone(),
            file: files.0.to_string(),
        },
        adapted: Side {
            id: adapted.id.clone(),
            version: adapted.version.clone(),
            file: files.1.to_string(),
        },
        items,
    }
}

const KINDS: [&str; 9] = [
    "framework",
    "level",
    "question",
    "let",
    "indicator",
    "dimension",
    "evidence",
    "ratings",
    "rule",
];

fn compare(before: &Props, after: &Props) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            Some(w) if w == v => {}
            w => out.push(FieldDiff {
                field: k.clone(),
                before: Some(v.clone()),
                after: w.cloned(),
            }),
        }
    }
    for (k, w) in after {
        if !before.contains_key(k) {
            out.push(FieldDiff {
                field: k.clone(),
                before: None,
                after: Some(w.clone()),
            });
        }
    }
    out
}

/// An expression as written, on one line.
fn text(sources: &SourceMap, e: &crate::ir::Expr) -> String {
    sources
        .text(e.span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn labels(p: &mut Props, name: &str, l: &Labels) {
    for (lang, t) in &l.0 {
        let k = if lang.is_empty() {
            name.to_string()
        } else {
            format!("{name} {lang}")
        };
        p.insert(k, t.clone());
    }
}

fn num(x: f64) -> String {
    crate::text::number((x * 1e9).round() / 1e9)
}

/// A number, as a percentage when the indicator's unit is `%`.
fn in_unit(x: f64, pct: bool) -> String {
    if pct {
        format!("{}%", num(x * 100.0))
    } else {
        num(x)
    }
}

fn normalize(sources: &SourceMap, n: &Normalize, pct: bool) -> String {
    match n {
        Normalize::Goalposts { lo, hi } => {
            format!("goalposts {}..{}", in_unit(*lo, pct), in_unit(*hi, pct))
        }
        Normalize::Target(t) => format!("target {}", text(sources, t)),
        Normalize::MinMax => "minmax".into(),
        Normalize::Rank => "rank".into(),
        Normalize::Bool => "yes 100 / no 0".into(),
        Normalize::Map(m) => {
            let entries: Vec<String> = m
                .iter()
                .map(|(k, p)| {
                    let k = match k {
                        MapKey::Num(x) => num(*x),
                        MapKey::Text(t) => crate::text::quote(t),
                    };
                    format!("{k}: {}", num(*p))
                })
                .collect();
            format!("map {{ {} }}", entries.join(", "))
        }
    }
}

fn qtype(t: &QType) -> String {
    match t {
        QType::Percent { of_100: true } => "percent of 100".into(),
        QType::Scale { lo, hi, points } if points.is_empty() => {
            format!("scale {}..{}", num(*lo), num(*hi))
        }
        QType::Scale { lo, hi, points } => format!(
            "scale {}..{} {{ {} }}",
            num(*lo),
            num(*hi),
            points
                .iter()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        QType::Choice(o) | QType::Multi(o) => format!(
            "{} {{ {} }}",
            t.name(),
            o.iter()
                .map(|o| o.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.name().into(),
    }
}

fn describe(fw: &Framework, sources: &SourceMap, lang: &str) -> Vec<Described> {
    let dl = fw.default_lang();
    let label = |l: &Labels| l.get(lang, dl).map(str::to_string);
    let mut out = Vec::new();
    let mut p = Props::new();
    labels(&mut p, "title", &fw.title);
    if let Some(v) = &fw.version {
        p.insert("version".into(), v.clone());
    }
    p.insert("languages".into(), fw.languages.join(", "));
    p.insert("min_group".into(), fw.min_group.to_string());
    for (k, v) in [
        ("missing", &fw.missing),
        ("dont_know", &fw.dont_know),
        ("refused", &fw.refused),
    ] {
        p.insert(
            k.into(),
            v.iter()
                .map(|s| crate::text::quote(s))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    // The two frameworks usually have different ids: compare them as one item.
    out.push(Described {
        kind: "framework",
        id: String::new(),
        label: None,
        props: p,
    });
    for l in &fw.levels {
        let mut p = Props::new();
        p.insert("key".into(), l.key.clone());
        if let Some(par) = l.parent {
            p.insert("within".into(), fw.levels[par].id.clone());
        }
        labels(&mut p, "label", &l.label);
        out.push(Described {
            kind: "level",
            id: l.id.clone(),
            label: label(&l.label),
            props: p,
        });
    }
    for q in &fw.questions {
        let mut p = Props::new();
        p.insert("at".into(), fw.levels[q.level].id.clone());
        p.insert("type".into(), qtype(&q.ty));
        if q.column != q.id {
            p.insert("column".into(), q.column.clone());
        }
        if let Some(u) = &q.unit {
            p.insert("unit".into(), u.clone());
        }
        if let Some((lo, hi)) = q.range {
            p.insert("range".into(), format!("{}..{}", num(lo), num(hi)));
        }
        if q.integer {
            p.insert("integer".into(), "yes".into());
        }
        if q.required {
            p.insert("required".into(), "yes".into());
        }
        labels(&mut p, "label", &q.label);
        for o in q.ty.options() {
            labels(&mut p, &format!("option {}", o.code), &o.label);
        }
        out.push(Described {
            kind: "question",
            id: q.id.clone(),
            label: label(&q.label),
            props: p,
        });
    }
    for l in &fw.lets {
        let mut p = Props::new();
        p.insert("value".into(), text(sources, &l.expr));
        out.push(Described {
            kind: "let",
            id: l.id.clone(),
            label: None,
            props: p,
        });
    }
    for ind in &fw.indicators {
        let pct = ind.unit.as_deref() == Some("%");
        let mut p = Props::new();
        p.insert("at".into(), fw.levels[ind.at].id.clone());
        p.insert("value".into(), text(sources, &ind.value));
        if let Some(u) = &ind.unit {
            p.insert("unit".into(), u.clone());
        }
        if ind.better == Better::Lower {
            p.insert("better".into(), "lower".into());
        }
        if let Some(n) = &ind.normalize {
            p.insert("normalize".into(), normalize(sources, n, pct));
        }
        let rollup = match &ind.rollup {
            crate::ir::Rollup::MeanWeighted(w) => format!("mean weight {}", text(sources, w)),
            r => r.name().to_string(),
        };
        p.insert("rollup".into(), rollup);
        if let Some(w) = &ind.when {
            p.insert("when".into(), text(sources, w));
        }
        if let Some(n) = ind.min_n {
            p.insert("min_n".into(), n.to_string());
        }
        if let Some(r) = ind.rate {
            p.insert("rate".into(), fw.ratings[r].id.clone());
        }
        let nature = ind.nature.map(|n| n.name().to_string());
        for (k, v) in [
            ("nature", &nature),
            ("method", &ind.method),
            ("source", &ind.source),
        ] {
            if let Some(v) = v {
                p.insert(k.into(), v.clone());
            }
        }
        if !ind.tags.is_empty() {
            p.insert("tags".into(), ind.tags.join(", "));
        }
        if !ind.by.is_empty() {
            let by: Vec<&str> = ind.by.iter().map(|b| b.id.as_str()).collect();
            p.insert("by".into(), by.join(", "));
        }
        if ind.locked {
            p.insert("locked".into(), "yes".into());
        }
        labels(&mut p, "label", &ind.label);
        labels(&mut p, "description", &ind.description);
        out.push(Described {
            kind: "indicator",
            id: ind.id.clone(),
            label: label(&ind.label),
            props: p,
        });
    }
    for dim in &fw.dimensions {
        let mut p = Props::new();
        p.insert("aggregate".into(), dim.aggregate.name().into());
        p.insert("require".into(), format!("{}%", num(dim.require * 100.0)));
        if let Some(w) = &dim.when {
            p.insert("when".into(), text(sources, w));
        }
        if let Some(r) = dim.rate {
            p.insert("rate".into(), fw.ratings[r].id.clone());
        }
        for c in &dim.children {
            let name = match c.item {
                ChildRef::Indicator(i) => &fw.indicators[i].id,
                ChildRef::Dimension(d) => &fw.dimensions[d].id,
            };
            p.insert(format!("weight of {name}"), num(c.weight));
        }
        for g in &dim.gates {
            p.insert(format!("gate {}", g.text), "yes".into());
        }
        for e in &dim.evidence {
            p.insert(format!("evidence {}", fw.evidence[*e].id), "yes".into());
        }
        if dim.locked {
            p.insert("locked".into(), "yes".into());
        }
        labels(&mut p, "label", &dim.label);
        labels(&mut p, "description", &dim.description);
        out.push(Described {
            kind: "dimension",
            id: dim.id.clone(),
            label: label(&dim.label),
            props: p,
        });
    }
    for e in &fw.evidence {
        let mut p = Props::new();
        p.insert("at".into(), fw.levels[e.at].id.clone());
        p.insert("collect".into(), text(sources, &e.collect));
        if let Some(f) = &e.filter {
            p.insert("where".into(), text(sources, f));
        }
        if let Some(k) = e.keep {
            p.insert("keep".into(), k.to_string());
        }
        labels(&mut p, "label", &e.label);
        out.push(Described {
            kind: "evidence",
            id: e.id.clone(),
            label: label(&e.label),
            props: p,
        });
    }
    for r in &fw.ratings {
        let mut p = Props::new();
        for s in &r.steps {
            let bound = s.below.map(|b| format!("below {}", num(b)));
            p.insert(
                format!("step {}", s.id),
                bound.unwrap_or_else(|| "the rest".into()),
            );
            labels(&mut p, &format!("step {} label", s.id), &s.label);
        }
        out.push(Described {
            kind: "ratings",
            id: r.id.clone(),
            label: None,
            props: p,
        });
    }
    for r in &fw.rules {
        let mut p = Props::new();
        p.insert("at".into(), fw.levels[r.at].id.clone());
        p.insert("check".into(), text(sources, &r.check));
        p.insert(
            "severity".into(),
            match r.severity {
                RuleSeverity::Error => "error",
                RuleSeverity::Warning => "warning",
            }
            .into(),
        );
        labels(&mut p, "message", &r.message);
        out.push(Described {
            kind: "rule",
            id: r.id.clone(),
            label: None,
            props: p,
        });
    }
    out
}

/// The diff as text for people: one block per item, `+` added, `-`
/// removed, `~` changed, then a count.
pub fn human(d: &Diff, lang: &str) -> String {
    let w = diff_words(lang);
    let mut s = format!("{} → {}\n", side(&d.base), side(&d.adapted));
    if d.items.is_empty() {
        s.push_str(&format!("\n{}\n", w.none));
        return s;
    }
    for it in &d.items {
        let mark = match it.change {
            Change::Added => format!("+ {}", w.added_head),
            Change::Removed => format!("- {}", w.removed_head),
            Change::Changed => format!("~ {}", w.changed_head),
        };
        let kind = kind_word(it.kind, lang);
        let mut head = format!("\n{mark}{}{kind}", w.sep);
        if !it.id.is_empty() {
            head.push_str(&format!(" {}", it.id));
        }
        if let Some(l) = &it.label {
            head.push_str(&format!(" « {l} »"));
        }
        s.push_str(&head);
        s.push('\n');
        let width = it
            .fields
            .iter()
            .map(|f| f.field.chars().count())
            .max()
            .unwrap_or(0);
        for f in &it.fields {
            // A removed item is named by its label already; its translations add nothing.
            if it.change == Change::Removed && is_text(&f.field) {
                continue;
            }
            let pad = width - f.field.chars().count();
            let v = match (&f.before, &f.after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (Some(b), None) if it.change == Change::Removed => b.clone(),
                (Some(b), None) => format!("{} ({} {b})", w.removed, w.was),
                (None, Some(a)) if it.change == Change::Added => a.clone(),
                (None, Some(a)) => {
                    format!("{}{}{a}", w.added, if lang == "fr" { " : " } else { ": " })
                }
                (None, None) => String::new(),
            };
            s.push_str(&format!("    {}{}  {v}\n", f.field, " ".repeat(pad)));
        }
    }
    s.push_str(&format!(
        "\n{} {}, {} {}, {} {}\n",
        d.count(Change::Added),
        w.added_n,
        d.count(Change::Removed),
        w.removed_n,
        d.count(Change::Changed),
        w.changed_n
    ));
    s
}

/// The words of a diff for people, in `lang`.
struct DiffWords {
    none: &'static str,
    /// What heads an item: "added indicator", "ajout : indicateur" (a
    /// noun, so that nothing has to agree with the kind).
    added_head: &'static str,
    removed_head: &'static str,
    changed_head: &'static str,
    sep: &'static str,
    added: &'static str,
    removed: &'static str,
    was: &'static str,
    /// After a count (French agrees nothing: "3 ajoutés" reads as a tally).
    added_n: &'static str,
    removed_n: &'static str,
    changed_n: &'static str,
}

fn diff_words(lang: &str) -> DiffWords {
    match lang {
        "fr" => DiffWords {
            none: "aucune différence",
            added_head: "ajout",
            removed_head: "retrait",
            changed_head: "modification",
            sep: " : ",
            added: "ajouté",
            removed: "retiré",
            was: "avant :",
            added_n: "ajout(s)",
            removed_n: "retrait(s)",
            changed_n: "modification(s)",
        },
        "nl" => DiffWords {
            none: "geen verschillen",
            added_head: "toegevoegd",
            removed_head: "verwijderd",
            changed_head: "gewijzigd",
            sep: ": ",
            added: "toegevoegd",
            removed: "verwijderd",
            was: "was",
            added_n: "toegevoegd",
            removed_n: "verwijderd",
            changed_n: "gewijzigd",
        },
        _ => DiffWords {
            none: "no differences",
            added_head: "added",
            removed_head: "removed",
            changed_head: "changed",
            sep: " ",
            added: "added",
            removed: "removed",
            was: "was",
            added_n: "added",
            removed_n: "removed",
            changed_n: "changed",
        },
    }
}

/// What kind of item it is, in `lang` (the JSON keeps the keyword).
fn kind_word<'a>(kind: &'a str, lang: &str) -> &'a str {
    const KINDS: &[(&str, &str, &str)] = &[
        ("framework", "référentiel", "kader"),
        ("level", "niveau", "niveau"),
        ("question", "question", "vraag"),
        ("let", "variable", "variabele"),
        ("indicator", "indicateur", "indicator"),
        ("dimension", "dimension", "dimensie"),
        ("evidence", "élément qualitatif", "kwalitatief element"),
        ("ratings", "échelle d'appréciation", "beoordelingsschaal"),
        ("rule", "règle", "regel"),
    ];
    match (lang, KINDS.iter().find(|k| k.0 == kind)) {
        ("fr", Some(k)) => k.1,
        ("nl", Some(k)) => k.2,
        _ => kind,
    }
}

fn is_text(field: &str) -> bool {
    ["label", "description", "option ", "message", "title"]
        .iter()
        .any(|p| field.starts_with(p))
}

fn side(s: &Side) -> String {
    match &s.version {
        Some(v) => format!("{} {v} ({})", s.id, s.file),
        None => format!("{} ({})", s.id, s.file),
    }
}

/// The diff as JSON (`grille/diff@1`).
pub fn json(d: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(d).expect("a diff serialises");
    s.push('\n');
    s
}
