//! Pest pairs → AST.
//!
//! In: the `file` pair and the source text. Out: an [`ast::File`] with every
//! node spanned, doc comments attached to the declarations below them, and
//! the remaining comments kept for the formatter. Words the grammar accepts
//! as identifiers but that must come from a fixed list (`rollup`, `nature`,
//! `aggregate`, `severity` kinds) are checked here, with suggestions.

use super::ast::*;
use super::comments::{self, DocGroup};
use super::{Rule, SyntaxError};
use crate::diagnostic::Diag;
use crate::source::{SourceId, Span};
use crate::suggest;
use pest::iterators::Pair;
use std::collections::HashMap;

pub struct Builder<'t> {
    src: SourceId,
    /// The whole file, even when the pairs come from a piece of it.
    text: &'t str,
    /// Where in `text` the parsed piece starts (0 for the whole file).
    base: usize,
    pub diags: Vec<Diag>,
    docs: HashMap<usize, usize>,
    groups: Vec<DocGroup>,
    used_groups: Vec<bool>,
    /// The file's comments, found once.
    raw: Vec<comments::RawComment>,
}

/// Items built from a piece of a file on a thread of their own.
#[derive(Debug, Default)]
pub struct Piece {
    items: Vec<Item>,
    diags: Vec<Diag>,
    used_groups: Vec<bool>,
}

/// Rules that only mark structure (keywords, braces): their pairs are skipped.
fn is_marker(r: Rule) -> bool {
    use Rule::*;
    matches!(
        r,
        lb | rb
            | k_framework
            | k_extends
            | k_title
            | k_description
            | k_label
            | k_version
            | k_languages
            | k_missing
            | k_dont_know
            | k_refused
            | k_min_group
            | k_rate
            | k_level
            | k_within
            | k_via
            | k_key
            | k_questions
            | k_question
            | k_at
            | k_number
            | k_percent
            | k_of
            | k_scale
            | k_section
            | k_yesno
            | k_choice
            | k_multi
            | k_date
            | k_text
            | k_unit
            | k_range
            | k_integer
            | k_required
            | k_column
            | k_let
            | k_indicator
            | k_value
            | k_better
            | k_higher
            | k_lower
            | k_normalize
            | k_goalposts
            | k_target
            | k_minmax
            | k_rank
            | k_map
            | k_rollup
            | k_when
            | k_min_n
            | k_method
            | k_nature
            | k_source
            | k_tags
            | k_by
            | k_name
            | k_publisher
            | k_color
            | k_locked
            | k_weight
            | k_dimension
            | k_aggregate
            | k_require
            | k_use
            | k_gate
            | k_drop
            | k_evidence
            | k_collect
            | k_keep
            | k_mapping
            | k_rule
            | k_check
            | k_message
            | k_severity
            | k_ratings
            | k_below
            | k_refine
            | k_remove
            | k_in
            | k_if
            | k_then
            | k_else
            | k_where
            | EOI
    )
}

fn parts(p: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    p.into_inner().filter(|x| !is_marker(x.as_rule()))
}

pub const ROLLUPS: &[&str] = &[
    "pooled",
    "sum",
    "mean",
    "median",
    "min",
    "max",
    "share",
    "distribution",
    "none",
];
pub const NATURES: &[&str] = &["practice", "output", "outcome", "impact", "context"];
pub const AGGREGATES: &[&str] = &["mean", "geometric", "harmonic", "median", "min", "max"];
pub const SEVERITIES: &[&str] = &["error", "warning"];

