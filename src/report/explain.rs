//! `grille explain`: one item described for people, and with data, the
//! trace of how one unit's result came about.
//!
//! In: the checked framework and an item's name (indicator, dimension,
//! question, let or evidence); for a trace, a report [`Context`] and a unit
//! id. Out: text in the chosen language: label, doc comment, formula in
//! words, unit, normalisation, weights in dimensions, what the item reads
//! and what reads it; the trace adds rows used, value, n, coverage, score
//! and its arithmetic, and for a dimension each child's score, weight after
//! reweighting and contribution, the gates and the status with its reason.

use super::words;
use super::{Context, Value, format_number, format_score, indicator_value, rating, value_text};
use crate::eval::Status;
use crate::ir::{
    ChildRef, DimensionId, Expr, ExprKind, Framework, IndicatorId, Labels, LevelId, Normalize,
    Rollup,
};

/// The item explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Indicator(IndicatorId),
    Dimension(DimensionId),
    Question(usize),
    Let(usize),
    Evidence(usize),
}

/// Finds an item by name.
pub fn find(fw: &Framework, name: &str) -> Option<Item> {
    if let Some(i) = fw.indicator_by_name(name) {
        return Some(Item::Indicator(i));
    }
    if let Some(d) = fw.dimension_by_name(name) {
        return Some(Item::Dimension(d));
    }
    if let Some(q) = fw.questions.iter().position(|q| q.id == name) {
        return Some(Item::Question(q));
    }
    if let Some(l) = fw.lets.iter().position(|q| q.id == name) {
        return Some(Item::Let(l));
    }
    fw.evidence
        .iter()
        .position(|q| q.id == name)
        .map(Item::Evidence)
}

/// Every name `explain` accepts, for suggestions.
pub fn names(fw: &Framework) -> Vec<&str> {
    fw.indicators
        .iter()
        .map(|x| x.id.as_str())
        .chain(fw.dimensions.iter().map(|x| x.id.as_str()))
        .chain(fw.questions.iter().map(|x| x.id.as_str()))
        .chain(fw.lets.iter().map(|x| x.id.as_str()))
        .chain(fw.evidence.iter().map(|x| x.id.as_str()))
        .collect()
}

struct T {
    indicator: &'static str,
    dimension: &'static str,
    question: &'static str,
    let_: &'static str,
    evidence: &'static str,
    level: &'static str,
    rolled_up: &'static str,
    rollup: &'static str,
    formula: &'static str,
    unit: &'static str,
    scoring: &'static str,
    nature: &'static str,
    applies: &'static str,
    min_n: &'static str,
    weights: &'static str,
    weight_in: &'static str,
    of_total: &'static str,
    reads: &'static str,
    read_by: &'static str,
    nothing: &'static str,
    children: &'static str,
    aggregate: &'static str,
    require: &'static str,
    gates: &'static str,
    kind: &'static str,
    column: &'static str,
    options: &'static str,
    trace: &'static str,
    rows: &'static str,
    rows_of: &'static str,
    value: &'static str,
    score: &'static str,
    rating: &'static str,
    status: &'static str,
    coverage: &'static str,
    interval: &'static str,
    units: &'static str,
    units_of: &'static str,
    child: &'static str,
    weight: &'static str,
    reweighted: &'static str,
    contribution: &'static str,
    left_out: &'static str,
    counts_missing: &'static str,
    passed: &'static str,
    failed: &'static str,
    capped: &'static str,
    sum_contrib: &'static str,
    quotes: &'static str,
    dropped: &'static str,
}

const FR: T = T {
    indicator: "Indicateur",
    dimension: "Dimension",
    question: "Question",
    let_: "Définition (let)",
    evidence: "Élément qualitatif",
    level: "Niveau",
    rolled_up: "remonté à",
    rollup: "Remontée",
    formula: "Formule",
    unit: "Unité",
    scoring: "Note (0–100)",
    nature: "Nature",
    applies: "S'applique si",
    min_n: "Réponses minimales",
    weights: "Poids",
    weight_in: "dans",
    of_total: "sur",
    reads: "Dépend de",
    read_by: "Utilisé par",
    nothing: "rien",
    children: "Composantes",
    aggregate: "Agrégation",
    require: "Couverture requise",
    gates: "Conditions à remplir",
    kind: "Type",
    column: "Colonne",
    options: "Options",
    trace: "Trace pour",
    rows: "Lignes",
    rows_of: "lignes rattachées",
    value: "Valeur",
    score: "Note",
    rating: "Appréciation",
    status: "Statut",
    coverage: "Couverture",
    interval: "Intervalle",
    units: "Unités",
    units_of: "avec une valeur, sur",
    child: "Composante",
    weight: "Poids",
    reweighted: "Poids recalculé",
    contribution: "Contribution",
    left_out: "écartée (ne s'applique pas)",
    counts_missing: "sans note : compte contre la couverture",
    passed: "remplie",
    failed: "non remplie",
    capped: "une condition n'est pas remplie : l'appréciation est la plus basse",
    sum_contrib: "somme des contributions",
    quotes: "Citations",
    dropped: "écartées : moins de lignes que le seuil de confidentialité",
};

