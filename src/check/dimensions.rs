//! Dimensions: their children, the levels those are scored at, how they
//! combine, and their gates.
//!
//! In: a dimension's block. Out: an IR dimension; errors for unknown or
//! repeated children, weights not above zero, children with no common
//! level, and gates that read anything but the dimension's children.

use super::CheckError;
use super::exprs::Ctx;
use super::props::Props;
use super::resolve::{Named, Resolver};
use crate::diagnostic::Diag;
use crate::ir::{self, ChildRef, LevelId, Node, Type};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{self, Prop};

impl Resolver<'_> {
    /// Levels at which an indicator can have a score.
    pub(super) fn scored_levels(&self, c: ChildRef) -> Vec<LevelId> {
        match c {
            ChildRef::Indicator(i) => match &self.items.indicators[i] {
                Some(ind) if matches!(ind.rollup, ir::Rollup::Distribution) => vec![ind.at],
                Some(ind) => ind.levels.clone(),
                None => Vec::new(),
            },
            ChildRef::Dimension(i) => self.items.dimensions[i]
                .as_ref()
                .map(|d| d.levels.clone())
                .unwrap_or_default(),
        }
    }

    pub(super) fn resolve_dimension(&mut self, i: ir::DimensionId) {
        let b = self.decls.dimensions[i];
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
        self.items.dimensions[i] = Some(ir::Dimension {
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
                        let candidates: Vec<&str> = self
                            .decls
                            .evidence
                            .iter()
                            .map(|e| e.id.name.as_str())
                            .collect();
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
    pub(super) fn child(&mut self, id: &ast::Ident, span: Span) -> Option<ChildRef> {
        match self.names.get(&id.name).copied() {
            Some(Named::Indicator(i)) => self.indicator_child(i, id, span),
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
                self.unknown_child(id);
                None
            }
        }
    }

    /// An indicator as a dimension's child: one that is scored, not `context`.
    fn indicator_child(
        &mut self,
        i: ir::IndicatorId,
        id: &ast::Ident,
        span: Span,
    ) -> Option<ChildRef> {
        if !self.ensure_from(Node::Indicator(i), id) {
            return None;
        }
        let ind = self.items.indicators[i]
            .as_ref()
            .expect("resolved indicator");
        let decl = self.decls.indicators[i];
        if ind.nature == Some(ir::Nature::Context) {
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

    /// A child name that names nothing: removed by an adaptation, or misspelt.
    fn unknown_child(&mut self, id: &ast::Ident) {
        if self.removed_reference(id, None) {
            return;
        }
        let candidates: Vec<&str> = self
            .names
            .iter()
            .filter(|(_, n)| matches!(n, Named::Indicator(_) | Named::Dimension(_)))
            .map(|(k, _)| k.as_str())
            .collect();
        let help = suggest::closest(&id.name, candidates).map(|s| format!("did you mean `{s}`?"));
        self.diags.push(
            Diag::error(
                CheckError::UnknownName(id.name.clone()),
                id.span,
                "no indicator or dimension has this name",
            )
            .maybe_help(help),
        );
    }
}
