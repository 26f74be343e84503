//! The spanned syntax tree of one `.grille` file.
//!
//! Built by `build.rs` from pest pairs; read by the checker, the formatter
//! and `doc`. Blocks keep their properties as written (a list, in source
//! order) so that `fmt` can print them back with their comments and `refine`
//! can replace exactly the properties an adaptation writes.

use crate::source::{SourceId, Span};

/// A name as written, with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal: its decoded value and whether it was triple-quoted.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    pub value: String,
    pub triple: bool,
    pub span: Span,
}

/// A number literal: its value (`60%` is 0.6) and the text it was written as.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    pub value: f64,
    pub raw: String,
    pub span: Span,
}

/// `lo..hi`, both ends included.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeLit {
    pub lo: Num,
    pub hi: Num,
    pub span: Span,
}

/// A label: one untagged string, or strings tagged with languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub parts: Vec<LabelPart>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LabelPart {
    pub lang: Option<Ident>,
    pub text: Str,
}

/// `///` lines directly above a declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub lines: Vec<String>,
    pub span: Span,
}

impl Doc {
    /// The doc text, lines joined with newlines.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// A `//` comment that is not a doc comment attached to a declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub src: SourceId,
    pub header: Header,
    pub items: Vec<Item>,
    /// Free comments in source order (doc comments attached to a
    /// declaration are in that declaration's `doc`).
    pub comments: Vec<Comment>,
}

/// `framework ID [extends "PATH"] { … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub id: Ident,
    pub extends: Option<Str>,
    pub props: Vec<PropNode>,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// The kinds of item an adaptation can refine or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Level,
    Question,
    Let,
    Indicator,
    Dimension,
    Evidence,
    Mapping,
    Rule,
    Ratings,
}

impl ItemKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ItemKind::Level => "level",
            ItemKind::Question => "question",
            ItemKind::Let => "let",
            ItemKind::Indicator => "indicator",
            ItemKind::Dimension => "dimension",
            ItemKind::Evidence => "evidence",
            ItemKind::Mapping => "mapping",
            ItemKind::Rule => "rule",
            ItemKind::Ratings => "ratings",
        }
    }
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `level`, `indicator`, `dimension`, `evidence` or `rule`: a named block.
    Block(Block),
    Questions(QuestionGroup),
    Let(Let),
    Mapping(Mapping),
    Ratings(Ratings),
    Refine(Refine),
    Remove(Remove),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Block(b) => b.span,
            Item::Questions(q) => q.span,
            Item::Let(l) => l.span,
            Item::Mapping(m) => m.span,
            Item::Ratings(r) => r.span,
            Item::Refine(r) => r.span,
            Item::Remove(r) => r.span,
        }
    }
}

/// A named block of properties: `indicator x { … }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: ItemKind,
    pub id: Ident,
    pub props: Vec<PropNode>,
    pub doc: Option<Doc>,
    pub span: Span,
}

impl Block {
    /// The last property matching `f` (a later property overrides an earlier one).
    pub fn find<'a, T>(&'a self, f: impl Fn(&'a Prop) -> Option<T>) -> Option<(T, Span)> {
        self.props
            .iter()
            .rev()
            .find_map(|p| f(&p.prop).map(|t| (t, p.span)))
    }
}

/// `questions at LEVEL { … }`
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionGroup {
    pub level: Ident,
    /// `section ID { label … }`: the questionnaire group the questions form.
    pub section: Option<Section>,
    pub questions: Vec<Question>,
    pub span: Span,
}

/// A named section of a questions block, with its label and description.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub id: Ident,
    /// `label` and `description`, as written.
    pub props: Vec<PropNode>,
    pub doc: Option<Doc>,
}

/// `name: type props…`
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: Ident,
    pub ty: QType,
    pub props: Vec<PropNode>,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// A question's type as written.