const NL: T = T {
    indicator: "Indicator",
    dimension: "Dimensie",
    question: "Vraag",
    let_: "Definitie (let)",
    evidence: "Kwalitatief element",
    level: "Niveau",
    rolled_up: "samengevoegd naar",
    rollup: "Samenvoeging",
    formula: "Formule",
    unit: "Eenheid",
    scoring: "Score (0–100)",
    nature: "Aard",
    applies: "Geldt als",
    min_n: "Minimum antwoorden",
    weights: "Gewicht",
    weight_in: "in",
    of_total: "van",
    reads: "Hangt af van",
    read_by: "Gebruikt door",
    nothing: "niets",
    children: "Onderdelen",
    aggregate: "Samenvoeging",
    require: "Vereiste dekking",
    gates: "Voorwaarden",
    kind: "Type",
    column: "Kolom",
    options: "Opties",
    trace: "Spoor voor",
    rows: "Rijen",
    rows_of: "gekoppelde rijen",
    value: "Waarde",
    score: "Score",
    rating: "Beoordeling",
    status: "Status",
    coverage: "Dekking",
    interval: "Interval",
    units: "Eenheden",
    units_of: "met een waarde, van",
    child: "Onderdeel",
    weight: "Gewicht",
    reweighted: "Herwogen gewicht",
    contribution: "Bijdrage",
    left_out: "weggelaten (niet van toepassing)",
    counts_missing: "zonder score: telt tegen de dekking",
    passed: "voldaan",
    failed: "niet voldaan",
    capped: "een voorwaarde is niet voldaan: de beoordeling is de laagste",
    sum_contrib: "som van de bijdragen",
    quotes: "Citaten",
    dropped: "weggelaten: minder rijen dan de privacydrempel",
};

const EN: T = T {
    indicator: "Indicator",
    dimension: "Dimension",
    question: "Question",
    let_: "Definition (let)",
    evidence: "Qualitative evidence",
    level: "Level",
    rolled_up: "rolled up to",
    rollup: "Rollup",
    formula: "Formula",
    unit: "Unit",
    scoring: "Score (0–100)",
    nature: "Nature",
    applies: "Applies when",
    min_n: "Minimum answers",
    weights: "Weight",
    weight_in: "in",
    of_total: "of",
    reads: "Depends on",
    read_by: "Used by",
    nothing: "nothing",
    children: "Parts",
    aggregate: "Aggregation",
    require: "Coverage required",
    gates: "Must-pass conditions",
    kind: "Type",
    column: "Column",
    options: "Options",
    trace: "Trace for",
    rows: "Rows",
    rows_of: "rows attached",
    value: "Value",
    score: "Score",
    rating: "Rating",
    status: "Status",
    coverage: "Coverage",
    interval: "Interval",
    units: "Units",
    units_of: "with a value, of",
    child: "Part",
    weight: "Weight",
    reweighted: "Weight after reweighting",
    contribution: "Contribution",
    left_out: "left out (does not apply)",
    counts_missing: "no score: counts against coverage",
    passed: "passed",
    failed: "failed",
    capped: "a condition failed: the rating is the lowest",
    sum_contrib: "sum of the contributions",
    quotes: "Quotes",
    dropped: "dropped: fewer rows than the privacy threshold",
};

fn t(lang: &str) -> &'static T {
    match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    }
}

/// What an expression reads directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ref {
    Question(usize),
    Let(usize),
    Indicator(usize),
    Dimension(usize),
}

fn refs(e: &Expr, out: &mut Vec<Ref>) {
    e.walk(&mut |x| {
        let r = match x.kind {
            ExprKind::Question(q) => Ref::Question(q),
            ExprKind::Let(l) => Ref::Let(l),
            ExprKind::Indicator(i) => Ref::Indicator(i),
            ExprKind::Score(ChildRef::Indicator(i)) => Ref::Indicator(i),
            ExprKind::Score(ChildRef::Dimension(d)) | ExprKind::DimensionScore(d) => {
                Ref::Dimension(d)
            }
            _ => return,
        };
        if !out.contains(&r) {
            out.push(r);
        }
    });
}

/// Expressions of an item: what it reads.
fn exprs_of(fw: &Framework, it: Item) -> Vec<&Expr> {
    match it {
        Item::Indicator(i) => {
            let ind = &fw.indicators[i];
            let mut v = vec![&ind.value];
            v.extend(ind.when.iter());
            if let Some(Normalize::Target(t)) = &ind.normalize {
                v.push(t);
            }
            if let Rollup::MeanWeighted(w) = &ind.rollup {
                v.push(w);
            }
            v
        }
        Item::Dimension(d) => {
            let dim = &fw.dimensions[d];
            let mut v: Vec<&Expr> = dim.when.iter().collect();
            v.extend(dim.gates.iter().map(|g| &g.expr));
            v
        }
        Item::Let(l) => vec![&fw.lets[l].expr],
        Item::Evidence(e) => {
            let ev = &fw.evidence[e];
            let mut v = vec![&ev.collect];
            v.extend(ev.filter.iter());
            v
        }
        Item::Question(_) => Vec::new(),
    }
}