impl<'t> Builder<'t> {
    pub fn new(src: SourceId, text: &'t str) -> Builder<'t> {
        let raw = comments::scan(text);
        let groups = comments::doc_groups(text, &raw);
        let docs = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.target, i))
            .collect();
        let used_groups = vec![false; groups.len()];
        Builder {
            raw,
            src,
            text,
            base: 0,
            diags: Vec::new(),
            docs,
            groups,
            used_groups,
        }
    }

    /// The pair's span without the white space pest may leave at its end.
    pub fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        let text = s.as_str();
        let start = self.base + s.start();
        Span::new(self.src, start, start + text.trim_end().len())
    }

    fn doc_at(&mut self, start: usize) -> Option<Doc> {
        let &i = self.docs.get(&start)?;
        self.used_groups[i] = true;
        let g = &self.groups[i];
        Some(Doc {
            lines: g.lines.clone(),
            span: Span::new(self.src, g.start, g.end),
        })
    }

    pub fn file(&mut self, p: Pair<'_, Rule>) -> File {
        let first = self.begin(p);
        self.finish(first, Piece::default())
    }

    /// A builder of the items of `text[base..]`, parsed apart from the
    /// rest of the file (see `syntax::parse`).
    pub fn at(src: SourceId, text: &'t str, base: usize) -> Builder<'t> {
        Builder {
            base,
            ..Builder::new(src, text)
        }
    }

    /// The items of a piece parsed as `items`, with what was said about
    /// them and the doc comments they took.
    pub fn piece(mut self, p: Pair<'_, Rule>) -> Piece {
        let items = parts(p).map(|x| self.item(x)).collect();
        Piece {
            items,
            diags: self.diags,
            used_groups: self.used_groups,
        }
    }

    /// The header and items of `p`, parsed as `file` (maybe from the
    /// first piece of the file only).
    pub fn begin(&mut self, p: Pair<'_, Rule>) -> (Header, Vec<Item>) {
        let mut header = None;
        let mut items = Vec::new();
        for x in parts(p) {
            match x.as_rule() {
                Rule::header => header = Some(self.header(x)),
                _ => items.push(self.item(x)),
            }
        }
        (header.expect("file starts with a header"), items)
    }

    /// The file: what [`Builder::begin`] built, then the items of `rest`,
    /// built from a later piece; then the comments no item took.
    pub fn finish(&mut self, (header, mut items): (Header, Vec<Item>), mut rest: Piece) -> File {
        items.append(&mut rest.items);
        self.diags.append(&mut rest.diags);
        for (mine, theirs) in self.used_groups.iter_mut().zip(&rest.used_groups) {
            *mine |= *theirs;
        }
        let raw = std::mem::take(&mut self.raw);
        let mut attached = vec![false; raw.len()];
        for (g, used) in self.groups.iter().zip(&self.used_groups) {
            if *used {
                for &m in &g.members {
                    attached[m] = true;
                }
            }
        }
        let comments = raw
            .into_iter()
            .zip(attached)
            .filter(|(_, a)| !a)
            .map(|(c, _)| {
                let text = if c.doc {
                    format!("/{}", c.text)
                } else {
                    c.text
                };
                Comment {
                    text,
                    span: Span::new(self.src, c.start, c.end),
                }
            })
            .collect();
        File {
            src: self.src,
            header,
            items,
            comments,
        }
    }

    fn header(&mut self, p: Pair<'_, Rule>) -> Header {
        let span = self.span(&p);
        let doc = self.doc_at(span.start as usize);
        let mut id = None;
        let mut extends = None;
        let mut props = Vec::new();
        for x in parts(p) {
            match x.as_rule() {
                Rule::ident => id = Some(self.ident(x)),
                Rule::extends => {
                    extends = Some(self.string(parts(x).next().expect("extends has a path")))
                }
                _ => props.push(self.prop(x)),
            }
        }
        self.check_repeats(&props);
        Header {
            id: id.expect("header has a name"),
            extends,
            props,
            doc,
            span,
        }
    }

    fn item(&mut self, p: Pair<'_, Rule>) -> Item {
        match p.as_rule() {
            Rule::level => Item::Block(self.block(p, ItemKind::Level)),
            Rule::indicator => Item::Block(self.block(p, ItemKind::Indicator)),
            Rule::dimension => Item::Block(self.block(p, ItemKind::Dimension)),
            Rule::evidence => Item::Block(self.block(p, ItemKind::Evidence)),
            Rule::rule => Item::Block(self.block(p, ItemKind::Rule)),
            Rule::questions => {
                let span = self.span(&p);
                let mut it = parts(p);
                let level = self.ident(it.next().expect("questions has a level"));
                let mut section = None;
                let mut questions = Vec::new();
                for x in it {
                    match x.as_rule() {
                        Rule::section_head => {
                            let id = parts(x).next().expect("a section has a name");
                            section = Some(Section {
                                id: self.ident(id),
                                props: Vec::new(),
                                doc: self.doc_at(span.start as usize),
                            });
                        }
                        Rule::question => questions.push(self.question(x)),
                        _ => {
                            let prop = self.prop(x);
                            if let Some(s) = section.as_mut() {
                                s.props.push(prop);
                            }
                        }
                    }
                }
                if let Some(s) = &section {
                    self.check_repeats(&s.props);
                }
                Item::Questions(QuestionGroup {
                    level,
                    section,
                    questions,
                    span,
                })
            }
            Rule::let_decl => {
                let span = self.span(&p);
                let doc = self.doc_at(span.start as usize);
                let mut it = parts(p);
                let id = self.ident(it.next().expect("let has a name"));
                let expr = self.expr(it.next().expect("let has an expression"));
                Item::Let(Let {
                    id,
                    expr,
                    doc,
                    span,
                })
            }
            Rule::mapping => {
                let span = self.span(&p);
                let doc = self.doc_at(span.start as usize);
                let mut it = parts(p);
                let id = self.ident(it.next().expect("mapping has a name"));
                let entries = self.map_body(it.next().expect("mapping has a body"));
                Item::Mapping(Mapping {
                    id,
                    entries,
                    doc,
                    span,
                })
            }
            Rule::ratings => {
                let span = self.span(&p);
                let doc = self.doc_at(span.start as usize);
                let mut it = parts(p);
                let id = self.ident(it.next().expect("ratings has a name"));
                let steps = it.map(|s| self.step(s)).collect();
                Item::Ratings(Ratings {
                    id,
                    steps,
                    doc,
                    span,
                })
            }
            Rule::refine => {
                let span = self.span(&p);
                let inner = parts(p).next().expect("refine has a kind");
                let kind = match inner.as_rule() {
                    Rule::r_indicator => ItemKind::Indicator,
                    Rule::r_dimension => ItemKind::Dimension,
                    Rule::r_evidence => ItemKind::Evidence,
                    Rule::r_question => ItemKind::Question,
                    Rule::r_level => ItemKind::Level,
                    Rule::r_rule => ItemKind::Rule,
                    other => unreachable!("rule {other:?} is not in `refine`"),
                };
                let mut block = self.block(inner, kind);
                block.span = span;
                Item::Refine(Refine { block, span })
            }
            Rule::remove => {
                let span = self.span(&p);
                let mut it = parts(p);
                let kind_pair = it.next().expect("remove has a kind");
                let kind = match kind_pair.as_str() {
                    "indicator" => ItemKind::Indicator,
                    "dimension" => ItemKind::Dimension,
                    "evidence" => ItemKind::Evidence,
                    "question" => ItemKind::Question,
                    "let" => ItemKind::Let,
                    "rule" => ItemKind::Rule,
                    "mapping" => ItemKind::Mapping,
                    _ => ItemKind::Ratings,
                };
                let id = self.ident(it.next().expect("remove has a name"));
                Item::Remove(Remove { kind, id, span })
            }
            other => unreachable!("rule {other:?} is not in `item`"),
        }
    }

    /// A named block; `rule ID at LEVEL { … }` keeps `at` as its first property.
    fn block(&mut self, p: Pair<'_, Rule>, kind: ItemKind) -> Block {
        let span = self.span(&p);
        let doc = self.doc_at(span.start as usize);
        let mut it = parts(p).peekable();
        let id = self.ident(it.next().expect("block has a name"));
        let mut props = Vec::new();
        for x in it {
            match x.as_rule() {
                // `rule ID at LEVEL`: the level comes as a bare ident.
                Rule::ident => {
                    let l = self.ident(x);
                    props.push(PropNode {
                        span: l.span,
                        prop: Prop::At(l),
                    });
                }
                Rule::ev_block => {
                    for y in parts(x) {
                        props.push(self.prop(y));
                    }
                }
                _ => props.push(self.prop(x)),
            }
        }
        self.check_repeats(&props);
        Block {
            kind,
            id,
            props,
            doc,
            span,
        }
    }

    fn check_repeats(&mut self, props: &[PropNode]) {
        for (i, a) in props.iter().enumerate() {
            if a.prop.repeatable() {
                continue;
            }
            if let Some(b) = props[i + 1..]
                .iter()
                .find(|b| b.prop.keyword() == a.prop.keyword())
            {
                let kw = a.prop.keyword();
                self.diags.push(
                    Diag::warning(
                        SyntaxError::RepeatedProperty(kw),
                        b.span,
                        "this one is used",
                    )
                    .related(a.span, "this one is ignored")
                    .help(format!("remove one of the `{kw}` lines")),
                );
            }
        }
    }

    fn question(&mut self, p: Pair<'_, Rule>) -> Question {
        let span = self.span(&p);
        let doc = self.doc_at(span.start as usize);
        let mut it = parts(p);
        let id = self.ident(it.next().expect("question has a name"));
        let tp = it.next().expect("question has a type");
        let ty = self.qtype(tp);
        let props: Vec<PropNode> = it.map(|x| self.prop(x)).collect();
        self.check_repeats(&props);
        Question {
            id,
            ty,
            props,
            doc,
            span,
        }
    }

    fn qtype(&mut self, p: Pair<'_, Rule>) -> QType {
        let span = self.span(&p);
        let r = p.as_rule();
        let mut it = parts(p);
        let kind = match r {
            Rule::t_number => QTypeKind::Number,
            Rule::t_percent => QTypeKind::Percent {
                of: it.next().map(|n| self.num(n)),
            },
            Rule::t_scale => {
                let range = self.range(it.next().expect("scale has a range"));
                let points = it.next().map(|p| self.points(p)).unwrap_or_default();
                QTypeKind::Scale(range, points)
            }
            Rule::t_yesno => QTypeKind::YesNo,
            Rule::t_choice => {
                QTypeKind::Choice(self.options(it.next().expect("choice has options")))
            }
            Rule::t_multi => QTypeKind::Multi(self.options(it.next().expect("multi has options"))),
            Rule::t_date => QTypeKind::Date,
            Rule::t_text => QTypeKind::Text,
            other => unreachable!("rule {other:?} is not in `qtype`"),
        };
        QType { kind, span }
    }

    fn options(&mut self, p: Pair<'_, Rule>) -> Vec<OptionDecl> {
        parts(p)
            .map(|o| {
                let span = self.span(&o);
                let mut it = parts(o);
                let c = it.next().expect("option has a code");
                let (code, style) = match c.as_rule() {
                    Rule::ident => (c.as_str().to_string(), OptionStyle::Ident),
                    Rule::integer => (c.as_str().replace('_', ""), OptionStyle::Int),
                    _ => (self.string(c).value, OptionStyle::Str),
                };
                let label = it.next().map(|l| self.label(l));
                OptionDecl {
                    code,
                    style,
                    label,
                    span,
                }
            })
            .collect()
    }

    /// A scale's labelled points, as options coded by the point.
    fn points(&mut self, p: Pair<'_, Rule>) -> Vec<OptionDecl> {
        parts(p)
            .map(|o| {
                let span = self.span(&o);
                let mut it = parts(o);
                let n = it.next().expect("a point has a number");
                let code = n.as_str().replace('_', "");
                let label = it.next().map(|l| self.label(l));
                OptionDecl {
                    code,
                    style: OptionStyle::Point,
                    label,
                    span,
                }
            })
            .collect()
    }

    fn step(&mut self, p: Pair<'_, Rule>) -> Step {
        let span = self.span(&p);
        let mut it = parts(p);
        let name = it.next().expect("step has a name");
        let id = Ident {
            name: name.as_str().to_string(),
            span: self.span(&name),
        };
        let mut below = None;
        let mut props = Vec::new();
        for x in it {
            match x.as_rule() {
                Rule::signed_num => below = Some(self.num(x)),
                _ => props.push(self.prop(x)),
            }
        }
        Step {
            id,
            below,
            props,
            span,
        }
    }

    fn map_body(&mut self, p: Pair<'_, Rule>) -> Vec<MapEntry> {
        parts(p)
            .map(|e| {
                let span = self.span(&e);
                let mut it = parts(e);
                let k = it.next().expect("entry has a key");
                let key = match k.as_rule() {
                    Rule::signed_num => MapKey::Num(self.num(k)),
                    Rule::string => {
                        let s = self.string(k);
                        MapKey::Text {
                            value: s.value,
                            quoted: true,
                            span: s.span,
                        }
                    }
                    _ => MapKey::Text {
                        value: k.as_str().to_string(),
                        quoted: false,
                        span: self.span(&k),
                    },
                };
                let points = self.num(it.next().expect("entry has points"));
                MapEntry { key, points, span }
            })
            .collect()
    }

    fn prop(&mut self, p: Pair<'_, Rule>) -> PropNode {
        let span = self.span(&p);
        let r = p.as_rule();
        let prop = match r {
            Rule::indicator => Prop::Child(Box::new(self.block(p, ItemKind::Indicator))),
            Rule::dimension => Prop::Child(Box::new(self.block(p, ItemKind::Dimension))),
            Rule::dim_evidence => {
                let has_block = p
                    .clone()
                    .into_inner()
                    .any(|x| x.as_rule() == Rule::ev_block);
                if has_block {
                    Prop::Child(Box::new(self.block(p, ItemKind::Evidence)))
                } else {
                    Prop::EvidenceRef(self.ident(parts(p).next().expect("evidence has a name")))
                }
            }
            _ => {
                let mut it = parts(p);
                match r {
                    Rule::p_title => Prop::Title(self.label(it.next().expect("title has a label"))),
                    Rule::p_description => {
                        Prop::Description(self.label(it.next().expect("description has a label")))
                    }
                    Rule::p_label => Prop::Label(self.label(it.next().expect("label has a value"))),
                    Rule::p_publisher => {
                        Prop::Publisher(self.label(it.next().expect("publisher has a value")))
                    }
                    Rule::p_message => {
                        Prop::Message(self.label(it.next().expect("message has a value")))
                    }
                    Rule::p_version => {
                        Prop::Version(self.string(it.next().expect("version has a string")))
                    }
                    Rule::p_languages => Prop::Languages(it.map(|x| self.ident(x)).collect()),
                    Rule::p_missing => Prop::Missing(it.map(|x| self.string(x)).collect()),
                    Rule::p_dont_know => Prop::DontKnow(it.map(|x| self.string(x)).collect()),
                    Rule::p_refused => Prop::Refused(it.map(|x| self.string(x)).collect()),
                    Rule::p_tags => Prop::Tags(it.map(|x| self.string(x)).collect()),
                    Rule::p_by => Prop::By(it.map(|x| self.ident(x)).collect()),
                    Rule::p_min_group => {
                        Prop::MinGroup(self.num(it.next().expect("min_group has a number")))
                    }
                    Rule::p_rate => Prop::Rate(self.ident(it.next().expect("rate has a name"))),
                    Rule::p_within => {
                        let parent = self.ident(it.next().expect("within has a level"));
                        let via = it.next().map(|s| self.string(s));
                        Prop::Within { parent, via }
                    }
                    Rule::p_key => Prop::Key(self.string(it.next().expect("key has a string"))),
                    Rule::p_color => {
                        Prop::Color(self.string(it.next().expect("color has a string")))
                    }
                    Rule::p_name => Prop::Name(self.string(it.next().expect("name has a string"))),
                    Rule::p_unit => Prop::Unit(self.string(it.next().expect("unit has a string"))),
                    Rule::p_column => Prop::Column(it.map(|s| self.string(s)).collect()),
                    Rule::p_source => {
                        Prop::Source(self.string(it.next().expect("source has a string")))
                    }
                    Rule::p_range => Prop::Range(self.range(it.next().expect("range has bounds"))),
                    Rule::p_integer => Prop::Integer,
                    Rule::p_required => Prop::Required,
                    Rule::p_locked => Prop::Locked,
                    Rule::p_at => Prop::At(self.ident(it.next().expect("at has a level"))),
                    Rule::p_value => {
                        Prop::Value(self.expr(it.next().expect("value has an expression")))
                    }
                    Rule::p_when => {
                        Prop::When(self.expr(it.next().expect("when has an expression")))
                    }
                    Rule::p_gate => {
                        Prop::Gate(self.expr(it.next().expect("gate has an expression")))
                    }
                    Rule::p_check => {
                        Prop::Check(self.expr(it.next().expect("check has an expression")))
                    }
                    Rule::p_better => {
                        // k_higher / k_lower are markers; read the text instead.
                        Prop::Better(if p_text_ends_with(&span, self.text, "lower") {
                            Better::Lower
                        } else {
                            Better::Higher
                        })
                    }
                    Rule::p_normalize => {
                        Prop::Normalize(self.normalize(it.next().expect("normalize has a rule")))
                    }
                    Rule::p_rollup => {
                        let kind =
                            self.word(it.next().expect("rollup has a kind"), "rollup", ROLLUPS);
                        let weight = it.next().map(|e| self.expr(e));
                        Prop::Rollup { kind, weight }
                    }
                    Rule::p_min_n => Prop::MinN(self.num(it.next().expect("min_n has a number"))),
                    Rule::p_method => {
                        Prop::Method(self.ident(it.next().expect("method has a name")))
                    }
                    Rule::p_nature => Prop::Nature(self.word(
                        it.next().expect("nature has a name"),
                        "nature",
                        NATURES,
                    )),
                    Rule::p_weight => {
                        Prop::Weight(self.num(it.next().expect("weight has a number")))
                    }
                    Rule::p_aggregate => Prop::Aggregate(self.word(
                        it.next().expect("aggregate has a kind"),
                        "aggregate",
                        AGGREGATES,
                    )),
                    Rule::p_require => {
                        Prop::Require(self.num(it.next().expect("require has a number")))
                    }
                    Rule::p_use => {
                        let id = self.ident(it.next().expect("use has a name"));
                        let weight = it.next().map(|n| self.num(n));
                        Prop::Use { id, weight }
                    }
                    Rule::p_drop => Prop::Drop(self.ident(it.next().expect("drop has a name"))),
                    Rule::p_collect => {
                        let expr = self.expr(it.next().expect("collect has an expression"));
                        let filter = it.next().map(|e| self.expr(e));
                        Prop::Collect { expr, filter }
                    }
                    Rule::p_keep => Prop::Keep(self.num(it.next().expect("keep has a number"))),
                    Rule::p_severity => Prop::Severity(self.word(
                        it.next().expect("severity has a word"),
                        "severity",
                        SEVERITIES,
                    )),
                    other => unreachable!("rule {other:?} is not a property"),
                }
            }
        };
        PropNode { prop, span }
    }

    fn normalize(&mut self, p: Pair<'_, Rule>) -> Normalize {
        let r = p.as_rule();
        let mut it = parts(p);
        match r {
            Rule::n_goalposts => {
                Normalize::Goalposts(self.range(it.next().expect("goalposts has a range")))
            }
            Rule::n_target => {
                Normalize::Target(self.expr(it.next().expect("target has an expression")))
            }
            Rule::n_minmax => Normalize::MinMax,
            Rule::n_rank => Normalize::Rank,
            Rule::n_map => {
                let x = it.next().expect("map has a body or a name");
                if x.as_rule() == Rule::map_body {
                    Normalize::MapInline(self.map_body(x))
                } else {
                    Normalize::MapNamed(self.ident(x))
                }
            }
            other => unreachable!("rule {other:?} is not a normalisation"),
        }
    }

    /// An identifier that must be one of `allowed`.
    fn word(&mut self, p: Pair<'_, Rule>, what: &'static str, allowed: &[&str]) -> Ident {
        let id = self.ident(p);
        if !allowed.contains(&id.name.as_str()) {
            let d = Diag::error(
                SyntaxError::UnknownWord {
                    what,
                    found: id.name.clone(),
                },
                id.span,
                format!("not a {what} kind"),
            );
            let help = match suggest::closest(&id.name, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? ({what} kinds: {})", allowed.join(", ")),
                None => format!("{what} kinds: {}", allowed.join(", ")),
            };
            self.diags.push(d.help(help));
        }
        id
    }

    pub fn ident(&mut self, p: Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    pub fn num(&mut self, p: Pair<'_, Rule>) -> Num {
        let span = self.span(&p);
        let raw = p.as_str().to_string();
        let clean: String = raw.chars().filter(|c| *c != '_' && *c != '%').collect();
        // The grammar admits only digits, `_`, one `.` and `%`, so this parses.
        let value = clean.parse::<f64>().unwrap_or(f64::NAN);
        let value = if raw.ends_with('%') {
            value / 100.0
        } else {
            value
        };
        Num { value, raw, span }
    }

    fn range(&mut self, p: Pair<'_, Rule>) -> RangeLit {
        let span = self.span(&p);
        let mut it = parts(p);
        let lo = self.num(it.next().expect("range has a low end"));
        let hi = self.num(it.next().expect("range has a high end"));
        RangeLit { lo, hi, span }
    }

    fn label(&mut self, p: Pair<'_, Rule>) -> Label {
        let span = self.span(&p);
        let mut parts_out = Vec::new();
        for x in parts(p) {
            match x.as_rule() {
                Rule::string => parts_out.push(LabelPart {
                    lang: None,
                    text: self.string(x),
                }),
                Rule::tagged => {
                    let mut it = parts(x);
                    let lang = self.ident(it.next().expect("tagged has a language"));
                    let text = self.string(it.next().expect("tagged has a string"));
                    parts_out.push(LabelPart {
                        lang: Some(lang),
                        text,
                    });
                }
                other => unreachable!("rule {other:?} is not in `label_val`"),
            }
        }
        Label {
            parts: parts_out,
            span,
        }
    }

    pub fn string(&mut self, p: Pair<'_, Rule>) -> Str {
        let span = self.span(&p);
        let inner = p.into_inner().next().expect("string is triple or quoted");
        let raw = inner.as_str();
        if inner.as_rule() == Rule::triple {
            Str {
                value: dedent(&raw[3..raw.len() - 3]),
                triple: true,
                span,
            }
        } else {
            let value = match unescape(&raw[1..raw.len() - 1]) {
                Some(v) => v,
                None => {
                    self.diags.push(
                        Diag::error(SyntaxError::BadEscape, span, "this string").help(
                            "escapes are \\\" \\\\ \\n \\t and \\u{…} with a valid code point",
                        ),
                    );
                    String::new()
                }
            };
            Str {
                value,
                triple: false,
                span,
            }
        }
    }
}

fn p_text_ends_with(span: &Span, text: &str, word: &str) -> bool {
    text.get(span.range())
        .is_some_and(|t| t.trim_end().ends_with(word))
}

/// Decodes `\"`, `\\`, `\n`, `\t`, `\u{…}`; `None` on an invalid code point.
pub fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'u' => {
                chars.next()?; // `{`
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Text of a triple-quoted string: the first line break after the opening
/// quotes and the last one before the closing quotes are dropped, and the
/// indentation common to all non-blank lines is removed.
pub fn dedent(s: &str) -> String {
    let s = s
        .strip_prefix("\r\n")
        .or_else(|| s.strip_prefix('\n'))
        .unwrap_or(s);
    // Line ends are `\n` or `\r\n`; a stray `\r` before one belongs to the end.
    let lines: Vec<&str> = s.lines().map(|l| l.trim_end_matches('\r')).collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = lines
        .iter()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect();
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes() {
        assert_eq!(
            unescape(r#"a\"b\\c\nd\u{e9}"#).as_deref(),
            Some("a\"b\\c\nd\u{e9}")
        );
        assert_eq!(unescape(r"\u{d800}"), None);
    }

    /// The words the parser accepts are the ones the IR knows.
    #[test]
    fn words_match_the_ir() {
        let natures: Vec<&str> = crate::ir::Nature::ALL.iter().map(|n| n.name()).collect();
        assert_eq!(NATURES, natures.as_slice());
    }

    #[test]
    fn dedents() {
        assert_eq!(dedent("\n    one\n      two\n    "), "one\n  two");
        assert_eq!(dedent("\r\n  one\r\r\n  two\r\n"), "one\ntwo");
    }
}
