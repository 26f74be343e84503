//! `grille explain`: one item described for people, and with data, the
//! trace of how one unit's result came about.
//!
//! In: the checked framework and an item's name (indicator, dimension,
//! question, let or evidence); for a trace, a report [`Context`](crate::report::Context) and a unit
//! id. Out: text in the chosen language: label, doc comment, formula in
//! words, unit, normalisation, weights in dimensions, what the item reads
//! and what reads it; the trace adds rows used, value, n, coverage, score
//! and its arithmetic, and for a dimension each child's score, weight after
//! reweighting and contribution, the gates and the status with its reason.

mod text;
mod trace;

pub use trace::{TraceError, trace};

use super::format_number;
use super::words;
use crate::ir::{
    ChildRef, DimensionId, Expr, ExprKind, Framework, IndicatorId, Labels, LetId, LevelId,
    Normalize, QuestionId, Rollup,
};

/// The item explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Indicator(IndicatorId),
    Dimension(DimensionId),
    Question(QuestionId),
    Let(LetId),
    Evidence(crate::ir::EvidenceId),
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
        return Some(Item::Question(q.into()));
    }
    if let Some(l) = fw.lets.iter().position(|q| q.id == name) {
        return Some(Item::Let(l.into()));
    }
    fw.evidence
        .iter()
        .position(|q| q.id == name)
        .map(|e| Item::Evidence(e.into()))
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

/// What an expression reads directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ref {
    Question(QuestionId),
    Let(LetId),
    Indicator(IndicatorId),
    Dimension(DimensionId),
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

use text::{T, t};

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
        for (l, x) in fw.lets.iter_enumerated() {
            if reads(Item::Let(l)) {
                out.push(format!("let `{}`", x.id));
            }
        }
        for i in fw.indicators.keys() {
            if reads(Item::Indicator(i)) {
                out.push(self.named(Ref::Indicator(i)));
            }
        }
        for (d, dim) in fw.dimensions.iter_enumerated() {
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
        for (e, ev) in fw.evidence.iter_enumerated() {
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
                        crate::text::number(ch.weight),
                        self.t.of_total,
                        crate::text::number(total),
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
                    words::term(ind.rollup.name(), lang)
                ));
            }
            line(&mut s, t.level, &level);
            line(&mut s, t.formula, &words::expr(fw, &ind.value, lang));
            if let Some(u) = &ind.unit {
                line(&mut s, t.unit, u);
            }
            let nature = ind.nature == Some(crate::ir::Nature::Context);
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
            let nat: Vec<&str> = [ind.nature.map(crate::ir::Nature::name)]
                .into_iter()
                .chain([ind.method.as_deref(), ind.source.as_deref()])
                .flatten()
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
            if !ind.by.is_empty() {
                line(&mut s, t.breakdown, &words::broken_down(fw, &ind.by, lang));
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
            line(
                &mut s,
                t.aggregate,
                &words::term(dim.aggregate.name(), lang),
            );
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
                        crate::text::number(c.weight),
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
            let mut kind = words::term(qu.ty.name(), lang);
            if let crate::ir::QType::Scale { lo, hi, points } = &qu.ty {
                kind = format!(
                    "{kind} {}..{}",
                    crate::text::number(*lo),
                    crate::text::number(*hi)
                );
                for p in points {
                    kind.push_str(&format!(", {} = {}", p.code, ex.label(&p.label, &p.code)));
                }
            }
            if let Some((lo, hi)) = qu.range {
                kind.push_str(&format!(
                    ", {}..{}",
                    crate::text::number(lo),
                    crate::text::number(hi)
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