struct Ex<'a> {
    fw: &'a Framework,
    lang: &'a str,
    t: &'static T,
}

impl Ex<'_> {
    fn label(&self, l: &Labels, id: &str) -> String {
        l.get(self.lang, self.fw.default_lang())
            .unwrap_or(id)
            .to_string()
    }

    fn named(&self, r: Ref) -> String {
        let fw = self.fw;
        match r {
            Ref::Question(q) => format!(
                "{} `{}` « {} »",
                self.t.question.to_lowercase(),
                fw.questions[q].id,
                self.label(&fw.questions[q].label, &fw.questions[q].id)
            ),
            Ref::Let(l) => format!("let `{}`", fw.lets[l].id),
            Ref::Indicator(i) => format!(
                "{} `{}` « {} »",
                self.t.indicator.to_lowercase(),
                fw.indicators[i].id,
                self.label(&fw.indicators[i].label, &fw.indicators[i].id)
            ),
            Ref::Dimension(d) => format!(
                "{} `{}` « {} »",
                self.t.dimension.to_lowercase(),
                fw.dimensions[d].id,
                self.label(&fw.dimensions[d].label, &fw.dimensions[d].id)
            ),
        }
    }

    fn level(&self, l: LevelId) -> String {
        let lv = &self.fw.levels[l];
        format!("{} ({})", self.label(&lv.label, &lv.id), lv.id)
    }

    /// What reads the item.
    fn readers(&self, it: Item) -> Vec<String> {
        let fw = self.fw;
        let target = match it {
            Item::Indicator(i) => Some(Ref::Indicator(i)),
            Item::Dimension(d) => Some(Ref::Dimension(d)),
            Item::Question(q) => Some(Ref::Question(q)),
            Item::Let(l) => Some(Ref::Let(l)),
            Item::Evidence(_) => None,
        };
        let mut out = Vec::new();
        let reads = |item: Item| {
            let mut r = Vec::new();
            for e in exprs_of(fw, item) {
                refs(e, &mut r);
            }
            target.is_some_and(|t| r.contains(&t))
        };
        for (l, x) in fw.lets.iter().enumerate() {
            if reads(Item::Let(l)) {
                out.push(format!("let `{}`", x.id));
            }
        }
        for i in 0..fw.indicators.len() {
            if reads(Item::Indicator(i)) {
                out.push(self.named(Ref::Indicator(i)));
            }
        }
        for (d, dim) in fw.dimensions.iter().enumerate() {
            let child = dim.children.iter().any(|c| match (c.item, it) {
                (ChildRef::Indicator(a), Item::Indicator(b)) => a == b,
                (ChildRef::Dimension(a), Item::Dimension(b)) => a == b,
                _ => false,
            });
            let ev = matches!(it, Item::Evidence(e) if dim.evidence.contains(&e));
            if child || ev || reads(Item::Dimension(d)) {
                out.push(self.named(Ref::Dimension(d)));
            }
        }
        for (e, ev) in fw.evidence.iter().enumerate() {
            if reads(Item::Evidence(e)) {
                out.push(format!("{} `{}`", self.t.evidence.to_lowercase(), ev.id));
            }
        }
        for r in &fw.rules {
            let mut v = Vec::new();
            refs(&r.check, &mut v);
            if target.is_some_and(|t| v.contains(&t)) {
                out.push(format!("rule `{}`", r.id));
            }
        }
        out
    }

    fn dependencies(&self, it: Item) -> Vec<String> {
        let mut r = Vec::new();
        for e in exprs_of(self.fw, it) {
            refs(e, &mut r);
        }
        if let Item::Dimension(d) = it {
            for c in &self.fw.dimensions[d].children {
                let x = match c.item {
                    ChildRef::Indicator(i) => Ref::Indicator(i),
                    ChildRef::Dimension(d) => Ref::Dimension(d),
                };
                if !r.contains(&x) {
                    r.push(x);
                }
            }
        }
        r.into_iter()
            .map(|x| match x {
                // A let is shown with what it reads, so the chain is visible.
                Ref::Let(l) => {
                    let mut inner = Vec::new();
                    refs(&self.fw.lets[l].expr, &mut inner);
                    let names: Vec<String> = inner.into_iter().map(|y| self.named(y)).collect();
                    format!("let `{}` ({})", self.fw.lets[l].id, names.join(", "))
                }
                other => self.named(other),
            })
            .collect()
    }

    /// Each dimension holding the child, with its weight and share.
    fn weights(&self, c: ChildRef) -> Vec<String> {
        let mut out = Vec::new();
        for dim in &self.fw.dimensions {
            let total: f64 = dim.children.iter().map(|x| x.weight).sum();
            for ch in &dim.children {
                if ch.item == c {
                    out.push(format!(
                        "{} « {} » ({}): {} {} {} ({})",
                        self.t.weight_in,
                        self.label(&dim.label, &dim.id),
                        dim.id,
                        crate::fmt::number(ch.weight),
                        self.t.of_total,
                        crate::fmt::number(total),
                        format_number(ch.weight / total, Some("%"), self.lang)
                    ));
                }
            }
        }
        out
    }
}

