//! `grille doc`: the framework as a reference document (a *référentiel*).
//!
//! In: a checked framework and a language. Out: Markdown (or HTML made from
//! it) listing the levels, each dimension with its children, weights and
//! conditions, each indicator with its label, formula in words, unit,
//! normalisation, nature and source, the context indicators, the questions
//! and the ratings. Doc comments are shown as written.

use super::words;
use crate::ir::{ChildRef, DimensionId, Framework};

struct T {
    levels: &'static str,
    dimensions: &'static str,
    portrait: &'static str,
    questions: &'static str,
    ratings: &'static str,
    item: &'static str,
    weight: &'static str,
    nature: &'static str,
    formula: &'static str,
    unit: &'static str,
    scoring: &'static str,
    source: &'static str,
    aggregate: &'static str,
    require: &'static str,
    applies: &'static str,
    evidence: &'static str,
    gates: &'static str,
    version: &'static str,
    languages: &'static str,
    question: &'static str,
    kind: &'static str,
    at: &'static str,
    below: &'static str,
    rest: &'static str,
    asked: &'static str,
    other_questions: &'static str,
}

const FR: T = T {
    levels: "Niveaux",
    dimensions: "Dimensions",
    portrait: "Portrait (contexte, non noté)",
    questions: "Questions",
    ratings: "Appréciations",
    item: "Élément",
    weight: "Poids",
    nature: "Nature",
    formula: "Formule",
    unit: "Unité",
    scoring: "Note (0–100)",
    source: "Source",
    aggregate: "Agrégation",
    require: "Couverture requise",
    applies: "S'applique si",
    evidence: "Éléments qualitatifs",
    gates: "Conditions à remplir",
    version: "Version",
    languages: "Langues",
    question: "Question",
    kind: "Type",
    at: "Niveau",
    below: "en dessous de",
    rest: "au-delà",
    asked: "Posée si",
    other_questions: "Autres questions",
};

const NL: T = T {
    levels: "Niveaus",
    dimensions: "Dimensies",
    portrait: "Portret (context, zonder score)",
    questions: "Vragen",
    ratings: "Beoordelingen",
    item: "Onderdeel",
    weight: "Gewicht",
    nature: "Aard",
    formula: "Formule",
    unit: "Eenheid",
    scoring: "Score (0–100)",
    source: "Bron",
    aggregate: "Samenvoeging",
    require: "Vereiste dekking",
    applies: "Geldt als",
    evidence: "Kwalitatieve elementen",
    gates: "Voorwaarden",
    version: "Versie",
    languages: "Talen",
    question: "Vraag",
    kind: "Type",
    at: "Niveau",
    below: "onder",
    rest: "daarboven",
    asked: "Gesteld als",
    other_questions: "Andere vragen",
};

const EN: T = T {
    levels: "Levels",
    dimensions: "Dimensions",
    portrait: "Portrait (context, not scored)",
    questions: "Questions",
    ratings: "Ratings",
    item: "Item",
    weight: "Weight",
    nature: "Nature",
    formula: "Formula",
    unit: "Unit",
    scoring: "Score (0–100)",
    source: "Source",
    aggregate: "Aggregation",
    require: "Coverage required",
    applies: "Applies when",
    evidence: "Qualitative evidence",
    gates: "Must-pass conditions",
    version: "Version",
    languages: "Languages",
    question: "Question",
    kind: "Type",
    at: "Level",
    below: "below",
    rest: "above",
    asked: "Asked when",
    other_questions: "Other questions",
};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The framework as Markdown, in `lang`.
pub fn markdown(fw: &Framework, lang: &str) -> String {
    let t = match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    };
    let d = fw.default_lang();
    let lbl = |l: &crate::ir::Labels, id: &str| l.get(lang, d).unwrap_or(id).to_string();
    let mut s = format!("# {}\n\n", lbl(&fw.title, &fw.id));
    if let Some(p) = fw.publisher.get(lang, fw.default_lang()) {
        s.push_str(&format!("*{p}*\n\n"));
    }
    if let Some(desc) = fw.description.get(lang, d) {
        s.push_str(&format!("{desc}\n\n"));
    }
    if let Some(v) = &fw.version {
        s.push_str(&format!("- {}: {v}\n", t.version));
    }
    if !fw.languages.is_empty() {
        s.push_str(&format!("- {}: {}\n", t.languages, fw.languages.join(", ")));
    }
    let chain: Vec<String> = fw.levels.iter().map(|l| lbl(&l.label, &l.id)).collect();
    s.push_str(&format!("- {}: {}\n\n", t.levels, chain.join(" ▸ ")));
    s.push_str(&format!("## {}\n\n", t.dimensions));
    for (i, dim) in fw.dimensions.iter_enumerated() {
        if dim.top {
            dimension(fw, i, 3, lang, t, &mut s);
        }
    }
    let context: Vec<&crate::ir::Indicator> = fw
        .indicators
        .iter()
        .filter(|i| i.nature == Some(crate::ir::Nature::Context))
        .collect();
    if !context.is_empty() {
        s.push_str(&format!(
            "## {}\n\n| {} | {} | {} |\n|---|---|---|\n",
            t.portrait, t.item, t.formula, t.unit
        ));
        for ind in context {
            let mut name = lbl(&ind.label, &ind.id).to_string();
            if !ind.by.is_empty() {
                name.push_str(&format!(", {}", words::broken_down(fw, &ind.by, lang)));
            }
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&name),
                cell(&words::expr(fw, &ind.value, lang)),
                ind.unit.as_deref().unwrap_or("")
            ));
        }
        s.push('\n');
    }
    questions(fw, lang, t, &mut s);
    if !fw.ratings.is_empty() {
        s.push_str(&format!("## {}\n\n", t.ratings));
        for r in &fw.ratings {
            let steps: Vec<String> = r
                .steps
                .iter()
                .map(|st| match st.below {
                    Some(b) => format!(
                        "{} ({} {})",
                        lbl(&st.label, &st.id),
                        t.below,
                        crate::text::number(b)
                    ),
                    None => format!("{} ({})", lbl(&st.label, &st.id), t.rest),
                })
                .collect();
            s.push_str(&format!("- `{}`: {}\n", r.id, steps.join(" · ")));
        }
        s.push('\n');
    }
    s
}

