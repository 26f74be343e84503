//! Stage 3, the resolved framework.
//!
//! In: produced by `check` from the merged AST. Out: read by `eval`,
//! `report`, `doc` and `explain`. Names are resolved to indices, every
//! expression carries its type and level, levels are ordered from the
//! coarsest (index 0) to the finest, and `order` lists lets, indicators and
//! dimensions so that each comes after everything it depends on.

use crate::source::{SourceId, Span};
use indexmap::IndexMap;

pub type LevelId = usize;
pub type QuestionId = usize;
pub type LetId = usize;
pub type IndicatorId = usize;
pub type DimensionId = usize;
pub type EvidenceId = usize;
pub type RatingsId = usize;

/// Texts by language tag; an untagged text is stored under `""`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels(pub IndexMap<String, String>);

impl Labels {
    /// The text in `lang`, else the untagged text, else the default language's, else any.
    pub fn get(&self, lang: &str, default_lang: &str) -> Option<&str> {
        self.0
            .get(lang)
            .or_else(|| self.0.get(""))
            .or_else(|| self.0.get(default_lang))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The whole checked framework.
#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub title: Labels,
    pub description: Labels,
    pub version: Option<String>,
    pub languages: Vec<String>,
    /// Ids of the frameworks this one adapts, nearest first.
    pub extends: Vec<String>,
    pub missing: Vec<String>,
    pub dont_know: Vec<String>,
    pub refused: Vec<String>,
    pub min_group: u32,
    pub levels: Vec<Level>,
    pub questions: Vec<Question>,
    pub lets: Vec<Let>,
    pub indicators: Vec<Indicator>,
    pub dimensions: Vec<Dimension>,
    pub evidence: Vec<Evidence>,
    pub ratings: Vec<Ratings>,
    pub rules: Vec<Rule>,
    /// Lets, indicators and dimensions, each after what it depends on.
    pub order: Vec<Node>,
    /// The framework's files, the adapting file first, then its bases.
    pub sources: Vec<SourceId>,
}

impl Framework {
    /// Every top expression of the framework: lets, indicator
    /// values, conditions, targets and weights, dimension conditions and
    /// gates, rules, evidence. Always in this order.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = self.lets.iter().map(|l| &l.expr).collect();
        for i in &self.indicators {
            out.push(&i.value);
            out.extend(i.when.as_ref());
            if let Some(Normalize::Target(t)) = &i.normalize {
                out.push(t);
            }
            if let Rollup::MeanWeighted(w) = &i.rollup {
                out.push(w);
            }
        }
        for d in &self.dimensions {
            out.extend(d.when.as_ref());
            out.extend(d.gates.iter().map(|g| &g.expr));
        }
        out.extend(self.rules.iter().map(|r| &r.check));
        for e in &self.evidence {
            out.push(&e.collect);
            out.extend(e.filter.as_ref());
        }
        out
    }

    /// [`Framework::exprs`], to change them.
    pub fn exprs_mut(&mut self) -> Vec<&mut Expr> {
        let mut out: Vec<&mut Expr> = self.lets.iter_mut().map(|l| &mut l.expr).collect();
        for i in &mut self.indicators {
            out.push(&mut i.value);
            out.extend(i.when.as_mut());
            if let Some(Normalize::Target(t)) = &mut i.normalize {
                out.push(t);
            }
            if let Rollup::MeanWeighted(w) = &mut i.rollup {
                out.push(w);
            }
        }
        for d in &mut self.dimensions {
            out.extend(d.when.as_mut());
            out.extend(d.gates.iter_mut().map(|g| &mut g.expr));
        }
        out.extend(self.rules.iter_mut().map(|r| &mut r.check));
        for e in &mut self.evidence {
            out.push(&mut e.collect);
            out.extend(e.filter.as_mut());
        }
        out
    }

    /// Numbers every expression node from 1, parents before children, so
    /// that each has its own [`ExprId`]. Returns how many there are.
    pub fn number_exprs(&mut self) -> u32 {
        let mut next = 0u32;
        let mut stack: Vec<&mut Expr> = self.exprs_mut();
        stack.reverse();
        while let Some(e) = stack.pop() {
            next += 1;
            e.id = ExprId(next);
            let mut kids = e.children_mut();
            kids.reverse();
            stack.extend(kids);
        }
        next
    }

    /// The default language (first declared), or `en`.
    pub fn default_lang(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }

    pub fn level_by_name(&self, name: &str) -> Option<LevelId> {
        self.levels.iter().position(|l| l.id == name)
    }

    pub fn indicator_by_name(&self, name: &str) -> Option<IndicatorId> {
        self.indicators.iter().position(|l| l.id == name)
    }

    pub fn dimension_by_name(&self, name: &str) -> Option<DimensionId> {
        self.dimensions.iter().position(|l| l.id == name)
    }
}

/// A node of the dependency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    Let(LetId),
    Indicator(IndicatorId),
    Dimension(DimensionId),
}