fn line(s: &mut String, key: &str, value: &str) {
    s.push_str(&format!("  {key:<22} {value}\n"));
}

fn list(s: &mut String, key: &str, values: &[String], none: &str) {
    if values.is_empty() {
        line(s, key, none);
        return;
    }
    for (k, v) in values.iter().enumerate() {
        line(s, if k == 0 { key } else { "" }, v);
    }
}

/// The item described, without data.
pub fn describe(fw: &Framework, it: Item, lang: &str) -> String {
    let ex = Ex {
        fw,
        lang,
        t: t(lang),
    };
    let t = ex.t;
    let mut s = String::new();
    let doc = |s: &mut String, d: &Option<String>| {
        if let Some(d) = d {
            for l in d.lines() {
                s.push_str(&format!("  {l}\n"));
            }
            s.push('\n');
        }
    };
    match it {
        Item::Indicator(i) => {
            let ind = &fw.indicators[i];
            s.push_str(&format!(
                "{} `{}` — {}\n\n",
                t.indicator,
                ind.id,
                ex.label(&ind.label, &ind.id)
            ));
            if let Some(d) = ind.description.get(lang, fw.default_lang()) {
                s.push_str(&format!("  {d}\n\n"));
            }
            doc(&mut s, &ind.doc);
            let mut level = ex.level(ind.at);
            let up: Vec<String> = ind
                .levels
                .iter()
                .filter(|l| **l != ind.at)
                .map(|l| fw.levels[*l].id.clone())
                .collect();
            if !up.is_empty() {
                level.push_str(&format!(
                    "; {} {} ({})",
                    t.rolled_up,
                    up.join(", "),
                    ind.rollup.name()
                ));
            }
            line(&mut s, t.level, &level);
            line(&mut s, t.formula, &words::expr(fw, &ind.value, lang));
            if let Some(u) = &ind.unit {
                line(&mut s, t.unit, u);
            }
            let nature = ind.nature.as_deref() == Some("context");
            if !nature {
                line(
                    &mut s,
                    t.scoring,
                    &words::normalize(
                        fw,
                        ind.normalize.as_ref(),
                        ind.unit.as_deref(),
                        ind.better,
                        lang,
                    ),
                );
            }
            let nat: Vec<&str> = [&ind.nature, &ind.method, &ind.source]
                .into_iter()
                .filter_map(|x| x.as_deref())
                .collect();
            if !nat.is_empty() {
                line(&mut s, t.nature, &nat.join(" · "));
            }
            if let Some(w) = &ind.when {
                line(&mut s, t.applies, &words::expr(fw, w, lang));
            }
            if let Some(n) = ind.min_n {
                line(&mut s, t.min_n, &n.to_string());
            }
            if !nature {
                list(
                    &mut s,
                    t.weights,
                    &ex.weights(ChildRef::Indicator(i)),
                    t.nothing,
                );
            }
            list(&mut s, t.reads, &ex.dependencies(it), t.nothing);
            list(&mut s, t.read_by, &ex.readers(it), t.nothing);
        }
        Item::Dimension(d) => {
            let dim = &fw.dimensions[d];
            s.push_str(&format!(
                "{} `{}` — {}\n\n",
                t.dimension,
                dim.id,
                ex.label(&dim.label, &dim.id)
            ));
            if let Some(x) = dim.description.get(lang, fw.default_lang()) {
                s.push_str(&format!("  {x}\n\n"));
            }
            doc(&mut s, &dim.doc);
            let levels: Vec<&str> = dim
                .levels
                .iter()
                .map(|l| fw.levels[*l].id.as_str())
                .collect();
            line(&mut s, t.level, &levels.join(", "));
            line(&mut s, t.aggregate, dim.aggregate.name());
            line(
                &mut s,
                t.require,
                &format_number(dim.require, Some("%"), lang),
            );
            if let Some(w) = &dim.when {
                line(&mut s, t.applies, &words::expr(fw, w, lang));
            }
            let total: f64 = dim.children.iter().map(|c| c.weight).sum();
            let children: Vec<String> = dim
                .children
                .iter()
                .map(|c| {
                    let r = match c.item {
                        ChildRef::Indicator(i) => Ref::Indicator(i),
                        ChildRef::Dimension(d) => Ref::Dimension(d),
                    };
                    format!(
                        "{} × {} ({})",
                        crate::fmt::number(c.weight),
                        ex.named(r),
                        format_number(c.weight / total, Some("%"), lang)
                    )
                })
                .collect();
            list(&mut s, t.children, &children, t.nothing);
            let gates: Vec<String> = dim
                .gates
                .iter()
                .map(|g| format!("{}  ({})", words::expr(fw, &g.expr, lang), g.text))
                .collect();
            if !gates.is_empty() {
                list(&mut s, t.gates, &gates, t.nothing);
            }
            let ev: Vec<String> = dim
                .evidence
                .iter()
                .map(|e| ex.label(&fw.evidence[*e].label, &fw.evidence[*e].id))
                .collect();
            if !ev.is_empty() {
                list(&mut s, t.evidence, &ev, t.nothing);
            }
            if !dim.top {
                list(
                    &mut s,
                    t.weights,
                    &ex.weights(ChildRef::Dimension(d)),
                    t.nothing,
                );
            }
            list(&mut s, t.read_by, &ex.readers(it), t.nothing);
        }
        Item::Question(q) => {
            let qu = &fw.questions[q];
            s.push_str(&format!(
                "{} `{}` — {}\n\n",
                t.question,
                qu.id,
                ex.label(&qu.label, &qu.id)
            ));
            doc(&mut s, &qu.doc);
            line(&mut s, t.level, &ex.level(qu.level));
            let mut kind = qu.ty.name().to_string();
            if let crate::ir::QType::Scale { lo, hi } = qu.ty {
                kind = format!(
                    "{kind} {}..{}",
                    crate::fmt::number(lo),
                    crate::fmt::number(hi)
                );
            }
            if let Some((lo, hi)) = qu.range {
                kind.push_str(&format!(
                    ", {}..{}",
                    crate::fmt::number(lo),
                    crate::fmt::number(hi)
                ));
            }
            if qu.required {
                kind.push_str(", required");
            }
            line(&mut s, t.kind, &kind);
            line(&mut s, t.column, &qu.column);
            if let Some(u) = &qu.unit {
                line(&mut s, t.unit, u);
            }
            let opts: Vec<String> = qu
                .ty
                .options()
                .iter()
                .map(|o| format!("{} — {}", o.code, ex.label(&o.label, &o.code)))
                .collect();
            if !opts.is_empty() {
                list(&mut s, t.options, &opts, t.nothing);
            }
            list(&mut s, t.read_by, &ex.readers(it), t.nothing);
        }
        Item::Let(l) => {
            let x = &fw.lets[l];
            s.push_str(&format!("{} `{}`\n\n", t.let_, x.id));
            doc(&mut s, &x.doc);
            line(&mut s, t.formula, &words::expr(fw, &x.expr, lang));
            list(&mut s, t.reads, &ex.dependencies(it), t.nothing);
            list(&mut s, t.read_by, &ex.readers(it), t.nothing);
        }
        Item::Evidence(e) => {
            let ev = &fw.evidence[e];
            s.push_str(&format!(
                "{} `{}` — {}\n\n",
                t.evidence,
                ev.id,
                ex.label(&ev.label, &ev.id)
            ));
            doc(&mut s, &ev.doc);
            line(&mut s, t.level, &ex.level(ev.at));
            let mut f = words::expr(fw, &ev.collect, lang);
            if let Some(w) = &ev.filter {
                f.push_str(&format!(" — {}", words::expr(fw, w, lang)));
            }
            line(&mut s, t.formula, &f);
            if let Some(k) = ev.keep {
                line(&mut s, "keep", &k.to_string());
            }
            list(&mut s, t.reads, &ex.dependencies(it), t.nothing);
            list(&mut s, t.read_by, &ex.readers(it), t.nothing);
        }
    }
    s
}