#[derive(Debug, Clone, PartialEq)]
pub struct QType {
    pub kind: QTypeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QTypeKind {
    Number,
    Percent {
        of: Option<Num>,
    },
    /// A range, and labels for some of its points (as options whose codes
    /// are the points).
    Scale(RangeLit, Vec<OptionDecl>),
    YesNo,
    Choice(Vec<OptionDecl>),
    Multi(Vec<OptionDecl>),
    Date,
    Text,
}

/// How an option code was written: `sport`, `1` or `"1"`; a scale's
/// point (`-2`, `5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionStyle {
    Ident,
    Int,
    Str,
    Point,
}

/// One option of a `choice` or `multi` question.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionDecl {
    pub code: String,
    pub style: OptionStyle,
    pub label: Option<Label>,
    pub span: Span,
}

/// `let NAME = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub id: Ident,
    pub expr: Expr,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// `mapping NAME { key: points, … }` (also used inline by `normalize map`).
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub id: Ident,
    pub entries: Vec<MapEntry>,
    pub doc: Option<Doc>,
    pub span: Span,
}

/// One `key: points` pair.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: MapKey,
    pub points: Num,
    pub span: Span,
}

/// A mapping key: a number, or a string/identifier naming an option.
#[derive(Debug, Clone, PartialEq)]
pub enum MapKey {
    Num(Num),
    Text {
        value: String,
        quoted: bool,
        span: Span,
    },
}

impl MapKey {
    pub fn span(&self) -> Span {
        match self {
            MapKey::Num(n) => n.span,
            MapKey::Text { span, .. } => *span,
        }
    }
}

/// `ratings NAME { step below N label …  last label … }`
#[derive(Debug, Clone, PartialEq)]
pub struct Ratings {
    pub id: Ident,
    pub steps: Vec<Step>,
    pub doc: Option<Doc>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: Ident,
    pub below: Option<Num>,
    pub props: Vec<PropNode>,
    pub span: Span,
}

/// `refine KIND ID { … }`: the block holds only the properties to replace.
#[derive(Debug, Clone, PartialEq)]
pub struct Refine {
    pub block: Block,
    pub span: Span,
}

/// `remove KIND ID`
#[derive(Debug, Clone, PartialEq)]
pub struct Remove {
    pub kind: ItemKind,
    pub id: Ident,
    pub span: Span,
}

/// A property with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct PropNode {
    pub prop: Prop,
    pub span: Span,
}

/// `better higher` or `better lower`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// `normalize …`
#[derive(Debug, Clone, PartialEq)]
pub enum Normalize {
    Goalposts(RangeLit),
    Target(Expr),
    MinMax,
    Rank,
    MapNamed(Ident),
    MapInline(Vec<MapEntry>),
}

/// Every property of every block kind; which ones a block accepts is
/// settled by the grammar.
#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    Title(Label),
    Description(Label),
    Label(Label),
    Version(Str),
    Languages(Vec<Ident>),
    Missing(Vec<Str>),
    DontKnow(Vec<Str>),
    Refused(Vec<Str>),
    MinGroup(Num),
    Rate(Ident),
    Within {
        parent: Ident,
        via: Option<Str>,
    },
    Key(Str),
    Unit(Str),
    Range(RangeLit),
    Integer,
    Required,
    /// The column, then other names it may go by in a table.
    Column(Vec<Str>),
    At(Ident),
    Value(Expr),
    Better(Better),
    Normalize(Normalize),
    Rollup {
        kind: Ident,
        weight: Option<Expr>,
    },
    When(Expr),
    MinN(Num),
    Method(Ident),
    Nature(Ident),
    Source(Str),
    Tags(Vec<Str>),
    By(Vec<Ident>),
    Name(Str),
    Publisher(Label),
    Color(Str),
    Locked,
    Weight(Num),
    Aggregate(Ident),
    Require(Num),
    Use {
        id: Ident,
        weight: Option<Num>,
    },
    /// An inline `indicator`, `dimension` or `evidence` declared in a dimension.
    Child(Box<Block>),
    /// `evidence ID` inside a dimension.
    EvidenceRef(Ident),
    Gate(Expr),
    Drop(Ident),
    Collect {
        expr: Expr,
        filter: Option<Expr>,
    },
    Keep(Num),
    Check(Expr),
    Message(Label),
    Severity(Ident),
}

