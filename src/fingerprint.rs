//! Definition fingerprints: what decides an item's numbers, hashed.
//!
//! In: a checked [`Framework`]. Out: per indicator and per dimension, the
//! SHA-256 of a canonical text of its definition. The text is built from
//! the IR, not from the source, so layout (`fmt`), comments and where an
//! item is written (`extends`) do not enter it, nor do labels, docs, tags
//! or ratings. What does: the level, the value with every question, let
//! and indicator it reads (by their own definitions, so changing a let
//! changes every item that reads it), filters and weights, normalisation,
//! `better`, rollup, `when`, `min_n`, breakdowns; for a dimension its
//! children with their weights and fingerprints, aggregate, `require`,
//! `when` and gates; and the framework's `min_group` and answer codes
//! (`missing`, `dont_know`, `refused`). `grille compare` reads them to
//! tell a changed definition from a changed result.

use crate::ir::{
    BySource, ChildRef, DimensionId, Expr, ExprKind, Framework, IndicatorId, LetId, List, Node,
    Normalize, QType, QuestionId, Rollup,
};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Fingerprints, in the framework's item order.
#[derive(Debug, Clone)]
pub struct Definitions {
    pub indicators: List<IndicatorId, String>,
    pub dimensions: List<DimensionId, String>,
}

/// The fingerprints of every indicator and dimension of `fw`.
pub fn definitions(fw: &Framework) -> Definitions {
    let mut c = Canon {
        fw,
        lets: vec![String::new(); fw.lets.len()].into(),
        indicators: vec![String::new(); fw.indicators.len()].into(),
        dimensions: vec![String::new(); fw.dimensions.len()].into(),
        common: common(fw),
    };
    // Dependency order: what an item reads is hashed before it.
    for node in &fw.order {
        match *node {
            Node::Let(l) => {
                let text = c.expr(&fw.lets[l].expr);
                c.lets[l] = hash(&text);
            }
            Node::Indicator(i) => c.indicators[i] = hash(&c.indicator(i)),
            Node::Dimension(d) => c.dimensions[d] = hash(&c.dimension(d)),
        }
    }
    Definitions {
        indicators: c.indicators,
        dimensions: c.dimensions,
    }
}

fn hash(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// What every item's numbers depend on.
fn common(fw: &Framework) -> String {
    format!(
        "min_group {}; missing {:?}; dont_know {:?}; refused {:?}",
        fw.min_group, fw.missing, fw.dont_know, fw.refused
    )
}

struct Canon<'a> {
    fw: &'a Framework,
    lets: List<LetId, String>,
    indicators: List<IndicatorId, String>,
    dimensions: List<DimensionId, String>,
    common: String,
}