/// Why a trace cannot be given.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TraceError {
    #[error("no unit `{unit}` at the levels where `{item}` is reported ({levels})")]
    UnknownUnit {
        unit: String,
        item: String,
        levels: String,
    },
    #[error("`{0}` has no per-unit result to trace (only indicators, dimensions and evidence do)")]
    NotTraceable(String),
}

/// Finds the unit among the item's levels, finest first.
fn locate(cx: &Context<'_>, levels: &[LevelId], unit: &str) -> Option<(LevelId, usize)> {
    levels
        .iter()
        .rev()
        .find_map(|&l| cx.ds.levels[l].index.get(unit).map(|&u| (l, u as usize)))
}

/// Rows of level `fine` whose ancestor at level `l` is unit `u`.
fn rows_under(cx: &Context<'_>, fine: LevelId, l: LevelId, u: usize) -> usize {
    let ds = cx.ds;
    (0..ds.levels[fine].len())
        .filter(|&r| {
            let mut x = r as u32;
            let mut lv = fine;
            while lv > l {
                x = ds.levels[lv].parent[x as usize];
                if x == u32::MAX {
                    return false;
                }
                lv -= 1;
            }
            x as usize == u
        })
        .count()
}

/// Finer units (one level down) of unit `u` at level `l`.
fn children_of(cx: &Context<'_>, l: LevelId, u: usize) -> Vec<usize> {
    let f = l + 1;
    (0..cx.ds.levels[f].len())
        .filter(|&r| cx.ds.levels[f].parent[r] as usize == u)
        .collect()
}