impl Prop {
    /// The keyword that starts this property.
    pub fn keyword(&self) -> &'static str {
        match self {
            Prop::Title(_) => "title",
            Prop::Description(_) => "description",
            Prop::Label(_) => "label",
            Prop::Version(_) => "version",
            Prop::Languages(_) => "languages",
            Prop::Missing(_) => "missing",
            Prop::DontKnow(_) => "dont_know",
            Prop::Refused(_) => "refused",
            Prop::MinGroup(_) => "min_group",
            Prop::Rate(_) => "rate",
            Prop::Within { .. } => "within",
            Prop::Key(_) => "key",
            Prop::Unit(_) => "unit",
            Prop::Range(_) => "range",
            Prop::Integer => "integer",
            Prop::Required => "required",
            Prop::Column(_) => "column",
            Prop::At(_) => "at",
            Prop::Value(_) => "value",
            Prop::Better(_) => "better",
            Prop::Normalize(_) => "normalize",
            Prop::Rollup { .. } => "rollup",
            Prop::When(_) => "when",
            Prop::MinN(_) => "min_n",
            Prop::Method(_) => "method",
            Prop::Nature(_) => "nature",
            Prop::Source(_) => "source",
            Prop::Tags(_) => "tags",
            Prop::By(_) => "by",
            Prop::Name(_) => "name",
            Prop::Publisher(_) => "publisher",
            Prop::Color(_) => "color",
            Prop::Locked => "locked",
            Prop::Weight(_) => "weight",
            Prop::Aggregate(_) => "aggregate",
            Prop::Require(_) => "require",
            Prop::Use { .. } => "use",
            Prop::Child(_) => "child",
            Prop::EvidenceRef(_) => "evidence",
            Prop::Gate(_) => "gate",
            Prop::Drop(_) => "drop",
            Prop::Collect { .. } => "collect",
            Prop::Keep(_) => "keep",
            Prop::Check(_) => "check",
            Prop::Message(_) => "message",
            Prop::Severity(_) => "severity",
        }
    }

    /// Properties that may appear many times in one block (the others are
    /// single: a later one replaces an earlier one, with a warning).
    pub fn repeatable(&self) -> bool {
        matches!(
            self,
            Prop::Use { .. }
                | Prop::Child(_)
                | Prop::EvidenceRef(_)
                | Prop::Gate(_)
                | Prop::Drop(_)
        )
    }
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Has,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    /// Binding strength: operators of one precedence chain together.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Has => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
            BinOp::Pow => 8,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Has => "has",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Num(Num),
    Str(Str),
    Bool(bool),
    /// `name`
    Name(Ident),
    /// `level.name`
    Qualified(Ident, Ident),
    /// `not x`, `- x`; a run of the same operator is one node (`not not x`
    /// has a count of 2), so long runs do not make deep trees.
    Unary(UnOp, u32, Box<Expr>),
    /// `a + b - c`: a first operand, then operators of one precedence with
    /// their right operands, as written. Flat chains stay flat: every pass
    /// over them loops instead of recursing once per operator.
    Chain(Box<Expr>, Vec<(BinOp, Expr)>),
    /// `x in [a, b]`
    In(Box<Expr>, Vec<Expr>),
    /// `if c1 then a1 else if c2 then a2 … else b`: the arms, then the last `else`.
    If(Vec<(Expr, Expr)>, Box<Expr>),
    /// `f(args… where C weight W)`
    Call {
        func: Ident,
        args: Vec<Expr>,
        filter: Option<Box<Expr>>,
        weight: Option<Box<Expr>>,
    },
    Paren(Box<Expr>),
    /// Stands for an expression already reported (nested too deeply).
    Invalid,
}
