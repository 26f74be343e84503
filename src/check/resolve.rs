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
use crate::syntax::ast;
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
    pub(super) m: &'m Model,
    pub(super) diags: Vec<Diag>,
    pub(super) languages: Vec<String>,
    pub(super) names: HashMap<String, Named>,
    pub(super) levels: ir::List<ir::LevelId, ir::Level>,
    pub(super) questions: ir::List<ir::QuestionId, ir::Question>,
    pub(super) sections: ir::List<ir::SectionId, ir::Section>,
    /// The declarations of the items resolved on demand.
    pub(super) decls: Decls<'m>,
    /// The items resolved so far.
    pub(super) items: Items,
    pub(super) ratings: ir::List<ir::RatingsId, ir::Ratings>,
    pub(super) ratings_index: HashMap<String, ir::RatingsId>,
    /// Which items are resolved, being resolved, and in what order.
    pub(super) progress: Progress,
    pub(super) used: HashSet<String>,
    /// Children used by some dimension.
    pub(super) in_dimension: HashSet<ir::ChildRef>,
    pub(super) default_rate: Option<ir::RatingsId>,
    /// Missing translations are reported for this language only.
    pub(super) only_lang: Option<String>,
    /// Questions declared at a level that does not exist (reported once).
    pub(super) unplaced: HashSet<ir::QuestionId>,
    /// The framework's `min_group` (1 when not set).
    pub(super) min_group: u32,
}

/// The AST blocks of the items resolved on demand, by kind.
#[derive(Default)]
pub(super) struct Decls<'m> {
    pub(super) lets: ir::List<ir::LetId, &'m ast::Let>,
    pub(super) indicators: ir::List<ir::IndicatorId, &'m ast::Block>,
    pub(super) dimensions: ir::List<ir::DimensionId, &'m ast::Block>,
    pub(super) evidence: ir::List<ir::EvidenceId, &'m ast::Block>,
}

/// Items resolved so far (`None` until resolved), by kind.
#[derive(Default)]
pub(super) struct Items {
    pub(super) lets: ir::List<ir::LetId, Option<ir::Let>>,
    pub(super) indicators: ir::List<ir::IndicatorId, Option<ir::Indicator>>,
    pub(super) dimensions: ir::List<ir::DimensionId, Option<ir::Dimension>>,
    pub(super) evidence: ir::List<ir::EvidenceId, Option<ir::Evidence>>,
}

/// The progress of resolution.
#[derive(Default)]
pub(super) struct Progress {
    pub(super) state: HashMap<Node, State>,
    /// The items being resolved, with the place that named the next one.
    pub(super) stack: Vec<(Node, String, Span)>,
    /// Items in the order they were resolved: the evaluation order.
    pub(super) order: Vec<Node>,
}

/// Resolves a merged model.
pub fn resolve(m: &Model, opts: &super::Options) -> (ir::Framework, Vec<Diag>) {
    let r = Resolver {
        m,
        diags: Vec::new(),
        languages: Vec::new(),
        names: HashMap::new(),
        levels: ir::List::new(),
        questions: ir::List::new(),
        sections: ir::List::new(),
        decls: Decls::default(),
        items: Items::default(),
        ratings: ir::List::new(),
        ratings_index: HashMap::new(),
        progress: Progress::default(),
        used: HashSet::new(),
        in_dimension: HashSet::new(),
        default_rate: None,
        only_lang: opts.lang.clone(),
        unplaced: HashSet::new(),
        min_group: 1,
    };
    r.run()
}