/// The trace of how unit `unit`'s result for the item was reached.
///
/// # Errors
/// [`TraceError`] when the unit is not at a level where the item is reported.
pub fn trace(cx: &Context<'_>, it: Item, unit: &str) -> Result<String, TraceError> {
    let fw = cx.fw;
    let lang = cx.lang;
    let ex = Ex {
        fw,
        lang,
        t: t(lang),
    };
    let t = ex.t;
    let (name, levels): (&str, Vec<LevelId>) = match it {
        Item::Indicator(i) => (&fw.indicators[i].id, fw.indicators[i].levels.clone()),
        Item::Dimension(d) => (&fw.dimensions[d].id, fw.dimensions[d].levels.clone()),
        Item::Evidence(e) => (&fw.evidence[e].id, vec![fw.evidence[e].at]),
        Item::Question(q) => return Err(TraceError::NotTraceable(fw.questions[q].id.clone())),
        Item::Let(l) => return Err(TraceError::NotTraceable(fw.lets[l].id.clone())),
    };
    let Some((l, u)) = locate(cx, &levels, unit) else {
        return Err(TraceError::UnknownUnit {
            unit: unit.into(),
            item: name.into(),
            levels: levels
                .iter()
                .map(|l| fw.levels[*l].id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut s = format!("{} {} {unit}", t.trace, fw.levels[l].id);
    if let Some(p) = cx.parent(l, u) {
        s.push_str(&format!(" ({} {p})", fw.levels[l - 1].id));
    }
    s.push_str("\n\n");
    match it {
        Item::Indicator(i) => trace_indicator(cx, &ex, i, l, u, &mut s),
        Item::Dimension(d) => trace_dimension(cx, &ex, d, l, u, &mut s),
        Item::Evidence(e) => {
            let ev = &fw.evidence[e];
            let fine = ev.collect.level.unwrap_or(ev.at).max(ev.at);
            line(
                &mut s,
                t.rows,
                &format!("{} {}", rows_under(cx, fine, l, u), t.rows_of),
            );
            match cx.results.evidence.get(&e).and_then(|v| v.get(u)) {
                Some(Some(q)) => {
                    let q: Vec<String> = q.iter().map(|x| format!("« {x} »")).collect();
                    list(&mut s, t.quotes, &q, t.nothing);
                }
                _ => line(&mut s, t.quotes, t.dropped),
            }
        }
        _ => {}
    }
    Ok(s)
}

fn trace_indicator(
    cx: &Context<'_>,
    ex: &Ex<'_>,
    i: IndicatorId,
    l: LevelId,
    u: usize,
    s: &mut String,
) {
    let fw = cx.fw;
    let t = ex.t;
    let lang = cx.lang;
    let ind = &fw.indicators[i];
    let Some(lv) = cx.results.indicators.get(&(i, l)) else {
        return;
    };
    let st = lv.status[u];
    if l == ind.at {
        // Rows of finer levels that its aggregates read.
        let mut over: Vec<LevelId> = Vec::new();
        ind.value.walk(&mut |e| {
            if let ExprKind::Agg { over: o, .. } = e.kind
                && !over.contains(&o)
            {
                over.push(o);
            }
        });
        for o in over {
            line(
                s,
                t.rows,
                &format!(
                    "{} {} « {} »",
                    rows_under(cx, o, l, u),
                    t.rows_of,
                    ex.label(&fw.levels[o].label, &fw.levels[o].id)
                ),
            );
        }
    } else {
        line(s, t.rollup, ind.rollup.name());
        if let Some((a, b)) = &lv.units {
            line(s, t.units, &format!("{} {} {}", a[u], t.units_of, b[u]));
        }
        let kids = children_of(cx, l, u);
        if kids.len() <= 40 {
            let vals: Vec<String> = kids
                .iter()
                .map(|&k| {
                    let st = cx.results.indicators.get(&(i, l + 1)).map(|x| x.status[k]);
                    let v = value_text(cx, i, l + 1, k);
                    match st {
                        Some(Status::Ok) | None => format!("{} = {v}", cx.ds.levels[l + 1].ids[k]),
                        Some(st) => {
                            format!("{} = {v} ({})", cx.ds.levels[l + 1].ids[k], st.as_str())
                        }
                    }
                })
                .collect();
            list(s, "", &vals, "");
        }
    }
    if st != Status::NotApplicable {
        line(s, "n", &lv.n[u].to_string());
        if !lv.coverage[u].is_nan() {
            line(
                s,
                t.coverage,
                &format_number(lv.coverage[u], Some("%"), lang),
            );
        }
    }
    line(s, t.value, &value_text(cx, i, l, u));
    let shown = !matches!(st, Status::NotApplicable | Status::Suppressed);
    if let (true, Some((a, b))) = (shown, lv.ci[u]) {
        line(
            s,
            t.interval,
            &format!(
                "[{} ; {}]",
                format_number(a, ind.unit.as_deref(), lang),
                format_number(b, ind.unit.as_deref(), lang)
            ),
        );
    }
    if shown && !lv.score[u].is_nan() {
        let mut sc = format_score(lv.score[u], lang);
        if let (Some(Normalize::Goalposts { lo, hi }), Some(Value::Num(v))) =
            (&ind.normalize, indicator_value(cx, i, l, u))
        {
            // Units only for shares: "(42,1 % − 0 %)" reads well, "(12 ETP − 0 ETP)" does not.
            let u_ = ind.unit.as_deref().filter(|u| *u == "%");
            let mut raw = format!(
                "({} − {}) ÷ ({} − {}) × 100",
                format_number(v, u_, lang),
                format_number(*lo, u_, lang),
                format_number(*hi, u_, lang),
                format_number(*lo, u_, lang)
            );
            let r = (v - lo) / (hi - lo) * 100.0;
            if !(0.0..=100.0).contains(&r) {
                raw = format!(
                    "{raw} = {} → {}",
                    format_score(r, lang),
                    format_score(r.clamp(0.0, 100.0), lang)
                );
            }
            sc = if ind.better == crate::ir::Better::Lower {
                format!("{sc}  = 100 − {raw}")
            } else {
                format!("{sc}  = {raw}")
            };
        }
        line(s, t.score, &sc);
        if let Some(r) = rating(fw, ind.rate, lv.score[u], false) {
            line(s, t.rating, &rating_label(fw, ind.rate, &r, lang));
        }
    }
    line(
        s,
        t.status,
        &status_why(cx, ex, Item::Indicator(i), l, u, st),
    );
}

fn rating_label(fw: &Framework, rate: Option<usize>, step: &str, lang: &str) -> String {
    let label = rate
        .and_then(|r| fw.ratings[r].steps.iter().find(|x| x.id == step))
        .and_then(|x| x.label.get(lang, fw.default_lang()));
    match label {
        Some(l) => format!("{step} « {l} »"),
        None => step.to_string(),
    }
}

/// A status with its reason.
fn status_why(cx: &Context<'_>, ex: &Ex<'_>, it: Item, l: LevelId, u: usize, st: Status) -> String {
    let fw = cx.fw;
    let lang = cx.lang;
    let base = format!("{} — {}", st.as_str(), words::status(st, lang));
    let extra = match (it, st) {
        (Item::Indicator(i), Status::Suppressed) => {
            let n = cx.results.indicators[&(i, l)].n[u];
            Some(format!("n = {n} < min_group {}", fw.min_group))
        }
        (Item::Indicator(i), Status::LowN) => {
            let n = cx.results.indicators[&(i, l)].n[u];
            fw.indicators[i]
                .min_n
                .map(|m| format!("n = {n} < min_n {m}"))
        }
        (Item::Indicator(i), Status::NotApplicable) => fw.indicators[i]
            .when
            .as_ref()
            .map(|w| format!("{} : {}", ex.t.applies, words::expr(fw, w, lang))),
        (Item::Dimension(d), Status::NotApplicable) => fw.dimensions[d]
            .when
            .as_ref()
            .map(|w| format!("{} : {}", ex.t.applies, words::expr(fw, w, lang))),
        (Item::Dimension(d), Status::Insufficient) => {
            let c = cx.results.dimensions[&(d, l)].coverage[u];
            Some(format!(
                "{} {} < {}",
                ex.t.coverage.to_lowercase(),
                format_number(c, Some("%"), lang),
                format_number(fw.dimensions[d].require, Some("%"), lang)
            ))
        }
        _ => None,
    };
    match extra {
        Some(e) => format!("{base} ({e})"),
        None => base,
    }
}

fn trace_dimension(
    cx: &Context<'_>,
    ex: &Ex<'_>,
    d: DimensionId,
    l: LevelId,
    u: usize,
    s: &mut String,
) {
    let fw = cx.fw;
    let t = ex.t;
    let lang = cx.lang;
    let dim = &fw.dimensions[d];
    let Some(lv) = cx.results.dimensions.get(&(d, l)) else {
        return;
    };
    // The children as the evaluation saw them.
    struct Row {
        name: String,
        status: Status,
        score: f64,
        weight: f64,
    }
    let rows: Vec<Row> = dim
        .children
        .iter()
        .map(|c| {
            let (name, status, score) = match c.item {
                ChildRef::Indicator(i) => {
                    let x = cx.results.indicators.get(&(i, l));
                    let st = x.map(|x| x.status[u]).unwrap_or(Status::Missing);
                    let sc = x
                        .filter(|_| st.scored())
                        .map(|x| x.score[u])
                        .unwrap_or(f64::NAN);
                    (fw.indicators[i].id.clone(), st, sc)
                }
                ChildRef::Dimension(k) => {
                    let x = cx.results.dimensions.get(&(k, l));
                    let st = x.map(|x| x.status[u]).unwrap_or(Status::Missing);
                    let sc = x.map(|x| x.score[u]).unwrap_or(f64::NAN);
                    (fw.dimensions[k].id.clone(), st, sc)
                }
            };
            Row {
                name,
                status,
                score,
                weight: c.weight,
            }
        })
        .collect();
    let scored: f64 = rows
        .iter()
        .filter(|r| r.status != Status::NotApplicable && !r.score.is_nan())
        .map(|r| r.weight)
        .sum();
    let mean = dim.aggregate == crate::ir::Aggregate::Mean;
    let head = [
        t.child,
        t.status,
        t.score,
        t.weight,
        t.reweighted,
        t.contribution,
    ];
    let mut table: Vec<[String; 6]> = vec![head.map(str::to_string)];
    for r in &rows {
        let applies = r.status != Status::NotApplicable;
        let has = applies && !r.score.is_nan();
        let w2 = if has && scored > 0.0 {
            r.weight / scored
        } else {
            f64::NAN
        };
        table.push([
            r.name.clone(),
            r.status.as_str().to_string(),
            if has {
                format_score(r.score, lang)
            } else {
                "—".into()
            },
            crate::fmt::number(r.weight),
            if has {
                format_number(w2, Some("%"), lang)
            } else if applies {
                t.counts_missing.into()
            } else {
                t.left_out.into()
            },
            if has && mean {
                format_score(w2 * r.score, lang)
            } else {
                "—".into()
            },
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in &table {
        let mut out = String::from("  ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 || c == 1 || c == 4 {
                out.push_str(&format!("{cell}{}  ", " ".repeat(pad)));
            } else {
                out.push_str(&format!("{}{cell}  ", " ".repeat(pad)));
            }
        }
        s.push_str(out.trim_end());
        s.push('\n');
    }
    s.push('\n');
    if !lv.coverage[u].is_nan() {
        line(
            s,
            t.coverage,
            &format!(
                "{} ({} {})",
                format_number(lv.coverage[u], Some("%"), lang),
                t.require.to_lowercase(),
                format_number(dim.require, Some("%"), lang)
            ),
        );
    }
    if !lv.score[u].is_nan() {
        let how = if mean {
            t.sum_contrib.to_string()
        } else {
            dim.aggregate.name().to_string()
        };
        line(
            s,
            t.score,
            &format!("{} ({how})", format_score(lv.score[u], lang)),
        );
    }
    let failed = lv.failed_gates.as_ref().map(|f| &f[u]);
    if !dim.gates.is_empty() {
        let g: Vec<String> = dim
            .gates
            .iter()
            .enumerate()
            .map(|(k, g)| {
                let ok = failed.is_none_or(|f| !f.contains(&k));
                // What the gate read at this unit.
                let mut seen: Vec<String> = Vec::new();
                g.expr.walk(&mut |e| {
                    let v = match e.kind {
                        ExprKind::Indicator(i) => Some(format!(
                            "{} = {}",
                            fw.indicators[i].id,
                            value_text(cx, i, l, u)
                        )),
                        ExprKind::Score(ChildRef::Indicator(i)) => {
                            cx.results.indicators.get(&(i, l)).map(|x| {
                                format!(
                                    "score({}) = {}",
                                    fw.indicators[i].id,
                                    format_score(x.score[u], lang)
                                )
                            })
                        }
                        ExprKind::Score(ChildRef::Dimension(k)) | ExprKind::DimensionScore(k) => {
                            cx.results.dimensions.get(&(k, l)).map(|x| {
                                format!(
                                    "{} = {}",
                                    fw.dimensions[k].id,
                                    format_score(x.score[u], lang)
                                )
                            })
                        }
                        _ => None,
                    };
                    if let Some(v) = v
                        && !seen.contains(&v)
                    {
                        seen.push(v);
                    }
                });
                let read = if seen.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", seen.join(", "))
                };
                format!("{}: {}{read}", g.text, if ok { t.passed } else { t.failed })
            })
            .collect();
        list(s, t.gates, &g, t.nothing);
    }
    let any_failed = failed.is_some_and(|f| !f.is_empty());
    if let Some(r) = rating(fw, dim.rate, lv.score[u], any_failed) {
        let mut v = rating_label(fw, dim.rate, &r, lang);
        if any_failed {
            v.push_str(&format!(" ({})", t.capped));
        }
        line(s, t.rating, &v);
    }
    line(
        s,
        t.status,
        &status_why(cx, ex, Item::Dimension(d), l, u, lv.status[u]),
    );
}
