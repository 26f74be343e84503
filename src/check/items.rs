//! Resolving lets, indicators, dimensions, evidence and rules.
//!
//! In: their merged AST blocks. Out: IR items, each resolved after what it
//! names (`ensure`), with the dependency order recorded. Checks here:
//! required properties, the level of values and conditions, normalisation
//! and mappings against the value's type, rollups, dimension children
//! (scorable, not `context`, weights > 0, gates), common levels, cycles.

use super::CheckError;
use super::exprs::Ctx;
use super::load::Decl;
use super::props::Props;
use super::resolve::{Named, Resolver, State};
use crate::diagnostic::Diag;
use crate::ir::{self, ChildRef, LevelId, Node, Type};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{self, Prop};

impl Resolver<'_> {
    fn node_decl(&self, n: Node) -> (&str, Span) {
        match n {
            Node::Let(i) => (&self.let_decls[i].id.name, self.let_decls[i].id.span),
            Node::Indicator(i) => (&self.ind_decls[i].id.name, self.ind_decls[i].id.span),
            Node::Dimension(i) => (&self.dim_decls[i].id.name, self.dim_decls[i].id.span),
        }
    }

    /// Resolves `n` if needed; `false` (after reporting) when `n` is part of a cycle.
    pub fn ensure_from(&mut self, n: Node, by: &ast::Ident) -> bool {
        match self.state.get(&n).copied().unwrap_or(State::Todo) {
            State::Done => true,
            State::Active => {
                let pos = self.stack.iter().position(|(x, _, _)| *x == n).unwrap_or(0);
                let mut names: Vec<String> = self.stack[pos..]
                    .iter()
                    .map(|(_, name, _)| name.clone())
                    .collect();
                names.push(by.name.clone());
                let mut d = Diag::error(
                    CheckError::Cycle(names.join(" → ")),
                    by.span,
                    "closes the cycle",
                )
                .help("an item cannot depend on itself, directly or through others");
                for (_, name, span) in &self.stack[pos..] {
                    d = d.related(*span, format!("`{name}` is defined here"));
                }
                self.diags.push(d);
                false
            }
            State::Todo => {
                self.ensure(n);
                true
            }
        }
    }

    pub fn ensure(&mut self, n: Node) {
        if self.state.get(&n).is_some_and(|s| *s != State::Todo) {
            return;
        }
        self.state.insert(n, State::Active);
        let (name, span) = self.node_decl(n);
        self.stack.push((n, name.to_string(), span));
        match n {
            Node::Let(i) => self.resolve_let(i),
            Node::Indicator(i) => self.resolve_indicator(i),
            Node::Dimension(i) => self.resolve_dimension(i),
        }
        self.stack.pop();
        self.state.insert(n, State::Done);
        self.order.push(n);
    }

    fn resolve_let(&mut self, i: usize) {
        let l = self.let_decls[i];
        let expr = self.expr(&l.expr, Ctx::at(None));
        self.lets[i] = Some(ir::Let {
            id: l.id.name.clone(),
            expr,
            doc: l.doc.as_ref().map(ast::Doc::text),
            span: l.id.span,
        });
    }

    /// `at LEVEL`, reported when absent.
    fn at(&mut self, b: &ast::Block, what: &str) -> Option<LevelId> {
        match Props(&b.props).at() {
            Some((l, _)) => self.level_ref(l),
            None => {
                self.diags.push(
                    Diag::error(
                        CheckError::MissingProperty("at".into()),
                        b.id.span,
                        format!("{what} without `at`"),
                    )
                    .help("say at which level it is computed, e.g. `at enterprise`"),
                );
                None
            }
        }
    }

    fn resolve_indicator(&mut self, i: usize) {
        let b = self.ind_decls[i];
        let name = b.id.name.clone();
        let props = Props(&b.props);
        let at_opt = self.at(b, "indicator");
        let at = at_opt.unwrap_or(0);
        let ctx = Ctx::of_item(at_opt);
        let value = self.indicator_value(b, ctx, at_opt);
        let label = self.opt_labels(
            props.label().map(|x| x.0),
            &format!("the label of indicator `{name}`"),
        );
        let description = self.opt_labels(
            props.description().map(|x| x.0),
            &format!("the description of indicator `{name}`"),
        );
        let unit = props.unit().map(|(s, _)| s.value.clone());
        let better = match props.better() {
            Some((ast::Better::Lower, _)) => ir::Better::Lower,
            _ => ir::Better::Higher,
        };
        let when = props.when().map(|(e, _)| {
            let w = self.expr(e, ctx);
            self.expect(&w, Type::Bool, "`when`");
            self.level_within(&w, at, "`when`");
            w
        });
        let min_n = props
            .min_n()
            .and_then(|(n, span)| self.whole(n, span, "min_n", 1));
        let rate = props.rate().and_then(|(r, _)| self.ratings_ref(r));
        let nature = props.nature().map(|(x, _)| x.name.clone());
        // A context indicator describes the unit: it is reported, never scored.
        let normalize = if nature.as_deref() == Some("context") {
            None
        } else {
            self.normalize(b, &value, unit.as_deref(), at)
        };
        let rollup = self.rollup(b, &value, at);
        let levels: Vec<LevelId> = match rollup {
            ir::Rollup::None => vec![at],
            _ => (0..=at).rev().collect(),
        };
        self.indicators[i] = Some(ir::Indicator {
            id: name,
            at,
            label,
            description,
            value,
            unit,
            better,
            normalize,
            rollup,
            when,
            min_n,
            rate,
            method: props.method().map(|(x, _)| x.name.clone()),
            nature,
            source: props.source().map(|(x, _)| x.value.clone()),
            tags: props
                .tags()
                .map(|(t, _)| t.iter().map(|s| s.value.clone()).collect())
                .unwrap_or_default(),
            locked: props.has(&Prop::Locked),
            doc: b.doc.as_ref().map(ast::Doc::text),
            span: b.id.span,
            levels,
        });
    }

    /// An indicator's value, checked: at its level, and a number, a yes/no
    /// or an option (not a set of options). A stand-in when it is missing.
    fn indicator_value(&mut self, b: &ast::Block, ctx: Ctx<'_>, at: Option<LevelId>) -> ir::Expr {
        let Some((e, _)) = Props(&b.props).value() else {
            self.diags.push(
                Diag::error(
                    CheckError::MissingProperty("value".into()),
                    b.id.span,
                    "indicator without `value`",
                )
                .help("add `value EXPR`, e.g. `value share(confiance >= 4)`"),
            );
            return self.err(b.id.span);
        };
        let v = self.expr(e, ctx);
        if let Some(at) = at {
            self.level_within(&v, at, "the value");
        }
        if let Type::Set(_) | Type::Level(_) = v.ty {
            let msg = format!("an indicator's value cannot be {}", self.type_name(v.ty));
            self.diags.push(
                Diag::error(CheckError::TypeMismatch(msg), v.span, "this value").help(
                    "count the options chosen (`count_selected(x)`) or test one (`x has \"a\"`)",
                ),
            );
        }
        v
    }

    /// Reports an expression that varies at a finer level than `at`.
    fn level_within(&mut self, e: &ir::Expr, at: LevelId, what: &str) {
        if let Some(l) = e.level
            && l > at
            && e.ty != Type::Error
        {
            let msg = format!(
                "{what} varies by `{}` but is needed once per `{}`",
                self.levels[l].id, self.levels[at].id
            );
            self.diags.push(
                Diag::error(
                    CheckError::WrongLevel(msg),
                    e.span,
                    format!("one value per `{}`", self.levels[l].id),
                )
                .help("aggregate it to this level, e.g. `mean(x)`, `share(c)` or `count(c)`"),
            );
        }
    }

    fn mapping_entries(&mut self, entries: &[ast::MapEntry]) -> Vec<(ir::MapKey, f64)> {
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
                ir::ExprKind::Agg {
                    func: ir::AggFunc::Share,
                    ..
                }
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
    fn check_gate_scale(&mut self, g: &ir::Expr) {
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
                            && self.indicators[*i]
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

    fn normalize(
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
                if self.is_share(value, unit) && r.hi.value > 1.0 && !r.hi.raw.ends_with('%') {
                    self.scale_mismatch(r.span, "these goalposts");
                }
                if r.lo.value >= r.hi.value {
                    self.diags.push(
                        Diag::error(CheckError::InvalidValue("goalposts run from the worst value to the best, lower first".into()), r.span, "empty or reversed")
                            .help("for an indicator where less is better, keep `LO..HI` and add `better lower`"),
                    );
                }
                ir::Normalize::Goalposts {
                    lo: r.lo.value,
                    hi: r.hi.value,
                }
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
                let entries = match self.m.mappings.get(&id.name).map(|e| &e.decl) {
                    Some(Decl::Mapping(m)) => {
                        let m = m.clone();
                        self.mapping_entries(&m.entries)
                    }
                    _ => {
                        let help =
                            suggest::closest(&id.name, self.m.mappings.keys().map(String::as_str))
                                .map(|s| format!("did you mean `{s}`?"));
                        self.diags.push(
                            Diag::error(
                                CheckError::UnknownName(id.name.clone()),
                                id.span,
                                "no mapping has this name",
                            )
                            .maybe_help(help),
                        );
                        return None;
                    }
                };
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

    /// A mapping over an option value must cover every option and only options.
    fn check_map(&mut self, entries: &[(ir::MapKey, f64)], value: &ir::Expr, span: Span) {
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

    fn rollup(&mut self, b: &ast::Block, value: &ir::Expr, at: LevelId) -> ir::Rollup {
        let aggregated = value.has_aggregate();
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
        let fail = |s: &mut Self, msg: String, help: &str| {
            s.diags.push(
                Diag::error(CheckError::Rollup(msg), span, "this rollup")
                    .related(value.span, "the value")
                    .help(help.to_string()),
            );
        };
        let ty = value.ty;
        match r {
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
                    format!("`rollup {}` needs a number value, found {tn}", kind.name),
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
        if let Some(w) = weight {
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
            return ir::Rollup::MeanWeighted(we);
        }
        r
    }

    /// Levels at which an indicator can have a score.
    fn scored_levels(&self, c: ChildRef) -> Vec<LevelId> {
        match c {
            ChildRef::Indicator(i) => match &self.indicators[i] {
                Some(ind) if matches!(ind.rollup, ir::Rollup::Distribution) => vec![ind.at],
                Some(ind) => ind.levels.clone(),
                None => Vec::new(),
            },
            ChildRef::Dimension(i) => self.dimensions[i]
                .as_ref()
                .map(|d| d.levels.clone())
                .unwrap_or_default(),
        }
    }

    fn resolve_dimension(&mut self, i: usize) {
        let b = self.dim_decls[i];
        let name = b.id.name.clone();
        let (children, evidence) = self.dimension_children(b);
        let levels = self.common_levels(b, &children);
        let finest = levels.first().copied();
        let (aggregate, require) = self.combination(b);
        let rate = match Props(&b.props).rate() {
            Some((r, _)) => self.ratings_ref(r),
            None => self.default_rate,
        };
        let when = Props(&b.props).when().map(|(e, _)| {
            let w = self.expr(e, Ctx::at(finest));
            self.expect(&w, Type::Bool, "`when`");
            if let Some(f) = finest {
                self.level_within(&w, f, "`when`");
            }
            w
        });
        let gates = self.gates(b, &children, finest);
        let label = self.opt_labels(
            Props(&b.props).label().map(|x| x.0),
            &format!("the label of dimension `{name}`"),
        );
        let description = self.opt_labels(
            Props(&b.props).description().map(|x| x.0),
            &format!("the description of dimension `{name}`"),
        );
        self.dimensions[i] = Some(ir::Dimension {
            id: name,
            label,
            description,
            aggregate,
            require,
            rate,
            children,
            evidence,
            gates,
            when,
            locked: Props(&b.props).has(&Prop::Locked),
            doc: b.doc.as_ref().map(ast::Doc::text),
            span: b.id.span,
            levels,
            top: true,
        });
    }

    /// A dimension's `use` lines and evidence, each child once.
    fn dimension_children(&mut self, b: &ast::Block) -> (Vec<ir::Child>, Vec<ir::EvidenceId>) {
        let mut children: Vec<ir::Child> = Vec::new();
        let mut evidence = Vec::new();
        for p in &b.props {
            match &p.prop {
                Prop::Use { id, weight } => {
                    let w = weight.as_ref().map(|n| n.value).unwrap_or(1.0);
                    if let Some(n) = weight
                        && n.value <= 0.0
                    {
                        self.diags.push(
                            Diag::error(
                                CheckError::BadWeight(n.raw.clone()),
                                n.span,
                                "not above zero",
                            )
                            .help("to leave a child out, `drop` it or remove the `use` line"),
                        );
                    }
                    let Some(c) = self.child(id, p.span) else {
                        continue;
                    };
                    if children.iter().any(|x| x.item == c) {
                        self.diags.push(
                            Diag::error(
                                CheckError::DuplicateName(id.name.clone()),
                                id.span,
                                "used twice in this dimension",
                            )
                            .help("give it one `use` line with the weight you want"),
                        );
                        continue;
                    }
                    self.in_dimension.insert(c);
                    children.push(ir::Child { item: c, weight: w });
                }
                Prop::EvidenceRef(id) => match self.names.get(&id.name) {
                    Some(Named::Evidence(e)) => evidence.push(*e),
                    _ => {
                        let candidates: Vec<&str> =
                            self.ev_decls.iter().map(|e| e.id.name.as_str()).collect();
                        let help = suggest::closest(&id.name, candidates)
                            .map(|s| format!("did you mean `{s}`?"));
                        self.diags.push(
                            Diag::error(
                                CheckError::UnknownName(id.name.clone()),
                                id.span,
                                "no evidence has this name",
                            )
                            .maybe_help(help),
                        );
                    }
                },
                _ => {}
            }
        }
        if !b.props.iter().any(|p| matches!(p.prop, Prop::Use { .. })) {
            self.diags.push(
                Diag::error(
                    CheckError::MissingProperty("a child".into()),
                    b.id.span,
                    "dimension without children",
                )
                .help("add `use INDICATOR` lines or inline indicators"),
            );
        }
        (children, evidence)
    }

    /// The levels at which every child of a dimension has a score; an
    /// error when there are none.
    fn common_levels(&mut self, b: &ast::Block, children: &[ir::Child]) -> Vec<LevelId> {
        // Levels where every child has a score.
        let mut levels: Option<Vec<LevelId>> = None;
        for c in children {
            let l = self.scored_levels(c.item);
            levels = Some(match levels {
                None => l,
                Some(prev) => prev.into_iter().filter(|x| l.contains(x)).collect(),
            });
        }
        let levels = levels.unwrap_or_default();
        // Without levels, items are not placed and that is reported once
        // already: saying the children share no level would only repeat it.
        if levels.is_empty() && !children.is_empty() && !self.levels.is_empty() {
            let detail = children
                .iter()
                .map(|c| {
                    let ls = self
                        .scored_levels(c.item)
                        .iter()
                        .filter_map(|l| Some(self.levels.get(*l)?.id.clone()))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "`{}` at {}",
                        self.child_name(c.item),
                        if ls.is_empty() { "no level".into() } else { ls }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            self.diags.push(
                Diag::error(CheckError::NoCommonLevel(detail), b.id.span, "never scored")
                    .help("its children must be scored at one level at least; check their `at` and `rollup`"),
            );
        }
        levels
    }

    /// How a dimension combines its children, and the share of their
    /// weight that must be scored.
    fn combination(&mut self, b: &ast::Block) -> (ir::Aggregate, f64) {
        let aggregate = match Props(&b.props)
            .aggregate()
            .map(|(a, s)| (a.name.as_str(), s))
        {
            Some(("geometric", _)) => ir::Aggregate::Geometric,
            Some(("harmonic", _)) => ir::Aggregate::Harmonic,
            Some(("median", _)) => ir::Aggregate::Median,
            Some(("min", _)) => ir::Aggregate::Min,
            Some(("max", _)) => ir::Aggregate::Max,
            _ => ir::Aggregate::Mean,
        };
        let require = match Props(&b.props).require() {
            Some((n, span)) => {
                if !(0.0..=1.0).contains(&n.value) {
                    self.diags.push(
                        Diag::error(CheckError::InvalidValue("`require` is a share of the children's weight, between 0% and 100%".into()), span, format!("found {}", n.raw))
                            .help(format!("write it as a percentage, e.g. `require {}%`", n.value.clamp(0.0, 100.0))),
                    );
                }
                n.value
            }
            None => 0.5,
        };
        (aggregate, require)
    }

    /// A dimension's gates, checked against its own children.
    fn gates(
        &mut self,
        b: &ast::Block,
        children: &[ir::Child],
        finest: Option<LevelId>,
    ) -> Vec<ir::Gate> {
        let gate_children: Vec<ChildRef> = children.iter().map(|c| c.item).collect();
        let mut gates = Vec::new();
        for p in &b.props {
            if let Prop::Gate(e) = &p.prop {
                let g = self.expr(
                    e,
                    Ctx {
                        gate: Some(&gate_children),
                        ..Ctx::at(finest)
                    },
                );
                self.expect(&g, Type::Bool, "a gate");
                self.check_gate_scale(&g);
                gates.push(ir::Gate {
                    text: crate::syntax::spell::expr_to_string(e),
                    expr: g,
                });
            }
        }
        gates
    }

    /// A dimension's child by name: an indicator that can be scored, or a dimension.
    fn child(&mut self, id: &ast::Ident, span: Span) -> Option<ChildRef> {
        match self.names.get(&id.name).copied() {
            Some(Named::Indicator(i)) => {
                if !self.ensure_from(Node::Indicator(i), id) {
                    return None;
                }
                let ind = self.indicators[i].as_ref().expect("resolved indicator");
                let decl = self.ind_decls[i];
                if ind.nature.as_deref() == Some("context") {
                    let nature_span = decl
                        .props
                        .iter()
                        .find(|p| matches!(p.prop, Prop::Nature(_)))
                        .map(|p| p.span);
                    let mut d = Diag::error(CheckError::ContextInDimension(id.name.clone()), span, "used in a dimension")
                        .help("context indicators describe the unit and are reported, never scored: remove this line, or change its `nature`");
                    if let Some(s) = nature_span {
                        d = d.related(s, "declared as context here");
                    }
                    self.diags.push(d);
                    return None;
                }
                if ind.normalize.is_none() && ind.value.ty != Type::Error {
                    let help = match ind.value.ty {
                        Type::Number => {
                            "add `normalize goalposts LO..HI` (or `target`, `minmax`, `rank`, `map`), or `unit \"%\"` for a share"
                        }
                        Type::Option(_) => "add `normalize map { \"option\": points, … }`",
                        _ => "only numbers, yes/no values and options can be scored",
                    };
                    self.diags.push(
                        Diag::error(
                            CheckError::Unscorable(id.name.clone()),
                            span,
                            "no way to turn its value into a score",
                        )
                        .related(decl.id.span, "declared here")
                        .help(help),
                    );
                    return None;
                }
                Some(ChildRef::Indicator(i))
            }
            Some(Named::Dimension(d)) => {
                if !self.ensure_from(Node::Dimension(d), id) {
                    return None;
                }
                Some(ChildRef::Dimension(d))
            }
            Some(other) => {
                let found = match other {
                    Named::Level(_) => "level",
                    Named::Question(_) => "question",
                    Named::Let(_) => "let",
                    _ => "evidence",
                };
                self.diags.push(
                    Diag::error(
                        CheckError::WrongKind {
                            name: id.name.clone(),
                            found,
                            expected: "an indicator or a dimension",
                        },
                        id.span,
                        "cannot be a child",
                    )
                    .help(format!(
                        "declare an indicator whose value is `{}` and use that",
                        id.name
                    )),
                );
                None
            }
            None => {
                if let Some(&removed) = self.m.removed.get(&id.name) {
                    self.diags.push(
                        Diag::error(
                            CheckError::RemovedReference(id.name.clone()),
                            id.span,
                            "still used here",
                        )
                        .related(removed, "removed here"),
                    );
                    return None;
                }
                let candidates: Vec<&str> = self
                    .names
                    .iter()
                    .filter(|(_, n)| matches!(n, Named::Indicator(_) | Named::Dimension(_)))
                    .map(|(k, _)| k.as_str())
                    .collect();
                let help =
                    suggest::closest(&id.name, candidates).map(|s| format!("did you mean `{s}`?"));
                self.diags.push(
                    Diag::error(
                        CheckError::UnknownName(id.name.clone()),
                        id.span,
                        "no indicator or dimension has this name",
                    )
                    .maybe_help(help),
                );
                None
            }
        }
    }

    pub fn ensure_evidence(&mut self, i: usize) {
        let b = self.ev_decls[i];
        let at_opt = self.at(b, "evidence");
        let at = at_opt.unwrap_or(0);
        let label = self.opt_labels(
            Props(&b.props).label().map(|x| x.0),
            &format!("the label of evidence `{}`", b.id.name),
        );
        let (collect, filter) = match Props(&b.props).collect() {
            Some(((e, f), _)) => {
                let c = self.expr(e, Ctx::of_item(at_opt));
                if c.has_aggregate() {
                    self.diags.push(Diag::error(
                        CheckError::AggregateLevel(
                            "evidence collects answers as they are, not aggregates".into(),
                        ),
                        c.span,
                        "aggregate",
                    ));
                }
                if let Some(l) = c.level
                    && l < at
                    && c.ty != Type::Error
                {
                    self.diags.push(Diag::error(
                        CheckError::WrongLevel(format!(
                            "evidence at `{}` collects from its own level or a finer one",
                            self.levels[at].id
                        )),
                        c.span,
                        format!("this is at `{}`", self.levels[l].id),
                    ));
                }
                let f = f.as_ref().map(|f| {
                    let x = self.expr(f, Ctx::of_item(at_opt));
                    self.expect(&x, Type::Bool, "the `where` filter");
                    x
                });
                (c, f)
            }
            None => {
                self.diags.push(
                    Diag::error(
                        CheckError::MissingProperty("collect".into()),
                        b.id.span,
                        "evidence without `collect`",
                    )
                    .help("add `collect QUESTION`, e.g. `collect temoignage where en_insertion`"),
                );
                (
                    ir::Expr {
                        id: ir::ExprId::default(),
                        kind: ir::ExprKind::Num(f64::NAN),
                        ty: Type::Error,
                        level: None,
                        span: b.id.span,
                    },
                    None,
                )
            }
        };
        let keep = Props(&b.props)
            .keep()
            .and_then(|(n, span)| self.whole(n, span, "keep", 1))
            .map(|k| k as usize);
        self.evidence[i] = Some(ir::Evidence {
            id: b.id.name.clone(),
            at,
            label,
            collect,
            filter,
            keep,
            doc: b.doc.as_ref().map(ast::Doc::text),
            span: b.id.span,
        });
    }

    pub fn resolve_rules(&mut self) -> Vec<ir::Rule> {
        let m = self.m;
        let mut out = Vec::new();
        for e in m.rules.values() {
            let Decl::Rule(b) = &e.decl else { continue };
            let Some(at) = self.at(b, "rule") else {
                continue;
            };
            let Some((c, _)) = Props(&b.props).check() else {
                self.diags.push(
                    Diag::error(
                        CheckError::MissingProperty("check".into()),
                        b.id.span,
                        "rule without `check`",
                    )
                    .help("add `check CONDITION`, true when the row is plausible"),
                );
                continue;
            };
            let check = self.expr(c, Ctx::at(None));
            self.expect(&check, Type::Bool, "a rule's check");
            self.level_within(&check, at, "a rule's check");
            let message = self.opt_labels(
                Props(&b.props).message().map(|x| x.0),
                &format!("the message of rule `{}`", b.id.name),
            );
            let severity = match Props(&b.props)
                .severity()
                .map(|(s, at)| (s.name.as_str(), at))
            {
                Some(("error", _)) => ir::RuleSeverity::Error,
                _ => ir::RuleSeverity::Warning,
            };
            out.push(ir::Rule {
                id: b.id.name.clone(),
                at,
                check,
                message,
                severity,
                span: b.id.span,
            });
        }
        out
    }
}

fn key_text(k: &ir::MapKey) -> String {
    match k {
        ir::MapKey::Num(n) => crate::text::number(*n),
        ir::MapKey::Text(t) => t.clone(),
    }
}
