//! Resolution driver: merged model → IR.
//!
//! In: a [`Model`]. Out: an [`ir::Framework`] and diagnostics. Resolves the
//! header, labels, levels and questions here; lets, indicators, dimensions,
//! evidence and rules are resolved on demand (`items.rs`), so that each is
//! typed after what it names and a reference back to an item being
//! resolved is a cycle.

use super::CheckError;
use super::load::{Decl, Model};
use super::props::Props;
use crate::diagnostic::Diag;
use crate::ir::{self, LevelId, Node};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{self, Prop};
use std::collections::{HashMap, HashSet};

/// What a name in the main namespace refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Level(LevelId),
    Question(ir::QuestionId),
    Let(ir::LetId),
    Indicator(ir::IndicatorId),
    Dimension(ir::DimensionId),
    Evidence(ir::EvidenceId),
}

/// Progress of an item resolved on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Todo,
    /// Being resolved; reaching it again is a cycle.
    Active,
    Done,
}

pub struct Resolver<'m> {
    pub m: &'m Model,
    pub diags: Vec<Diag>,
    pub languages: Vec<String>,
    pub names: HashMap<String, Named>,
    pub levels: Vec<ir::Level>,
    pub questions: Vec<ir::Question>,
    pub let_decls: Vec<&'m ast::Let>,
    pub ind_decls: Vec<&'m ast::Block>,
    pub dim_decls: Vec<&'m ast::Block>,
    pub ev_decls: Vec<&'m ast::Block>,
    pub lets: Vec<Option<ir::Let>>,
    pub indicators: Vec<Option<ir::Indicator>>,
    pub dimensions: Vec<Option<ir::Dimension>>,
    pub evidence: Vec<Option<ir::Evidence>>,
    pub ratings: Vec<ir::Ratings>,
    pub ratings_index: HashMap<String, ir::RatingsId>,
    pub state: HashMap<Node, State>,
    /// The items being resolved, with the place that named the next one.
    pub stack: Vec<(Node, String, Span)>,
    pub order: Vec<Node>,
    pub used: HashSet<String>,
    /// Children used by some dimension.
    pub in_dimension: HashSet<ir::ChildRef>,
    pub default_rate: Option<ir::RatingsId>,
    /// Missing translations are reported for this language only.
    pub only_lang: Option<String>,
    /// Questions declared at a level that does not exist (reported once).
    pub unplaced: HashSet<ir::QuestionId>,
}

/// Resolves a merged model.
pub fn resolve(m: &Model, opts: &super::Options) -> (ir::Framework, Vec<Diag>) {
    let r = Resolver {
        m,
        diags: Vec::new(),
        languages: Vec::new(),
        names: HashMap::new(),
        levels: Vec::new(),
        questions: Vec::new(),
        let_decls: Vec::new(),
        ind_decls: Vec::new(),
        dim_decls: Vec::new(),
        ev_decls: Vec::new(),
        lets: Vec::new(),
        indicators: Vec::new(),
        dimensions: Vec::new(),
        evidence: Vec::new(),
        ratings: Vec::new(),
        ratings_index: HashMap::new(),
        state: HashMap::new(),
        stack: Vec::new(),
        order: Vec::new(),
        used: HashSet::new(),
        in_dimension: HashSet::new(),
        default_rate: None,
        only_lang: opts.lang.clone(),
        unplaced: HashSet::new(),
    };
    r.run()
}

/// The framework's own properties, from its header.
struct Header {
    title: ir::Labels,
    description: ir::Labels,
    version: Option<String>,
    missing: Vec<String>,
    dont_know: Vec<String>,
    refused: Vec<String>,
    min_group: u32,
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "and", "or", "not", "in", "has", "where", "weight", "true", "false",
];