/// The questions: those outside sections first, then each section under
/// its own heading, with to whom each question is asked when not everyone.
fn questions(fw: &Framework, lang: &str, t: &T, s: &mut String) {
    let d = fw.default_lang();
    s.push_str(&format!("## {}\n\n", t.questions));
    let groups = std::iter::once(None).chain(fw.sections.keys().map(Some));
    for g in groups {
        let qs: Vec<&crate::ir::Question> =
            fw.questions.iter().filter(|q| q.section == g).collect();
        if qs.is_empty() {
            continue;
        }
        match g {
            Some(x) => {
                let sec = &fw.sections[x];
                s.push_str(&format!(
                    "### {}\n\n",
                    sec.label.get(lang, d).unwrap_or(&sec.id)
                ));
                if let Some(desc) = sec.description.get(lang, d) {
                    s.push_str(&format!("{desc}\n\n"));
                }
            }
            None if !fw.sections.is_empty() => {
                s.push_str(&format!("### {}\n\n", t.other_questions));
            }
            None => {}
        }
        question_table(fw, &qs, lang, t, s);
    }
}

fn question_table(fw: &Framework, qs: &[&crate::ir::Question], lang: &str, t: &T, s: &mut String) {
    let d = fw.default_lang();
    let lbl = |l: &crate::ir::Labels, id: &str| l.get(lang, d).unwrap_or(id).to_string();
    let asked = qs.iter().any(|q| q.when.is_some());
    s.push_str(&format!("| {} | {} | {} |", t.question, t.at, t.kind));
    if asked {
        s.push_str(&format!(" {} |\n|---|---|---|---|\n", t.asked));
    } else {
        s.push_str("\n|---|---|---|\n");
    }
    for q in qs {
        let mut kind = words::term(q.ty.name(), lang);
        if let crate::ir::QType::Scale { lo, hi, points } = &q.ty {
            kind.push_str(&format!(
                " {}–{}",
                crate::text::number(*lo),
                crate::text::number(*hi)
            ));
            let named: Vec<String> = points
                .iter()
                .map(|p| format!("{} = {}", p.code, lbl(&p.label, &p.code)))
                .collect();
            if !named.is_empty() {
                kind.push_str(&format!(" ({})", named.join(", ")));
            }
        }
        s.push_str(&format!(
            "| `{}` — {} | {} | {} |",
            q.column,
            cell(&lbl(&q.label, &q.id)),
            lbl(&fw.levels[q.level].label, &fw.levels[q.level].id),
            cell(&kind)
        ));
        if asked {
            let w = q.when.as_ref().map(|w| words::expr(fw, w, lang));
            s.push_str(&format!(" {} |", cell(w.as_deref().unwrap_or(""))));
        }
        s.push('\n');
    }
    s.push('\n');
}

