//! Normalisation and rollups of indicators, checked against their values.
//!
//! In: an indicator's block and its checked value. Out: its `normalize`
//! and `rollup` in IR; errors for a rule that does not fit the value's
//! type (goalposts on an option, a mapping with unknown options), and the
//! `scale_mismatch` warning for numbers above 1 beside shares.

use super::CheckError;
use super::exprs::Ctx;
use super::load::Decl;
use super::props::Props;
use super::resolve::Resolver;
use crate::diagnostic::Diag;
use crate::ir::{self, LevelId, Type};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast;

impl Resolver<'_> {
    pub(super) fn mapping_entries(&mut self, entries: &[ast::MapEntry]) -> Vec<(ir::MapKey, f64)> {
        let mut out: Vec<(ir::MapKey, f64)> = Vec::new();
        for e in entries {
            let key = match &e.key {
                ast::MapKey::Num(n) => ir::MapKey::Num(n.value),
                ast::MapKey::Text { value, .. } => ir::MapKey::Text(value.clone()),
            };
            if out.iter().any(|(k, _)| *k == key) {
                self.diags.push(Diag::error(
                    CheckError::DuplicateOption(key_text(&key)),
                    e.key.span(),
                    "listed twice in this mapping",
                ));
                continue;
            }
            if !(0.0..=100.0).contains(&e.points.value) {
                self.diags.push(Diag::error(
                    CheckError::InvalidValue("mapped points are a score between 0 and 100".into()),
                    e.points.span,
                    "out of 0..100",
                ));
            }
            out.push((key, e.points.value));
        }
        out
    }

    /// Whether a value is a share (0..1): `unit "%"`, a `share(…)`, or a
    /// percent question.
    pub fn is_share(&self, value: &ir::Expr, unit: Option<&str>) -> bool {
        unit == Some("%")
            || matches!(
                value.kind,
                ir::ExprKind::Agg(crate::ir::Agg {
                    func: ir::AggFunc::Share,
                    ..
                })
            )
            || matches!(value.kind, ir::ExprKind::Question(q) if matches!(self.questions[q].ty, ir::QType::Percent { .. }))
    }

    /// Warns that a number written on a scale of 100 meets a share.
    pub fn scale_mismatch(&mut self, span: crate::source::Span, what: &str) {
        self.diags.push(
            Diag::warning(
                CheckError::ScaleMismatch(what.to_string()),
                span,
                "a number above 1",
            )
            .help("shares are written `60%` (or 0.6)"),
        );
    }

    /// In a gate, `x >= 20` where `x` is a share always fails: warn.
    pub(super) fn check_gate_scale(&mut self, g: &ir::Expr) {
        let mut found: Vec<crate::source::Span> = Vec::new();
        g.walk(&mut |e| {
            let ir::ExprKind::Chain(first, rest) = &e.kind else {
                return;
            };
            let mut lhs: &ir::Expr = first;
            for (op, rhs) in rest {
                let cmp = matches!(
                    op,
                    ir::BinOp::Lt
                        | ir::BinOp::Le
                        | ir::BinOp::Gt
                        | ir::BinOp::Ge
                        | ir::BinOp::Eq
                        | ir::BinOp::Ne
                );
                if cmp {
                    for (a, b) in [(lhs, rhs), (rhs, lhs)] {
                        if let (ir::ExprKind::Indicator(i), ir::ExprKind::Num(x)) =
                            (&a.kind, &b.kind)
                            && *x > 1.0
                            && self.items.indicators[*i]
                                .as_ref()
                                .is_some_and(|ind| self.is_share(&ind.value, ind.unit.as_deref()))
                        {
                            found.push(b.span);
                        }
                    }
                }
                lhs = rhs;
            }
        });
        for span in found {
            self.scale_mismatch(span, "this threshold");
        }
    }

    pub(super) fn normalize(
        &mut self,
        b: &ast::Block,
        value: &ir::Expr,
        unit: Option<&str>,
        at: LevelId,
    ) -> Option<ir::Normalize> {
        let Some((n, span)) = Props(&b.props).normalize() else {
            return match value.ty {
                Type::Bool => Some(ir::Normalize::Bool),
                Type::Number if unit == Some("%") => {
                    Some(ir::Normalize::Goalposts { lo: 0.0, hi: 1.0 })
                }
                _ => None,
            };
        };
        if matches!(value.ty, Type::Text | Type::Date) {
            let msg = format!("{} cannot be normalised", self.type_name(value.ty));
            self.diags.push(
                Diag::error(CheckError::TypeMismatch(msg), span, "this normalisation")
                    .related(value.span, "the value"),
            );
            return None;
        }
        let numeric = |s: &mut Self, what: &str| {
            if !matches!(value.ty, Type::Number | Type::Error) {
                let msg = format!(
                    "`{what}` needs a number value, found {}",
                    s.type_name(value.ty)
                );
                let help = matches!(value.ty, Type::Option(_))
                    .then(|| "option values are scored with `normalize map { … }`".to_string());
                s.diags.push(
                    Diag::error(CheckError::TypeMismatch(msg), span, "this normalisation")
                        .related(value.span, "the value")
                        .maybe_help(help),
                );
            }
        };
        Some(match n {
            ast::Normalize::Goalposts(r) => {
                numeric(self, "goalposts");
                self.goalposts(r, value, unit)
            }
            ast::Normalize::Target(e) => {
                numeric(self, "target");
                if let ast::ExprKind::Num(n) = &e.kind
                    && self.is_share(value, unit)
                    && n.value > 1.0
                    && !n.raw.ends_with('%')
                {
                    self.scale_mismatch(n.span, "this target");
                }
                let t = self.expr(e, Ctx::at(Some(at)));
                self.expect(&t, Type::Number, "the target");
                self.level_within(&t, at, "the target");
                ir::Normalize::Target(t)
            }
            ast::Normalize::MinMax => {
                numeric(self, "minmax");
                ir::Normalize::MinMax
            }
            ast::Normalize::Rank => {
                numeric(self, "rank");
                ir::Normalize::Rank
            }
            ast::Normalize::MapNamed(id) => {
                let entries = self.named_mapping(id)?;
                self.check_map(&entries, value, span);
                ir::Normalize::Map(entries)
            }
            ast::Normalize::MapInline(entries) => {
                let entries = self.mapping_entries(entries);
                self.check_map(&entries, value, span);
                ir::Normalize::Map(entries)
            }
        })
    }

    /// Goalposts, checked: the lower first, and in percent beside a share.
    fn goalposts(
        &mut self,
        r: &ast::RangeLit,
        value: &ir::Expr,
        unit: Option<&str>,
    ) -> ir::Normalize {
        if self.is_share(value, unit) && r.hi.value > 1.0 && !r.hi.raw.ends_with('%') {
            self.scale_mismatch(r.span, "these goalposts");
        }
        if r.lo.value >= r.hi.value {
            self.diags.push(
                Diag::error(
                    CheckError::InvalidValue(
                        "goalposts run from the worst value to the best, lower first".into(),
                    ),
                    r.span,
                    "empty or reversed",
                )
                .help(
                    "for an indicator where less is better, keep `LO..HI` and add `better lower`",
                ),
            );
        }
        ir::Normalize::Goalposts {
            lo: r.lo.value,
            hi: r.hi.value,
        }
    }

    /// The entries of a `mapping` declared by name, or why there is none.
    fn named_mapping(&mut self, id: &ast::Ident) -> Option<Vec<(ir::MapKey, f64)>> {
        match self.m.mappings.get(&id.name).map(|e| &e.decl) {
            Some(Decl::Mapping(m)) => {
                let m = m.clone();
                Some(self.mapping_entries(&m.entries))
            }
            _ => {
                let help = suggest::closest(&id.name, self.m.mappings.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"));
                self.diags.push(
                    Diag::error(
                        CheckError::UnknownName(id.name.clone()),
                        id.span,
                        "no mapping has this name",
                    )
                    .maybe_help(help),
                );
                None
            }
        }
    }

    /// A mapping over an option value must cover every option and only options.
    pub(super) fn check_map(
        &mut self,
        entries: &[(ir::MapKey, f64)],
        value: &ir::Expr,
        span: Span,
    ) {
        let Type::Option(q) = value.ty else { return };
        let question = &self.questions[q];
        let codes: Vec<String> = question
            .ty
            .options()
            .iter()
            .map(|o| o.code.clone())
            .collect();
        let qid = question.id.clone();
        for (k, _) in entries {
            let t = key_text(k);
            if !codes.contains(&t) {
                let help = suggest::closest(&t, codes.iter().map(String::as_str))
                    .map(|s| format!("did you mean \"{s}\"?"));
                self.diags.push(
                    Diag::error(
                        CheckError::MappingKey(t.clone()),
                        span,
                        format!("`{t}` is not an option of `{qid}`"),
                    )
                    .related(value.span, "the value")
                    .maybe_help(help),
                );
            }
        }
        let missing: Vec<&String> = codes
            .iter()
            .filter(|c| !entries.iter().any(|(k, _)| key_text(k) == **c))
            .collect();
        if let Some(first) = missing.first() {
            let list = missing
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            self.diags.push(
                Diag::error(
                    CheckError::UnmappedOption {
                        option: (*first).clone(),
                        question: qid.clone(),
                    },
                    span,
                    format!("no points for {list}"),
                )
                .related(value.span, "the value")
                .help(format!(
                    "give every option of `{qid}` its points: {first}: …"
                )),
            );
        }
    }

    pub(super) fn rollup(&mut self, b: &ast::Block, value: &ir::Expr, at: LevelId) -> ir::Rollup {
        // An aggregate read through a let counts as written in place.
        let aggregated = self.aggregates(value);
        let default = match value.ty {
            _ if aggregated => ir::Rollup::Pooled,
            Type::Number => ir::Rollup::Mean,
            Type::Bool => ir::Rollup::Share,
            Type::Option(_) => ir::Rollup::Distribution,
            _ => ir::Rollup::None,
        };
        let Some(((kind, weight), span)) = Props(&b.props).rollup() else {
            return default;
        };
        let r = match kind.name.as_str() {
            "pooled" => ir::Rollup::Pooled,
            "sum" => ir::Rollup::Sum,
            "mean" => ir::Rollup::Mean,
            "median" => ir::Rollup::Median,
            "min" => ir::Rollup::Min,
            "max" => ir::Rollup::Max,
            "share" => ir::Rollup::Share,
            "distribution" => ir::Rollup::Distribution,
            "none" => ir::Rollup::None,
            // Unknown words were reported by the parser.
            _ => return default,
        };
        self.rollup_fits(&r, &kind.name, value, span, aggregated);
        match weight {
            Some(w) => self.rollup_weight(r, w, at),
            None => r,
        }
    }

    /// Reports a rollup that does not fit the value's type.
    fn rollup_fits(
        &mut self,
        r: &ir::Rollup,
        word: &str,
        value: &ir::Expr,
        span: crate::source::Span,
        aggregated: bool,
    ) {
        let fail = |s: &mut Self, msg: String, help: &str| {
            s.diags.push(
                Diag::error(CheckError::Rollup(msg), span, "this rollup")
                    .related(value.span, "the value")
                    .help(help.to_string()),
            );
        };
        let ty = value.ty;
        match *r {
            _ if ty == Type::Error => {}
            ir::Rollup::Pooled if !aggregated => fail(
                self,
                "`rollup pooled` re-runs an aggregate over more rows, but this value has none"
                    .into(),
                "use `sum`, `mean` or another rollup over units",
            ),
            ir::Rollup::Sum
            | ir::Rollup::Mean
            | ir::Rollup::Median
            | ir::Rollup::Min
            | ir::Rollup::Max
                if ty != Type::Number =>
            {
                let tn = self.type_name(ty);
                fail(
                    self,
                    format!("`rollup {}` needs a number value, found {tn}", word),
                    "use `share` for yes/no values, `distribution` for options",
                )
            }
            ir::Rollup::Share if ty != Type::Bool => {
                let tn = self.type_name(ty);
                fail(
                    self,
                    format!("`rollup share` needs a yes/no value, found {tn}"),
                    "use `mean` or `sum` for numbers",
                )
            }
            ir::Rollup::Distribution if !matches!(ty, Type::Option(_)) => {
                let tn = self.type_name(ty);
                fail(
                    self,
                    format!("`rollup distribution` needs an option value, found {tn}"),
                    "use `mean` or `sum` for numbers",
                )
            }
            _ if ty == Type::Text && !matches!(r, ir::Rollup::None) => fail(
                self,
                "text values are not rolled up".into(),
                "write `rollup none` or leave `rollup` out",
            ),
            _ => {}
        }
    }

    /// `rollup mean weight EXPR`: only a mean takes a weight, and a
    /// constant one changes nothing.
    fn rollup_weight(&mut self, r: ir::Rollup, w: &ast::Expr, at: LevelId) -> ir::Rollup {
        if !matches!(r, ir::Rollup::Mean) {
            self.diags.push(Diag::error(
                CheckError::Rollup("only `rollup mean` takes a weight".into()),
                w.span,
                "this weight",
            ));
            return r;
        }
        if let ast::ExprKind::Num(_) = w.kind {
            self.diags.push(
                Diag::error(CheckError::Rollup("a constant rollup weight has no effect".into()), w.span, "constant")
                    .help("to weigh an inline indicator in its dimension, write `weight N` before `rollup`"),
            );
            return r;
        }
        let we = self.expr(w, Ctx::at(Some(at)));
        self.expect(&we, Type::Number, "the rollup weight");
        self.level_within(&we, at, "the rollup weight");
        ir::Rollup::MeanWeighted(we)
    }
}

fn key_text(k: &ir::MapKey) -> String {
    match k {
        ir::MapKey::Num(n) => crate::text::number(*n),
        ir::MapKey::Text(t) => t.clone(),
    }
}