impl<'m> Resolver<'m> {
    fn run(mut self) -> (ir::Framework, Vec<Diag>) {
        let header = self.header();
        self.reserved_names();
        self.resolve_levels();
        self.resolve_questions();
        self.declare_items();
        self.resolve_ratings();
        if let Some((id, _)) = Props(&self.m.header).rate() {
            self.default_rate = self.ratings_ref(id);
        }
        self.resolve_items();
        let rules = self.resolve_rules();
        self.mark_top_dimensions();
        // Unused items are noise while errors (often their cause) remain.
        if !self.diags.iter().any(Diag::is_error) {
            self.unused_warnings();
        }
        self.assemble(header, rules)
    }

    /// The framework's own properties, read from its header.
    fn header(&mut self) -> Header {
        let hp = Props(&self.m.header);
        if let Some((langs, _)) = hp.languages() {
            self.languages = langs.iter().map(|l| l.name.clone()).collect();
        }
        let strings = |v: Option<(&Vec<ast::Str>, Span)>| -> Option<Vec<String>> {
            v.map(|(v, _)| v.iter().map(|s| s.value.clone()).collect())
        };
        Header {
            title: hp
                .title()
                .map(|(l, _)| self.labels(l, "the framework's title"))
                .unwrap_or_default(),
            description: hp
                .description()
                .map(|(l, _)| self.labels(l, "the framework's description"))
                .unwrap_or_default(),
            version: hp.version().map(|(s, _)| s.value.clone()),
            missing: strings(hp.missing()).unwrap_or_else(|| vec![String::new(), "NA".to_string()]),
            dont_know: strings(hp.dont_know()).unwrap_or_default(),
            refused: strings(hp.refused()).unwrap_or_default(),
            min_group: match hp.min_group() {
                Some((n, span)) => self.whole(n, span, "min_group", 1).unwrap_or(1),
                None => 1,
            },
        }
    }

    /// Names expressions could not refer to are refused.
    fn reserved_names(&mut self) {
        for (name, e) in &self.m.items {
            if RESERVED.contains(&name.as_str()) {
                self.diags.push(
                    Diag::error(
                        CheckError::ReservedName(name.clone(), e.decl.kind().keyword()),
                        e.decl.id().span,
                        "reserved word",
                    )
                    .help("choose another name: expressions could not refer to this one"),
                );
            }
        }
    }

    /// Enters lets, indicators, dimensions and evidence in the namespace,
    /// unresolved: each is resolved when first named.
    fn declare_items(&mut self) {
        let m = self.m;
        for e in m.items.values() {
            let (slot, named) = match &e.decl {
                Decl::Let(l) => {
                    self.let_decls.push(l);
                    (&l.id.name, Named::Let(self.let_decls.len() - 1))
                }
                Decl::Indicator(b) => {
                    self.ind_decls.push(b);
                    (&b.id.name, Named::Indicator(self.ind_decls.len() - 1))
                }
                Decl::Dimension(b) => {
                    self.dim_decls.push(b);
                    (&b.id.name, Named::Dimension(self.dim_decls.len() - 1))
                }
                Decl::Evidence(b) => {
                    self.ev_decls.push(b);
                    (&b.id.name, Named::Evidence(self.ev_decls.len() - 1))
                }
                _ => continue,
            };
            self.names.insert(slot.clone(), named);
        }
        self.lets = vec![None; self.let_decls.len()];
        self.indicators = vec![None; self.ind_decls.len()];
        self.dimensions = vec![None; self.dim_decls.len()];
        self.evidence = vec![None; self.ev_decls.len()];
    }

    /// Resolves every item not yet resolved by being named, in declaration order.
    fn resolve_items(&mut self) {
        for i in 0..self.let_decls.len() {
            self.ensure(Node::Let(i));
        }
        for i in 0..self.ind_decls.len() {
            self.ensure(Node::Indicator(i));
        }
        for i in 0..self.dim_decls.len() {
            self.ensure(Node::Dimension(i));
        }
        for i in 0..self.ev_decls.len() {
            self.ensure_evidence(i);
        }
    }