/// The framework's own properties, from its header.
struct Header {
    title: ir::Labels,
    description: ir::Labels,
    publisher: ir::Labels,
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
        self.min_group = header.min_group;
        self.reserved_names();
        self.resolve_levels();
        let sections = self.resolve_sections();
        self.resolve_questions(&sections);
        self.declare_items();
        self.resolve_ratings();
        if let Some((id, _)) = Props(&self.m.header).rate() {
            self.default_rate = self.ratings_ref(id);
        }
        self.resolve_items();
        self.resolve_conditions();
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
            publisher: hp
                .publisher()
                .map(|(l, _)| self.labels(l, "the framework's publisher"))
                .unwrap_or_default(),
            version: hp.version().map(|(s, _)| s.value.clone()),
            missing: strings(hp.missing())
                .unwrap_or_else(|| vec![String::new(), "NA".to_string(), "n/a".to_string()]),
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
                Decl::Let(l) => (&l.id.name, Named::Let(self.decls.lets.push_and_get_key(l))),
                Decl::Indicator(b) => {
                    let i = self.decls.indicators.push_and_get_key(b);
                    (&b.id.name, Named::Indicator(i))
                }
                Decl::Dimension(b) => {
                    let d = self.decls.dimensions.push_and_get_key(b);
                    (&b.id.name, Named::Dimension(d))
                }
                Decl::Evidence(b) => (
                    &b.id.name,
                    Named::Evidence(self.decls.evidence.push_and_get_key(b)),
                ),
                _ => continue,
            };
            self.names.insert(slot.clone(), named);
        }
        self.items.lets = vec![None; self.decls.lets.len()].into();
        self.items.indicators = vec![None; self.decls.indicators.len()].into();
        self.items.dimensions = vec![None; self.decls.dimensions.len()].into();
        self.items.evidence = vec![None; self.decls.evidence.len()].into();
    }

    /// Resolves every item not yet resolved by being named, in declaration order.
    fn resolve_items(&mut self) {
        for i in self.decls.lets.keys() {
            self.ensure(Node::Let(i));
        }
        for i in self.decls.indicators.keys() {
            self.ensure(Node::Indicator(i));
        }
        for i in self.decls.dimensions.keys() {
            self.ensure(Node::Dimension(i));
        }
        for i in self.decls.evidence.keys() {
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
            publisher: h.publisher,
            version: h.version,
            languages: self.languages.clone(),
            extends: m.extends.clone(),
            missing: h.missing,
            dont_know: h.dont_know,
            refused: h.refused,
            min_group: h.min_group,
            levels: std::mem::take(&mut self.levels),
            questions: std::mem::take(&mut self.questions),
            sections: std::mem::take(&mut self.sections),
            lets: all(&mut self.items.lets.raw, "let").into(),
            indicators: all(&mut self.items.indicators.raw, "indicator").into(),
            dimensions: all(&mut self.items.dimensions.raw, "dimension").into(),
            evidence: all(&mut self.items.evidence.raw, "evidence").into(),
            ratings: std::mem::take(&mut self.ratings),
            rules,
            order: std::mem::take(&mut self.progress.order),
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
        for l in &self.decls.lets {
            if !self.used.contains(&l.id.name) {
                self.diags.push(Diag::warning(
                    CheckError::UnusedLet(l.id.name.clone()),
                    l.id.span,
                    "declared here",
                ));
            }
        }
        for (i, ind) in self.items.indicators.iter_enumerated() {
            let Some(ind) = ind else { continue };
            let context = ind.nature == Some(ir::Nature::Context);
            if !context
                && !self.used.contains(&ind.id)
                && !self.in_dimension.contains(&ir::ChildRef::Indicator(i))
            {
                self.diags.push(
                    Diag::warning(CheckError::UnusedIndicator(ind.id.clone()), self.decls.indicators[i].id.span, "reported, but not scored")
                        .help("`use` it in a dimension, or mark it `nature context` if it only describes the unit"),
                );
            }
        }
    }

    fn mark_top_dimensions(&mut self) {
        let used: HashSet<ir::ChildRef> = self.in_dimension.clone();
        for (i, d) in self.items.dimensions.iter_mut_enumerated() {
            if let Some(d) = d {
                d.top = !used.contains(&ir::ChildRef::Dimension(i));
            }
        }
    }
}
