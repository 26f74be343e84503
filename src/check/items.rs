//! Resolving items on demand: lets and indicators here; dimensions,
//! normalisation and rollups, evidence and rules in their own modules.
//!
//! In: their merged AST blocks. Out: IR items, each resolved after what it
//! names (`ensure`), with the dependency order recorded, so a name met
//! again while its item is being resolved is a cycle. Checks here:
//! required properties and the level of values and conditions.

use super::CheckError;
use super::exprs::Ctx;
use super::props::Props;
use super::resolve::{Resolver, State};
use crate::diagnostic::Diag;
use crate::ir::{self, LevelId, Node, Type};
use crate::source::Span;
use crate::syntax::ast::{self, Prop};

impl Resolver<'_> {
    fn node_decl(&self, n: Node) -> (&str, Span) {
        match n {
            Node::Let(i) => (&self.decls.lets[i].id.name, self.decls.lets[i].id.span),
            Node::Indicator(i) => (
                &self.decls.indicators[i].id.name,
                self.decls.indicators[i].id.span,
            ),
            Node::Dimension(i) => (
                &self.decls.dimensions[i].id.name,
                self.decls.dimensions[i].id.span,
            ),
        }
    }

    /// Resolves `n` if needed; `false` (after reporting) when `n` is part of a cycle.
    pub fn ensure_from(&mut self, n: Node, by: &ast::Ident) -> bool {
        match self.progress.state.get(&n).copied().unwrap_or(State::Todo) {
            State::Done => true,
            State::Active => {
                let pos = self
                    .progress
                    .stack
                    .iter()
                    .position(|(x, _, _)| *x == n)
                    .unwrap_or(0);
                let mut names: Vec<String> = self.progress.stack[pos..]
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
                for (_, name, span) in &self.progress.stack[pos..] {
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
        if self
            .progress
            .state
            .get(&n)
            .is_some_and(|s| *s != State::Todo)
        {
            return;
        }
        self.progress.state.insert(n, State::Active);
        let (name, span) = self.node_decl(n);
        self.progress.stack.push((n, name.to_string(), span));
        match n {
            Node::Let(i) => self.resolve_let(i),
            Node::Indicator(i) => self.resolve_indicator(i),
            Node::Dimension(i) => self.resolve_dimension(i),
        }
        self.progress.stack.pop();
        self.progress.state.insert(n, State::Done);
        self.progress.order.push(n);
    }

    fn resolve_let(&mut self, i: ir::LetId) {
        let l = self.decls.lets[i];
        let expr = self.expr(&l.expr, Ctx::at(None));
        self.items.lets[i] = Some(ir::Let {
            id: l.id.name.clone(),
            expr,
            doc: l.doc.as_ref().map(ast::Doc::text),
            span: l.id.span,
        });
    }

    /// `at LEVEL`, reported when absent.
    pub(super) fn at(&mut self, b: &ast::Block, what: &str) -> Option<LevelId> {
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

    fn resolve_indicator(&mut self, i: ir::IndicatorId) {
        let b = self.decls.indicators[i];
        let name = b.id.name.clone();
        let props = Props(&b.props);
        let at_opt = self.at(b, "indicator");
        let at = at_opt.unwrap_or(LevelId::TOP);
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
        // Unknown words were reported by the parser.
        let nature = props
            .nature()
            .and_then(|(x, _)| ir::Nature::from_word(&x.name));
        // A context indicator describes the unit: it is reported, never scored.
        let normalize = if nature == Some(ir::Nature::Context) {
            None
        } else {
            self.normalize(b, &value, unit.as_deref(), at)
        };
        let rollup = self.rollup(b, &value, at);
        let levels: Vec<LevelId> = match rollup {
            ir::Rollup::None => vec![at],
            _ => at.and_above().collect(),
        };
        let by = self.breakdowns(b, &value, at, &levels);
        self.items.indicators[i] = Some(ir::Indicator {
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
            by,
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
    pub(super) fn level_within(&mut self, e: &ir::Expr, at: LevelId, what: &str) {
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
}