    /// The framework, from everything resolved.
    fn assemble(mut self, h: Header, rules: Vec<ir::Rule>) -> (ir::Framework, Vec<Diag>) {
        let m = self.m;
        fn all<T>(v: &mut Vec<Option<T>>, what: &str) -> Vec<T> {
            v.drain(..)
                .map(|x| x.unwrap_or_else(|| panic!("every {what} is resolved")))
                .collect()
        }
        let fw = ir::Framework {
            id: m.id.name.clone(),
            title: h.title,
            description: h.description,
            version: h.version,
            languages: self.languages.clone(),
            extends: m.extends.clone(),
            missing: h.missing,
            dont_know: h.dont_know,
            refused: h.refused,
            min_group: h.min_group,
            levels: std::mem::take(&mut self.levels),
            questions: std::mem::take(&mut self.questions),
            lets: all(&mut self.lets, "let"),
            indicators: all(&mut self.indicators, "indicator"),
            dimensions: all(&mut self.dimensions, "dimension"),
            evidence: all(&mut self.evidence, "evidence"),
            ratings: std::mem::take(&mut self.ratings),
            rules,
            order: std::mem::take(&mut self.order),
            sources: m.sources.clone(),
        };
        (fw, self.diags)
    }

    /// A non-negative whole number property.
    pub fn whole(&mut self, n: &ast::Num, span: Span, what: &str, min: u32) -> Option<u32> {
        if n.value.fract() != 0.0 || n.value < min as f64 || n.value > u32::MAX as f64 {
            self.diags.push(Diag::error(
                CheckError::InvalidValue(format!(
                    "`{what}` must be a whole number of at least {min}"
                )),
                span,
                format!("found {}", n.raw),
            ));
            return None;
        }
        Some(n.value as u32)
    }