fn dimension(fw: &Framework, i: DimensionId, depth: usize, lang: &str, t: &T, s: &mut String) {
    let d = fw.default_lang();
    let dim = &fw.dimensions[i];
    s.push_str(&format!(
        "{} {}\n\n",
        "#".repeat(depth.min(6)),
        dim.label.get(lang, d).unwrap_or(&dim.id)
    ));
    // What the framework says of it in this language, else its comment.
    if let Some(doc) = dim.description.get(lang, d).or(dim.doc.as_deref()) {
        s.push_str(&format!("{doc}\n\n"));
    }
    let agg = words::term(dim.aggregate.name(), lang);
    s.push_str(&format!(
        "- {}: {agg}; {}: {} %\n",
        t.aggregate,
        t.require,
        crate::text::number(dim.require * 100.0)
    ));
    if let Some(w) = &dim.when {
        s.push_str(&format!("- {}: {}\n", t.applies, words::expr(fw, w, lang)));
    }
    if !dim.gates.is_empty() {
        let g: Vec<String> = dim
            .gates
            .iter()
            .map(|g| words::expr(fw, &g.expr, lang))
            .collect();
        s.push_str(&format!("- {}: {}\n", t.gates, g.join("; ")));
    }
    if !dim.evidence.is_empty() {
        let e: Vec<String> = dim
            .evidence
            .iter()
            .map(|e| {
                fw.evidence[*e]
                    .label
                    .get(lang, d)
                    .unwrap_or(&fw.evidence[*e].id)
                    .to_string()
            })
            .collect();
        s.push_str(&format!("- {}: {}\n", t.evidence, e.join(", ")));
    }
    s.push_str(&format!(
        "\n| {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|---|\n",
        t.item, t.weight, t.nature, t.formula, t.unit, t.scoring, t.source
    ));
    let total: f64 = dim.children.iter().map(|c| c.weight).sum();
    for c in &dim.children {
        let w = format!(
            "{} ({:.0} %)",
            crate::text::number(c.weight),
            c.weight / total * 100.0
        );
        match c.item {
            ChildRef::Indicator(k) => {
                let ind = &fw.indicators[k];
                let mut name = ind.label.get(lang, d).unwrap_or(&ind.id).to_string();
                if let Some(wh) = &ind.when {
                    name.push_str(&format!(
                        " ({} {})",
                        t.applies.to_lowercase(),
                        words::expr(fw, wh, lang)
                    ));
                }
                if !ind.by.is_empty() {
                    name.push_str(&format!(", {}", words::broken_down(fw, &ind.by, lang)));
                }
                if let Some(doc) = ind.description.get(lang, d).or(ind.doc.as_deref()) {
                    name.push_str(&format!(" — {doc}"));
                }
                s.push_str(&format!(
                    "| {} | {w} | {} | {} | {} | {} | {} |\n",
                    cell(&name),
                    words::term(ind.nature.map_or("", crate::ir::Nature::name), lang),
                    cell(&words::expr(fw, &ind.value, lang)),
                    ind.unit.as_deref().unwrap_or(""),
                    cell(&words::normalize(
                        fw,
                        ind.normalize.as_ref(),
                        ind.unit.as_deref(),
                        ind.better,
                        lang
                    )),
                    cell(&match (&ind.source, &ind.method) {
                        (Some(s), _) => s.clone(),
                        (None, Some(m)) => words::term(m, lang),
                        _ => String::new(),
                    })
                ));
            }
            ChildRef::Dimension(k) => {
                let sub = &fw.dimensions[k];
                s.push_str(&format!(
                    "| **{}** | {w} | | | | | |\n",
                    cell(sub.label.get(lang, d).unwrap_or(&sub.id))
                ));
            }
        }
    }
    s.push('\n');
    for c in &dim.children {
        if let ChildRef::Dimension(k) = c.item {
            dimension(fw, k, depth + 1, lang, t, s);
        }
    }
}

/// The framework as one self-contained HTML page.
pub fn html(fw: &Framework, lang: &str) -> String {
    let md = markdown(fw, lang);
    let mut body = String::new();
    let opts = pulldown_cmark::Options::ENABLE_TABLES;
    pulldown_cmark::html::push_html(&mut body, pulldown_cmark::Parser::new_ext(&md, opts));
    let title = fw.title.get(lang, fw.default_lang()).unwrap_or(&fw.id);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef2f5; }
h1 { color: #14466b; } h2 { border-bottom: 2px solid #14466b; padding-bottom: 0.2rem; } h3, h4 { color: #14466b; }
@media print { body { margin: 0; } table { page-break-inside: avoid; } }
";