#[derive(Debug, Clone)]
pub struct Level {
    pub id: String,
    pub label: Labels,
    /// Column holding a unit's identifier in this level's table.
    pub key: String,
    pub parent: Option<LevelId>,
    /// Column naming the parent unit in this level's table.
    pub parent_column: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OptionDef {
    pub code: String,
    pub label: Labels,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QType {
    Number,
    /// `of_100`: bare numbers are on a 0..100 scale.
    Percent {
        of_100: bool,
    },
    Scale {
        lo: f64,
        hi: f64,
    },
    YesNo,
    Choice(Vec<OptionDef>),
    Multi(Vec<OptionDef>),
    Date,
    Text,
}

impl QType {
    pub fn options(&self) -> &[OptionDef] {
        match self {
            QType::Choice(o) | QType::Multi(o) => o,
            _ => &[],
        }
    }

    /// The codes of the options, in order.
    pub fn option_codes(&self) -> Vec<&str> {
        self.options().iter().map(|o| o.code.as_str()).collect()
    }

    pub fn name(&self) -> &'static str {
        match self {
            QType::Number => "number",
            QType::Percent { .. } => "percent",
            QType::Scale { .. } => "scale",
            QType::YesNo => "yesno",
            QType::Choice(_) => "choice",
            QType::Multi(_) => "multi",
            QType::Date => "date",
            QType::Text => "text",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub level: LevelId,
    pub ty: QType,
    pub label: Labels,
    pub description: Labels,
    pub required: bool,
    pub column: String,
    pub unit: Option<String>,
    pub range: Option<(f64, f64)>,
    pub integer: bool,
    pub doc: Option<String>,
    pub span: Span,
}

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Number,
    Bool,
    Text,
    Date,
    /// A value of choice question Q.
    Option(QuestionId),
    /// A set of options of multi question Q.
    Set(QuestionId),
    /// A level name, only as the argument of `count`.
    Level(LevelId),
    /// Already reported as an error; accepted everywhere to avoid cascades.
    Error,
}

#[derive(Debug, Clone)]
pub struct Let {
    pub id: String,
    pub expr: Expr,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MapKey {
    Num(f64),
    Text(String),
}

#[derive(Debug, Clone)]
pub enum Normalize {
    Goalposts {
        lo: f64,
        hi: f64,
    },
    Target(Expr),
    MinMax,
    Rank,
    Map(Vec<(MapKey, f64)>),
    /// A bool value: true scores 100 (mirrored by `better lower`).
    Bool,
}

#[derive(Debug, Clone)]
pub enum Rollup {
    Pooled,
    Sum,
    Mean,
    Median,
    Min,
    Max,
    Share,
    Distribution,
    None,
    MeanWeighted(Expr),
}

impl Rollup {
    pub fn name(&self) -> &'static str {
        match self {
            Rollup::Pooled => "pooled",
            Rollup::Sum => "sum",
            Rollup::Mean | Rollup::MeanWeighted(_) => "mean",
            Rollup::Median => "median",
            Rollup::Min => "min",
            Rollup::Max => "max",
            Rollup::Share => "share",
            Rollup::Distribution => "distribution",
            Rollup::None => "none",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub at: LevelId,
    pub label: Labels,
    pub description: Labels,
    pub value: Expr,
    pub unit: Option<String>,
    pub better: Better,
    pub normalize: Option<Normalize>,
    pub rollup: Rollup,
    pub when: Option<Expr>,
    pub min_n: Option<u32>,
    pub rate: Option<RatingsId>,
    pub method: Option<String>,
    pub nature: Option<String>,
    pub source: Option<String>,
    pub tags: Vec<String>,
    pub locked: bool,
    pub doc: Option<String>,
    pub span: Span,
    /// Levels at which it is reported (its own and the coarser ones its rollup reaches).
    pub levels: Vec<LevelId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Mean,
    Geometric,
    Harmonic,
    Median,
    Min,
    Max,
}

impl Aggregate {
    /// The name as written after `aggregate`.
    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::Geometric => "geometric",
            Aggregate::Harmonic => "harmonic",
            Aggregate::Median => "median",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildRef {
    Indicator(IndicatorId),
    Dimension(DimensionId),
}

#[derive(Debug, Clone)]
pub struct Child {
    pub item: ChildRef,
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub struct Gate {
    pub expr: Expr,
    /// The gate as written, for reports (`score(confiance_soi) >= 50`).
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub id: String,
    pub label: Labels,
    pub description: Labels,
    pub aggregate: Aggregate,
    pub require: f64,
    pub rate: Option<RatingsId>,
    pub children: Vec<Child>,
    pub evidence: Vec<EvidenceId>,
    pub gates: Vec<Gate>,
    pub when: Option<Expr>,
    pub locked: bool,
    pub doc: Option<String>,
    pub span: Span,
    /// Levels at which every child is reported.
    pub levels: Vec<LevelId>,
    /// Has no parent dimension.
    pub top: bool,
}

#[derive(Debug, Clone)]
pub struct Evidence {
    pub id: String,
    pub at: LevelId,
    pub label: Labels,
    pub collect: Expr,
    pub filter: Option<Expr>,
    pub keep: Option<usize>,
    pub doc: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub below: Option<f64>,
    pub label: Labels,
}

#[derive(Debug, Clone)]
pub struct Ratings {
    pub id: String,
    pub steps: Vec<Step>,
}

impl Ratings {
    /// The first step whose bound is above the score (the last step otherwise).
    pub fn rate(&self, score: f64) -> &Step {
        &self.steps[self.step_of(score)]
    }

    /// The index of [`Ratings::rate`]'s step.
    pub fn step_of(&self, score: f64) -> usize {
        self.steps
            .iter()
            .position(|s| s.below.is_none_or(|b| score < b))
            .unwrap_or(self.steps.len().saturating_sub(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSeverity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub at: LevelId,
    pub check: Expr,
    pub message: Labels,
    pub severity: RuleSeverity,
    pub span: Span,
}

/// The number of an expression node, unique in its framework: the key of
/// every cache the evaluation keeps. Given once checking is done
/// ([`Framework::number_exprs`]); nodes built before that hold 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// A typed, resolved expression.
#[derive(Debug, Clone)]
pub struct Expr {
    pub id: ExprId,
    pub kind: ExprKind,
    pub ty: Type,
    /// The finest level it varies at (`None` for a constant).
    pub level: Option<LevelId>,
    pub span: Span,
}

/// Operators are the syntax's own: one definition for every stage.
pub use crate::syntax::ast::{BinOp, UnOp};

/// Row functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Abs,
    Round,
    Floor,
    Ceil,
    Sqrt,
    Ln,
    Exp,
    Least,
    Greatest,
    Clamp,
    Coalesce,
    IsMissing,
    CountSelected,
    Year,
    DaysBetween,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(LEVEL)`: rows of the level.
    CountRows,
    /// `count(C)`: rows where C is true.
    Count,
    Sum,
    Mean,
    Median,
    Min,
    Max,
    Share,
    Ratio,
    Percentile,
    Stddev,
    Distinct,
}

impl AggFunc {
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::CountRows | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Mean => "mean",
            AggFunc::Median => "median",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::Share => "share",
            AggFunc::Ratio => "ratio",
            AggFunc::Percentile => "percentile",
            AggFunc::Stddev => "stddev",
            AggFunc::Distinct => "distinct",
        }
    }
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Num(f64),
    Str(String),
    Bool(bool),
    Question(QuestionId),
    Let(LetId),
    Indicator(IndicatorId),
    /// `score(child)`, only in gates.
    Score(ChildRef),
    /// A dimension's score used as a value, only in gates.
    DimensionScore(DimensionId),
    Unary(UnOp, Box<Expr>),
    /// Operators of one precedence after a first operand, applied left to
    /// right (`^` right to left). Flat, so long sums and `and` chains are
    /// evaluated in a loop rather than by deep recursion.
    Chain(Box<Expr>, Vec<(BinOp, Expr)>),
    In(Box<Expr>, Vec<Expr>),
    /// `if` arms (condition, value) tried in order, then the `else` value.
    If(Vec<(Expr, Expr)>, Box<Expr>),
    Func(Func, Vec<Expr>),
    Agg {
        func: AggFunc,
        /// The finer level whose rows are aggregated.
        over: LevelId,
        args: Vec<Expr>,
        filter: Option<Box<Expr>>,
        weight: Option<Box<Expr>>,
    },
}

impl Expr {
    /// Its direct sub-expressions, in the order they are written.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Unary(_, a) => vec![a],
            ExprKind::Chain(a, rest) => std::iter::once(&**a)
                .chain(rest.iter().map(|(_, e)| e))
                .collect(),
            ExprKind::In(a, items) => std::iter::once(&**a).chain(items).collect(),
            ExprKind::If(arms, b) => arms
                .iter()
                .flat_map(|(c, a)| [c, a])
                .chain(std::iter::once(&**b))
                .collect(),
            ExprKind::Func(_, args) => args.iter().collect(),
            ExprKind::Agg {
                args,
                filter,
                weight,
                ..
            } => args
                .iter()
                .chain(filter.as_deref())
                .chain(weight.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The direct sub-expressions, to change them.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match &mut self.kind {
            ExprKind::Unary(_, a) => vec![&mut **a],
            ExprKind::Chain(a, rest) => std::iter::once(&mut **a)
                .chain(rest.iter_mut().map(|(_, e)| e))
                .collect(),
            ExprKind::In(a, items) => std::iter::once(&mut **a).chain(items.iter_mut()).collect(),
            ExprKind::If(arms, b) => arms
                .iter_mut()
                .flat_map(|(c, a)| [c, a])
                .chain(std::iter::once(&mut **b))
                .collect(),
            ExprKind::Func(_, args) => args.iter_mut().collect(),
            ExprKind::Agg {
                args,
                filter,
                weight,
                ..
            } => args
                .iter_mut()
                .chain(filter.as_deref_mut())
                .chain(weight.as_deref_mut())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Calls `f` on this expression and every sub-expression, parents first.
    /// Iterative: a wide chain costs no stack.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
            let kids = e.children();
            stack.extend(kids.into_iter().rev());
        }
    }

    /// Whether an aggregate appears anywhere in it.
    pub fn has_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e.kind, ExprKind::Agg { .. }));
        found
    }
}