    /// Checks a label's languages and converts it.
    pub fn labels(&mut self, l: &ast::Label, what: &str) -> ir::Labels {
        let mut out = ir::Labels::default();
        let mut tagged = false;
        for part in &l.parts {
            match &part.lang {
                Some(lang) => {
                    tagged = true;
                    if !self.languages.is_empty() && !self.languages.contains(&lang.name) {
                        let help = match suggest::closest(
                            &lang.name,
                            self.languages.iter().map(String::as_str),
                        ) {
                            Some(s) => format!(
                                "did you mean `{s}`? Declared languages: {}",
                                self.languages.join(", ")
                            ),
                            None => format!(
                                "add it to the header (`languages {}, {}`) or remove this text",
                                self.languages.join(", "),
                                lang.name
                            ),
                        };
                        self.diags.push(
                            Diag::error(
                                CheckError::UnknownLanguage(lang.name.clone()),
                                lang.span,
                                "not a declared language",
                            )
                            .help(help),
                        );
                    }
                    out.0.insert(lang.name.clone(), part.text.value.clone());
                }
                None => {
                    out.0.insert(String::new(), part.text.value.clone());
                }
            }
        }
        if tagged && !self.languages.is_empty() && !out.0.contains_key("") {
            let missing: Vec<&str> = self
                .languages
                .iter()
                .filter(|x| {
                    !out.0.contains_key(*x) && self.only_lang.as_ref().is_none_or(|o| o == *x)
                })
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                let missing_s = missing
                    .iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.diags.push(
                    Diag::warning(
                        CheckError::MissingTranslation {
                            what: what.to_string(),
                            missing: missing_s,
                        },
                        l.span,
                        "incomplete",
                    )
                    .help(format!(
                        "add {} \"…\"; until then the {} text is shown",
                        missing[0],
                        self.languages
                            .first()
                            .map(String::as_str)
                            .unwrap_or("first")
                    )),
                );
            }
        }
        out
    }

    pub fn opt_labels(&mut self, l: Option<&ast::Label>, what: &str) -> ir::Labels {
        l.map(|l| self.labels(l, what)).unwrap_or_default()
    }

    fn resolve_levels(&mut self) {
        let m = self.m;
        let blocks: Vec<&ast::Block> = m
            .items
            .values()
            .filter_map(|e| {
                if let Decl::Level(b) = &e.decl {
                    Some(b)
                } else {
                    None
                }
            })
            .collect();
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
        let roots: Vec<usize> = (0..blocks.len()).filter(|&i| parent[i].is_none()).collect();
        if blocks.is_empty() {
            return;
        }
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
        let pos: HashMap<usize, usize> = chain.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        for &i in &chain {
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
                .insert(b.id.name.clone(), Named::Level(self.levels.len()));
            self.levels.push(ir::Level {
                id: b.id.name.clone(),
                label,
                key,
                parent: parent_id,
                parent_column,
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

    fn resolve_questions(&mut self) {
        let m = self.m;
        for e in m.items.values() {
            let Decl::Question(q, level_id) = &e.decl else {
                continue;
            };
            let level = self.level_ref(level_id);
            if level.is_none() {
                self.unplaced.insert(self.questions.len());
            }
            let level = level.unwrap_or(0);
            let what = format!("the label of question `{}`", q.id.name);
            let label = self.opt_labels(Props(&q.props).label().map(|x| x.0), &what);
            let description = self.opt_labels(
                Props(&q.props).description().map(|x| x.0),
                &format!("the description of question `{}`", q.id.name),
            );
            let ty = match &q.ty.kind {
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
                ast::QTypeKind::Scale(r) => {
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
            };
            let props = Props(&q.props);
            let column = props
                .column()
                .map_or_else(|| q.id.name.clone(), |(s, _)| s.value.clone());
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
            self.names
                .insert(q.id.name.clone(), Named::Question(self.questions.len()));
            self.questions.push(ir::Question {
                id: q.id.name.clone(),
                level,
                ty,
                label,
                description,
                required,
                column,
                unit,
                range,
                integer,
                doc: q.doc.as_ref().map(ast::Doc::text),
                span: q.id.span,
            });
        }
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

    fn resolve_ratings(&mut self) {
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
                steps.push(ir::Step {
                    id: s.id.name.clone(),
                    below: s.below.as_ref().map(|b| b.value),
                    label,
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
                });
            }
            self.ratings_index
                .insert(r.id.name.clone(), self.ratings.len());
            self.ratings.push(ir::Ratings {
                id: r.id.name.clone(),
                steps,
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

    fn unused_warnings(&mut self) {
        for q in &self.questions {
            if !self.used.contains(&q.id) {
                self.diags.push(
                    Diag::warning(
                        CheckError::UnusedQuestion(q.id.clone()),
                        q.span,
                        "declared here",
                    )
                    .help("use it in an indicator, a let, evidence or a rule, or remove it"),
                );
            }
        }
        for l in &self.let_decls {
            if !self.used.contains(&l.id.name) {
                self.diags.push(Diag::warning(
                    CheckError::UnusedLet(l.id.name.clone()),
                    l.id.span,
                    "declared here",
                ));
            }
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            let Some(ind) = ind else { continue };
            let context = ind.nature.as_deref() == Some("context");
            if !context
                && !self.used.contains(&ind.id)
                && !self.in_dimension.contains(&ir::ChildRef::Indicator(i))
            {
                self.diags.push(
                    Diag::warning(CheckError::UnusedIndicator(ind.id.clone()), self.ind_decls[i].id.span, "reported, but not scored")
                        .help("`use` it in a dimension, or mark it `nature context` if it only describes the unit"),
                );
            }
        }
    }

    fn mark_top_dimensions(&mut self) {
        let used: HashSet<ir::ChildRef> = self.in_dimension.clone();
        for (i, d) in self.dimensions.iter_mut().enumerate() {
            if let Some(d) = d {
                d.top = !used.contains(&ir::ChildRef::Dimension(i));
            }
        }
    }
}