impl Canon<'_> {
    fn indicator(&self, i: IndicatorId) -> String {
        let fw = self.fw;
        let ind = &fw.indicators[i];
        let mut s = format!(
            "indicator at {}; value {}",
            fw.levels[ind.at].id,
            self.expr(&ind.value)
        );
        let _ = write!(s, "; better {:?}", ind.better);
        match &ind.normalize {
            Some(Normalize::Target(t)) => {
                let _ = write!(s, "; normalize target {}", self.expr(t));
            }
            Some(n) => {
                let _ = write!(s, "; normalize {n:?}");
            }
            None => s.push_str("; normalize none"),
        }
        match &ind.rollup {
            Rollup::MeanWeighted(w) => {
                let _ = write!(s, "; rollup mean weight {}", self.expr(w));
            }
            r => {
                let _ = write!(s, "; rollup {}", r.name());
            }
        }
        if let Some(w) = &ind.when {
            let _ = write!(s, "; when {}", self.expr(w));
        }
        let _ = write!(s, "; min_n {:?}; {}", ind.min_n, self.common);
        for b in &ind.by {
            let source = match b.source {
                BySource::Question(q) => self.question(q),
                BySource::Let(l) => format!("let {}", self.lets[l]),
            };
            let _ = write!(s, "; by {source}");
        }
        s
    }

    fn dimension(&self, d: DimensionId) -> String {
        let dim = &self.fw.dimensions[d];
        let mut s = format!(
            "dimension aggregate {:?}; require {}",
            dim.aggregate, dim.require
        );
        for c in &dim.children {
            let fp = match c.item {
                ChildRef::Indicator(i) => &self.indicators[i],
                ChildRef::Dimension(k) => &self.dimensions[k],
            };
            let _ = write!(s, "; child {} {fp}", c.weight);
        }
        if let Some(w) = &dim.when {
            let _ = write!(s, "; when {}", self.expr(w));
        }
        for g in &dim.gates {
            let _ = write!(s, "; gate {}", self.expr(&g.expr));
        }
        let _ = write!(s, "; {}", self.common);
        s
    }

    /// A question by what decides how its answers are read.
    fn question(&self, q: QuestionId) -> String {
        let fw = self.fw;
        let x = &fw.questions[q];
        let ty = match &x.ty {
            QType::Choice(o) | QType::Multi(o) => {
                let codes: Vec<&str> = o.iter().map(|o| o.code.as_str()).collect();
                let kind = if matches!(x.ty, QType::Choice(_)) {
                    "choice"
                } else {
                    "multi"
                };
                format!("{kind} {codes:?}")
            }
            other => format!("{other:?}"),
        };
        format!(
            "question {} at {} {ty} range {:?} integer {} column {:?}",
            x.id, fw.levels[x.level].id, x.range, x.integer, x.column
        )
    }

    /// An expression as canonical text (its nesting is bounded by the
    /// parser's depth limit, so this recursion is too).
    fn expr(&self, e: &Expr) -> String {
        let fw = self.fw;
        match &e.kind {
            ExprKind::Num(x) => format!("{x:?}"),
            ExprKind::Str(t) => format!("{t:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Question(q) => format!("({})", self.question(*q)),
            ExprKind::Let(l) => format!("(let {})", self.lets[*l]),
            ExprKind::Indicator(i) => format!("(indicator {})", self.indicators[*i]),
            ExprKind::Score(ChildRef::Indicator(i)) => {
                format!("(score indicator {})", self.indicators[*i])
            }
            ExprKind::Score(ChildRef::Dimension(d)) | ExprKind::DimensionScore(d) => {
                format!("(score dimension {})", self.dimensions[*d])
            }
            ExprKind::Unary(op, x) => format!("({op:?} {})", self.expr(x)),
            ExprKind::Chain(first, rest) => {
                let mut s = format!("({}", self.expr(first));
                for (op, x) in rest {
                    let _ = write!(s, " {op:?} {}", self.expr(x));
                }
                s.push(')');
                s
            }
            ExprKind::In(x, items) => format!("(in {} {})", self.expr(x), self.list(items)),
            ExprKind::If(arms, otherwise) => {
                let mut s = String::from("(if");
                for (c, a) in arms {
                    let _ = write!(s, " {} {}", self.expr(c), self.expr(a));
                }
                let _ = write!(s, " else {})", self.expr(otherwise));
                s
            }
            ExprKind::Func(f, args) => format!("({f:?} {})", self.list(args)),
            ExprKind::Agg(crate::ir::Agg {
                func,
                over,
                args,
                filter,
                weight,
            }) => {
                let mut s = format!("({func:?} over {} {}", fw.levels[*over].id, self.list(args));
                if let Some(f) = filter {
                    let _ = write!(s, " where {}", self.expr(f));
                }
                if let Some(w) = weight {
                    let _ = write!(s, " weight {}", self.expr(w));
                }
                s.push(')');
                s
            }
        }
    }

    fn list(&self, items: &[Expr]) -> String {
        let parts: Vec<String> = items.iter().map(|x| self.expr(x)).collect();
        format!("[{}]", parts.join(" "))
    }
}
