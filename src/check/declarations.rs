//! Levels, questions and ratings: what other items name.
//!
//! In: their merged AST blocks. Out: IR levels (ordered coarsest first,
//! each `within` its parent), questions with their types, options, columns
//! and ranges, and ratings scales; diagnostics for cycles and gaps in the
//! level chain, unknown levels, options declared twice, steps out of order.

use super::CheckError;
use super::load::Decl;
use super::props::Props;
use super::resolve::{Named, Resolver};
use crate::diagnostic::Diag;
use crate::ir::{self, LevelId};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{self, Prop};
use std::collections::HashMap;

impl Resolver<'_> {
    pub(super) fn resolve_levels(&mut self) {
        let m = self.m;
        let blocks: Vec<&ast::Block> = m
            .items
            .values()
            .filter_map(|e| match &e.decl {
                Decl::Level(b) => Some(b),
                _ => None,
            })
            .collect();
        let parent = self.level_parents(&blocks);
        let roots: Vec<usize> = (0..blocks.len()).filter(|&i| parent[i].is_none()).collect();
        if blocks.is_empty() {
            return;
        }
        let chain = self.level_chain(&blocks, &parent, &roots);
        self.declare_levels(&blocks, &parent, &chain);
    }

    /// The parent of each declared level (by declaration index), from
    /// `within`; errors for a level within itself or an unknown one.
    fn level_parents(&mut self, blocks: &[&ast::Block]) -> Vec<Option<usize>> {
        let index: HashMap<&str, usize> = blocks
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id.name.as_str(), i))
            .collect();
        // Parent of each declared level, by declaration index.
        let mut parent: Vec<Option<usize>> = vec![None; blocks.len()];
        for (i, b) in blocks.iter().enumerate() {
            if let Some(((p, _), _)) = Props(&b.props).within() {
                match index.get(p.name.as_str()) {
                    Some(&j) if j != i => parent[i] = Some(j),
                    Some(_) => self.diags.push(Diag::error(
                        CheckError::LevelChain(format!("`{}` is within itself", p.name)),
                        p.span,
                        "its own parent",
                    )),
                    None => {
                        let help = suggest::closest(&p.name, index.keys().copied())
                            .map(|s| format!("did you mean `{s}`?"));
                        self.diags.push(
                            Diag::error(
                                CheckError::UnknownLevel(p.name.clone()),
                                p.span,
                                "no level has this name",
                            )
                            .maybe_help(help),
                        );
                    }
                }
            }
        }
        parent
    }

    /// The levels in chain order from the coarsest, those not reached
    /// (circles, branches) appended so that names still resolve; errors
    /// for two roots, two finer levels of one level, or a circle.
    fn level_chain(
        &mut self,
        blocks: &[&ast::Block],
        parent: &[Option<usize>],
        roots: &[usize],
    ) -> Vec<usize> {
        if roots.len() > 1 {
            let mut d = Diag::error(
                CheckError::LevelChain("more than one level has no `within`".into()),
                blocks[roots[1]].id.span,
                "no parent",
            )
            .related(blocks[roots[0]].id.span, "no parent either")
            .help("levels form one chain from the coarsest to the finest: add `within PARENT` to all but the top level");
            if roots.len() > 2 {
                d = d.related(blocks[roots[2]].id.span, "nor this one");
            }
            self.diags.push(d);
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); blocks.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                children[*p].push(i);
            }
        }
        for (p, cs) in children.iter().enumerate() {
            if cs.len() > 1 {
                self.diags.push(
                    Diag::error(
                        CheckError::LevelChain(format!("`{}` has two finer levels", blocks[p].id.name)),
                        blocks[cs[1]].id.span,
                        "second level within it",
                    )
                    .related(blocks[cs[0]].id.span, "first level within it")
                    .help("a framework's levels form a single chain, such as territory ▸ enterprise ▸ person"),
                );
            }
        }
        // Walk the chain from the root.
        let mut chain = Vec::new();
        let mut seen = vec![false; blocks.len()];
        let mut cur = roots.first().copied();
        while let Some(c) = cur {
            if seen[c] {
                break;
            }
            seen[c] = true;
            chain.push(c);
            cur = children[c].first().copied();
        }
        if roots.is_empty() {
            self.diags.push(
                Diag::error(
                    CheckError::LevelChain("the levels are within each other in a circle".into()),
                    blocks[0].id.span,
                    "in the circle",
                )
                .help("the coarsest level has no `within`"),
            );
        }
        // Levels not reached (cycles, branches) are appended so that names still resolve.
        for i in 0..blocks.len() {
            if !seen[i] {
                chain.push(i);
            }
        }
        chain
    }

    /// Enters the levels in chain order, with their keys and parent columns.
    fn declare_levels(
        &mut self,
        blocks: &[&ast::Block],
        parent: &[Option<usize>],
        chain: &[usize],
    ) {
        let pos: HashMap<usize, ir::LevelId> = chain
            .iter()
            .enumerate()
            .map(|(k, &i)| (i, k.into()))
            .collect();
        for &i in chain {
            let b = blocks[i];
            let label = self.opt_labels(
                Props(&b.props).label().map(|x| x.0),
                &format!("the label of level `{}`", b.id.name),
            );
            let props = Props(&b.props);
            let key = props
                .key()
                .map_or_else(|| b.id.name.clone(), |(s, _)| s.value.clone());
            let via = props
                .within()
                .and_then(|((_, via), _)| via)
                .map(|s| s.value.clone());
            let parent_id = parent[i].and_then(|p| pos.get(&p).copied());
            let parent_column = parent[i].map(|p| via.unwrap_or_else(|| blocks[p].id.name.clone()));
            self.names
                .insert(b.id.name.clone(), Named::Level(self.levels.next_key()));
            self.levels.push(ir::Level {
                id: b.id.name.clone(),
                label,
                key,
                parent: parent_id,
                parent_column,
                name_column: props.name().map(|(s, _)| s.value.clone()),
                span: b.id.span,
            });
        }
    }

    pub fn level_ref(&mut self, id: &ast::Ident) -> Option<LevelId> {
        match self.names.get(&id.name) {
            Some(Named::Level(l)) => Some(*l),
            _ => {
                let names = self.levels.iter().map(|l| l.id.as_str());
                let help = match suggest::closest(&id.name, names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "declared levels: {}",
                        self.levels
                            .iter()
                            .map(|l| format!("`{}`", l.id))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                self.diags.push(
                    Diag::error(
                        CheckError::UnknownLevel(id.name.clone()),
                        id.span,
                        "no level has this name",
                    )
                    .help(help),
                );
                None
            }
        }
    }

    pub(super) fn resolve_questions(&mut self, sections: &HashMap<String, ir::SectionId>) {
        let m = self.m;
        for e in m.items.values() {
            let Decl::Question(q, level_id, section) = &e.decl else {
                continue;
            };
            let level = self.level_ref(level_id);
            if level.is_none() {
                self.unplaced.insert(self.questions.next_key());
            }
            let level = level.unwrap_or(ir::LevelId::TOP);
            let what = format!("the label of question `{}`", q.id.name);
            let label = self.opt_labels(Props(&q.props).label().map(|x| x.0), &what);
            let description = self.opt_labels(
                Props(&q.props).description().map(|x| x.0),
                &format!("the description of question `{}`", q.id.name),
            );
            let ty = self.question_type(q);
            let props = Props(&q.props);
            let names: Vec<String> = props
                .column()
                .map(|(v, _)| v.iter().map(|s| s.value.clone()).collect())
                .unwrap_or_default();
            let column = names.first().cloned().unwrap_or_else(|| q.id.name.clone());
            let aliases = names.iter().skip(1).cloned().collect();
            let unit = props.unit().map(|(s, _)| s.value.clone());
            let range = props.range().map(|x| x.0);
            if let Some(r) = range
                && r.lo.value > r.hi.value
            {
                self.diags.push(Diag::error(
                    CheckError::InvalidValue("a range's lower end comes first".into()),
                    r.span,
                    "lower end is above the upper end",
                ));
            }
            let range = range.map(|r| (r.lo.value, r.hi.value));
            let integer = props.has(&Prop::Integer);
            let required = props.has(&Prop::Required);
            let section = self.question_section(q, level, section.as_ref(), sections);
            self.names.insert(
                q.id.name.clone(),
                Named::Question(self.questions.next_key()),
            );
            self.questions.push(ir::Question {
                id: q.id.name.clone(),
                level,
                ty,
                label,
                description,
                required,
                column,
                aliases,
                unit,
                range,
                integer,
                when: None,
                section,
                doc: q.doc.as_ref().map(ast::Doc::text),
                span: q.id.span,
            });
        }
    }

    /// A question's type, checked: `percent of 100` only, a scale between
    /// two whole numbers, at most 63 options for a multi question.
    fn question_type(&mut self, q: &ast::Question) -> ir::QType {
        match &q.ty.kind {
            ast::QTypeKind::Number => ir::QType::Number,
            ast::QTypeKind::Percent { of } => {
                if let Some(n) = of
                    && n.value != 100.0
                {
                    self.diags.push(
                            Diag::error(CheckError::InvalidValue("only `percent of 100` is supported".into()), n.span, "here")
                                .help("write `percent` for answers in 0..1 or `percent of 100` for answers in 0..100"),
                        );
                }
                ir::QType::Percent {
                    of_100: of.is_some(),
                }
            }
            ast::QTypeKind::Scale(r, points) => {
                if r.lo.value >= r.hi.value
                    || r.lo.value.fract() != 0.0
                    || r.hi.value.fract() != 0.0
                {
                    self.diags.push(Diag::error(
                        CheckError::InvalidValue(
                            "a scale runs between two whole numbers, the lower first".into(),
                        ),
                        r.span,
                        "this range",
                    ));
                }
                ir::QType::Scale {
                    lo: r.lo.value,
                    hi: r.hi.value,
                    points: self.points(points, r, &q.id.name),
                }
            }
            ast::QTypeKind::YesNo => ir::QType::YesNo,
            ast::QTypeKind::Choice(o) => ir::QType::Choice(self.options(o, &q.id.name)),
            ast::QTypeKind::Multi(o) => {
                if o.len() > 63 {
                    self.diags.push(
                        Diag::error(
                            CheckError::InvalidValue(format!(
                                "a multi question holds at most 63 options, `{}` has {}",
                                q.id.name,
                                o.len()
                            )),
                            q.ty.span,
                            "too many options",
                        )
                        .help("split it into several questions"),
                    );
                }
                ir::QType::Multi(self.options(o, &q.id.name))
            }
            ast::QTypeKind::Date => ir::QType::Date,
            ast::QTypeKind::Text => ir::QType::Text,
        }
    }

    /// A scale's labelled points: whole numbers inside its range, each once.
    fn points(
        &mut self,
        points: &[ast::OptionDecl],
        r: &ast::RangeLit,
        q: &str,
    ) -> Vec<ir::OptionDef> {
        let mut out = Vec::new();
        for p in points {
            let v: f64 = p.code.trim_end_matches('%').parse().unwrap_or(f64::NAN);
            let inside = v.fract() == 0.0 && v >= r.lo.value && v <= r.hi.value;
            if !inside || p.code.ends_with('%') {
                self.diags.push(
                    Diag::error(
                        CheckError::InvalidValue(format!(
                            "`{}` is not a point of the scale {}..{}",
                            p.code, r.lo.raw, r.hi.raw
                        )),
                        p.span,
                        "this point",
                    )
                    .help("label whole points inside the scale's range"),
                );
                continue;
            }
            let code = format!("{}", v as i64);
            if out.iter().any(|o: &ir::OptionDef| o.code == code) {
                self.diags.push(Diag::error(
                    CheckError::DuplicateOption(code),
                    p.span,
                    "labelled a second time",
                ));
                continue;
            }
            let what = format!("point {code} of `{q}`");
            let label = self.opt_labels(p.label.as_ref(), &what);
            out.push(ir::OptionDef { code, label });
        }
        out
    }

    fn options(&mut self, opts: &[ast::OptionDecl], q: &str) -> Vec<ir::OptionDef> {
        let mut out: Vec<ir::OptionDef> = Vec::new();
        let mut spans: HashMap<String, Span> = HashMap::new();
        for o in opts {
            if let Some(prev) = spans.get(&o.code) {
                self.diags.push(
                    Diag::error(
                        CheckError::DuplicateOption(o.code.clone()),
                        o.span,
                        "listed again",
                    )
                    .related(*prev, "first listed here"),
                );
                continue;
            }
            spans.insert(o.code.clone(), o.span);
            let label = self.opt_labels(o.label.as_ref(), &format!("option `{}` of `{q}`", o.code));
            out.push(ir::OptionDef {
                code: o.code.clone(),
                label,
            });
        }
        out
    }

    /// A step's `color`, checked: `#` and six hexadecimal digits.
    fn step_color(&mut self, props: &[ast::PropNode]) -> Option<String> {
        let (c, span) = Props(props).color()?;
        let hex = c.value.len() == 7
            && c.value.starts_with('#')
            && c.value[1..].chars().all(|x| x.is_ascii_hexdigit());
        if !hex {
            self.diags.push(
                Diag::error(
                    CheckError::InvalidValue(format!("`{}` is not a colour", c.value)),
                    span,
                    "not #rrggbb",
                )
                .help("write a colour as `#` and six hexadecimal digits, e.g. `color \"#1a9850\"`"),
            );
        }
        hex.then(|| c.value.to_ascii_lowercase())
    }

    pub(super) fn resolve_ratings(&mut self) {
        let m = self.m;
        for e in m.ratings.values() {
            let Decl::Ratings(r) = &e.decl else { continue };
            let mut steps = Vec::new();
            let mut last: Option<(f64, Span)> = None;
            for (i, s) in r.steps.iter().enumerate() {
                let is_last = i + 1 == r.steps.len();
                match (&s.below, is_last) {
                    (Some(b), true) => self.diags.push(
                        Diag::error(CheckError::RatingsOrder("the last step has a bound".into()), b.span, "no bound here")
                            .help("the last step takes every score the others leave: remove `below`, or add a step after it"),
                    ),
                    (None, false) => self.diags.push(
                        Diag::error(CheckError::RatingsOrder(format!("step `{}` has no bound but is not last", s.id.name)), s.id.span, "needs `below N`")
                            .help("only the last step has no `below`"),
                    ),
                    (Some(b), false) => {
                        if let Some((prev, prev_span)) = last
                            && b.value <= prev {
                                self.diags.push(
                                    Diag::error(
                                        CheckError::RatingsOrder(format!("{} is not above the previous bound {}", b.raw, prev)),
                                        b.span,
                                        "this bound",
                                    )
                                    .related(prev_span, "previous bound")
                                    .help("list steps from the lowest score to the highest"),
                                );
                            }
                        if !(0.0..=100.0).contains(&b.value) {
                            self.diags.push(Diag::error(
                                CheckError::InvalidValue("a rating bound is a score between 0 and 100".into()),
                                b.span,
                                "out of 0..100",
                            ));
                        }
                        last = Some((b.value, b.span));
                    }
                    (None, true) => {}
                }
                let label = self.opt_labels(
                    Props(&s.props).label().map(|x| x.0),
                    &format!("step `{}` of ratings `{}`", s.id.name, r.id.name),
                );
                let color = self.step_color(&s.props);
                steps.push(ir::Step {
                    id: s.id.name.clone(),
                    below: s.below.as_ref().map(|b| b.value),
                    label,
                    color,
                });
            }
            if steps.is_empty() {
                self.diags.push(Diag::error(
                    CheckError::MissingProperty("a rating step".into()),
                    r.id.span,
                    "no steps",
                ));
                steps.push(ir::Step {
                    id: "none".into(),
                    below: None,
                    label: ir::Labels::default(),
                    color: None,
                });
            }
            let key = self.ratings.next_key();
            self.ratings_index.insert(r.id.name.clone(), key);
            let bounds = steps.iter().filter_map(|s| s.below).collect();
            self.ratings.push(ir::Ratings {
                id: r.id.name.clone(),
                steps,
                bounds,
            });
        }
    }

    pub fn ratings_ref(&mut self, id: &ast::Ident) -> Option<ir::RatingsId> {
        if let Some(&r) = self.ratings_index.get(&id.name) {
            return Some(r);
        }
        let help = suggest::closest(&id.name, self.ratings_index.keys().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"));
        self.diags.push(
            Diag::error(
                CheckError::UnknownName(id.name.clone()),
                id.span,
                "no `ratings` block has this name",
            )
            .maybe_help(help),
        );
        None
    }
}
