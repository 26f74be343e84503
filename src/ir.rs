//! Stage 3, the resolved framework.
//!
//! In: produced by `check` from the merged AST. Out: read by `eval`,
//! `report`, `doc` and `explain`. Names are resolved to indices, every
//! expression carries its type and level, levels are ordered from the
//! coarsest (index 0) to the finest, and `order` lists lets, indicators and
//! dimensions so that each comes after everything it depends on.

#![warn(missing_docs)]

use crate::source::{SourceId, Span};
use indexmap::IndexMap;

/// Declares a typed index into one of the framework's lists: a `u32`
/// that only indexes the list it was made for, so that an indicator's
/// number can never be used to read a dimension.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            /// Its position in the list, for plain slices indexed alike.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<usize> for $name {
            fn from(i: usize) -> Self {
                // A framework's lists are read from text files: they never
                // come near 4 billion items.
                Self(u32::try_from(i).expect("a list of fewer than 2^32 items"))
            }
        }

        impl From<$name> for usize {
            fn from(i: $name) -> usize {
                i.index()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

index_type!(
    /// Index of a level in [`Framework::levels`] (0 is the coarsest).
    LevelId
);

impl LevelId {
    /// The coarsest level.
    pub const TOP: LevelId = LevelId(0);

    /// The level just coarser than this one, which it is `within`; the
    /// top level has none.
    pub fn up(self) -> Option<LevelId> {
        self.0.checked_sub(1).map(LevelId)
    }

    /// This level and every coarser one, finest first.
    pub fn and_above(self) -> impl Iterator<Item = LevelId> {
        (0..=self.0).rev().map(LevelId)
    }
}

// Levels form one chain, coarsest first: `l + 1` is the level just finer
// than `l` and `l - 1` the one it is within. Only levels have this
// arithmetic; the other indices are names, not positions in a chain.
impl std::ops::Add<usize> for LevelId {
    type Output = LevelId;
    fn add(self, k: usize) -> LevelId {
        LevelId::from(self.index() + k)
    }
}

impl std::ops::Sub<usize> for LevelId {
    type Output = LevelId;
    fn sub(self, k: usize) -> LevelId {
        LevelId::from(self.index() - k)
    }
}

impl std::ops::SubAssign<usize> for LevelId {
    fn sub_assign(&mut self, k: usize) {
        *self = *self - k;
    }
}

index_type!(
    /// Index of a question in [`Framework::questions`].
    QuestionId
);
index_type!(
    /// Index of a section in [`Framework::sections`].
    SectionId
);
index_type!(
    /// Index of a let in [`Framework::lets`].
    LetId
);
index_type!(
    /// Index of an indicator in [`Framework::indicators`].
    IndicatorId
);
index_type!(
    /// Index of a dimension in [`Framework::dimensions`].
    DimensionId
);
index_type!(
    /// Index of an evidence item in [`Framework::evidence`].
    EvidenceId
);
index_type!(
    /// Index of a ratings scale in [`Framework::ratings`].
    RatingsId
);

/// A list indexed by one of the typed indices above.
pub type List<K, V> = typed_index_collections::TiVec<K, V>;

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

    /// Whether no language has a text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The whole checked framework.
#[derive(Debug, Clone)]
pub struct Framework {
    /// The framework's name, as written after `framework`.
    pub id: String,
    /// Its title, per language.
    pub title: Labels,
    /// What it is for, per language.
    pub description: Labels,
    /// Who publishes the evaluation (a network, an observatory), per language.
    pub publisher: Labels,
    /// The version it declares, if any.
    pub version: Option<String>,
    /// Declared languages, the default first.
    pub languages: Vec<String>,
    /// Ids of the frameworks this one adapts, nearest first.
    pub extends: Vec<String>,
    /// Cell texts read as a missing answer (`NA`, `-`…).
    pub missing: Vec<String>,
    /// Cell texts read as "don't know".
    pub dont_know: Vec<String>,
    /// Cell texts read as a refusal to answer.
    pub refused: Vec<String>,
    /// Pooled values from fewer rows than this are hidden (1: no hiding).
    pub min_group: u32,
    /// Levels, coarsest first.
    pub levels: List<LevelId, Level>,
    /// Questions, in the order declared.
    pub questions: List<QuestionId, Question>,
    /// Sections of the questionnaire, in the order first declared.
    pub sections: List<SectionId, Section>,
    /// Named expressions.
    pub lets: List<LetId, Let>,
    /// Indicators, inline ones included.
    pub indicators: List<IndicatorId, Indicator>,
    /// Dimensions, nested ones included.
    pub dimensions: List<DimensionId, Dimension>,
    /// Qualitative evidence items.
    pub evidence: List<EvidenceId, Evidence>,
    /// Ratings scales.
    pub ratings: List<RatingsId, Ratings>,
    /// Data rules checked before evaluation.
    pub rules: Vec<Rule>,
    /// Lets, indicators and dimensions, each after what it depends on.
    pub order: Vec<Node>,
    /// The framework's files, the adapting file first, then its bases.
    pub sources: Vec<SourceId>,
}

impl Framework {
    /// The questions of level `l` in questionnaire order: as declared,
    /// except that a section's questions all come where the section first
    /// appears (a section is one group of a form, one block of a template).
    pub fn questions_in_order(&self, l: LevelId) -> Vec<QuestionId> {
        let mut out = Vec::new();
        let mut done: List<SectionId, bool> = vec![false; self.sections.len()].into();
        for (q, question) in self.questions.iter_enumerated() {
            if question.level != l {
                continue;
            }
            match question.section {
                None => out.push(q),
                Some(s) if !done[s] => {
                    done[s] = true;
                    out.extend((self.questions.keys()).filter(|&x| {
                        self.questions[x].level == l && self.questions[x].section == Some(s)
                    }));
                }
                Some(_) => {}
            }
        }
        out
    }

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
        out.extend(self.questions.iter().filter_map(|q| q.when.as_ref()));
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
        out.extend(self.questions.iter_mut().filter_map(|q| q.when.as_mut()));
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

    /// Whether `l` is the finest level, whose units are the rows of its table.
    pub fn is_finest(&self, l: LevelId) -> bool {
        l.index() + 1 == self.levels.len()
    }

    /// The default language (first declared), or `en`.
    pub fn default_lang(&self) -> &str {
        self.languages.first().map(String::as_str).unwrap_or("en")
    }

    /// The level called `name`.
    pub fn level_by_name(&self, name: &str) -> Option<LevelId> {
        self.levels
            .iter()
            .position(|l| l.id == name)
            .map(LevelId::from)
    }

    /// The indicator called `name`.
    pub fn indicator_by_name(&self, name: &str) -> Option<IndicatorId> {
        self.indicators
            .iter()
            .position(|l| l.id == name)
            .map(IndicatorId::from)
    }

    /// The dimension called `name`.
    pub fn dimension_by_name(&self, name: &str) -> Option<DimensionId> {
        self.dimensions
            .iter()
            .position(|l| l.id == name)
            .map(DimensionId::from)
    }
}

/// A node of the dependency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// A let.
    Let(LetId),
    /// An indicator.
    Indicator(IndicatorId),
    /// A dimension.
    Dimension(DimensionId),
}

/// A level of the framework: territories, enterprises, persons…
#[derive(Debug, Clone)]
pub struct Level {
    /// Its name.
    pub id: String,
    /// What reports call it, per language.
    pub label: Labels,
    /// Column holding a unit's identifier in this level's table.
    pub key: String,
    /// The coarser level it is `within`.
    pub parent: Option<LevelId>,
    /// Column naming the parent unit in this level's table.
    pub parent_column: Option<String>,
    /// Column holding a unit's display name in this level's table.
    pub name_column: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// An option of a `choice` or `multi` question.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionDef {
    /// The code a table holds.
    pub code: String,
    /// What people read, per language.
    pub label: Labels,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq)]
pub enum QType {
    /// Any number.
    Number,
    /// `of_100`: bare numbers are on a 0..100 scale.
    Percent {
        /// Answers on a 0..100 scale rather than 0..1.
        of_100: bool,
    },
    /// Whole points from `lo` to `hi`.
    Scale {
        /// The lowest point.
        lo: f64,
        /// The highest point.
        hi: f64,
        /// Labels of some points, in the order written; each code is the
        /// point as a whole number (`"1"`, `"-2"`).
        points: Vec<OptionDef>,
    },
    /// Yes or no.
    YesNo,
    /// One option among several.
    Choice(Vec<OptionDef>),
    /// Any options among several.
    Multi(Vec<OptionDef>),
    /// A calendar date.
    Date,
    /// Free text (testimonies, comments).
    Text,
}

impl QType {
    /// The options of a `choice` or `multi` question (none for others).
    pub fn options(&self) -> &[OptionDef] {
        match self {
            QType::Choice(o) | QType::Multi(o) => o,
            _ => &[],
        }
    }

    /// The labelled points of a scale (none for other types).
    pub fn points(&self) -> &[OptionDef] {
        match self {
            QType::Scale { points, .. } => points,
            _ => &[],
        }
    }

    /// The codes of the options, in order.
    pub fn option_codes(&self) -> Vec<&str> {
        self.options().iter().map(|o| o.code.as_str()).collect()
    }

    /// The type as written in a framework (`yesno`, `choice`…).
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

/// A question of a survey or a record column.
#[derive(Debug, Clone)]
pub struct Question {
    /// Its name, used in expressions.
    pub id: String,
    /// The level whose units answer it.
    pub level: LevelId,
    /// What kind of answer it takes.
    pub ty: QType,
    /// The question as asked, per language.
    pub label: Labels,
    /// More about it, per language.
    pub description: Labels,
    /// A row without an answer is an error.
    pub required: bool,
    /// The table column holding the answers (the name unless `column` says otherwise).
    pub column: String,
    /// Other headers the answers may come under (`column "a", "b"`: a
    /// question renamed between two versions of a form), tried in order
    /// when `column` is not in the table.
    pub aliases: Vec<String>,
    /// The unit of its numbers (`ETP`, `€`).
    pub unit: Option<String>,
    /// The range answers must fall in.
    pub range: Option<(f64, f64)>,
    /// Answers are whole numbers.
    pub integer: bool,
    /// To whom it is asked (`when`): a condition at its level or coarser;
    /// where false or undecided the answer is "not asked".
    pub when: Option<Expr>,
    /// The section of the questionnaire it belongs to.
    pub section: Option<SectionId>,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A section of a questionnaire (`questions at L section ID { label … }`).
#[derive(Debug, Clone)]
pub struct Section {
    /// Its name, as written after `section`.
    pub id: String,
    /// The level whose questions it groups.
    pub level: LevelId,
    /// Its title in the questionnaire, per language.
    pub label: Labels,
    /// More about it, per language.
    pub description: Labels,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Where it is first declared.
    pub span: Span,
}

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// A number (shares are numbers from 0 to 1).
    Number,
    /// True or false (missing allowed).
    Bool,
    /// Text.
    Text,
    /// A date.
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

/// A named expression (`let name = …`).
#[derive(Debug, Clone)]
pub struct Let {
    /// Its name.
    pub id: String,
    /// What it stands for.
    pub expr: Expr,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// What an indicator measures, in the VISES sense: practices are valued
/// as much as results, and context describes the unit without scoring it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// How the enterprise works (governance, training offered…).
    Practice,
    /// What it produces (hours of support, people trained).
    Output,
    /// What changes for people (confidence, employment).
    Outcome,
    /// What changes beyond them (the territory, society).
    Impact,
    /// A description of the unit, reported and never scored.
    Context,
}

impl Nature {
    /// Every nature, in the order the language lists them.
    pub const ALL: [Nature; 5] = [
        Nature::Practice,
        Nature::Output,
        Nature::Outcome,
        Nature::Impact,
        Nature::Context,
    ];

    /// The word a framework writes (`nature practice`).
    pub fn name(self) -> &'static str {
        match self {
            Nature::Practice => "practice",
            Nature::Output => "output",
            Nature::Outcome => "outcome",
            Nature::Impact => "impact",
            Nature::Context => "context",
        }
    }

    /// The nature a word names.
    pub fn from_word(w: &str) -> Option<Nature> {
        Nature::ALL.into_iter().find(|n| n.name() == w)
    }
}

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better.
    Higher,
    /// Less is better.
    Lower,
}

/// A key of a `normalize map`.
#[derive(Debug, Clone, PartialEq)]
pub enum MapKey {
    /// A number.
    Num(f64),
    /// An option code or a text.
    Text(String),
}

/// How an indicator's values become scores from 0 to 100.
#[derive(Debug, Clone)]
pub enum Normalize {
    /// A straight line from `lo` (0) to `hi` (100), clamped.
    Goalposts {
        /// The value scoring 0.
        lo: f64,
        /// The value scoring 100.
        hi: f64,
    },
    /// Reaching the target scores 100.
    Target(Expr),
    /// The lowest unit scores 0, the highest 100.
    MinMax,
    /// The unit's rank among the others.
    Rank,
    /// Points given for each value.
    Map(Vec<(MapKey, f64)>),
    /// A bool value: true scores 100 (mirrored by `better lower`).
    Bool,
}

/// How an indicator's value at a coarser level is made from the finer units.
#[derive(Debug, Clone)]
pub enum Rollup {
    /// The value computed again over every row of the coarser unit.
    Pooled,
    /// The units' values added.
    Sum,
    /// The units' values averaged.
    Mean,
    /// The middle value of the units.
    Median,
    /// The smallest value of the units.
    Min,
    /// The largest value of the units.
    Max,
    /// The share of units where a yes/no value is yes.
    Share,
    /// How many units give each option.
    Distribution,
    /// Not reported above its own level.
    None,
    /// The units' values averaged, weighted by an expression.
    MeanWeighted(Expr),
}

impl Rollup {
    /// The rollup as written (`pooled`, `mean`…).
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

/// An indicator: a value per unit, with its score and status.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Its name.
    pub id: String,
    /// The level it is computed at.
    pub at: LevelId,
    /// What reports call it, per language.
    pub label: Labels,
    /// More about it, per language.
    pub description: Labels,
    /// Its value.
    pub value: Expr,
    /// The unit of its value (`%`, `ETP`).
    pub unit: Option<String>,
    /// Which way it improves.
    pub better: Better,
    /// How its values become scores, if they do.
    pub normalize: Option<Normalize>,
    /// How it is reported at coarser levels.
    pub rollup: Rollup,
    /// Where it applies.
    pub when: Option<Expr>,
    /// Values from fewer rows are flagged `low_n`.
    pub min_n: Option<u32>,
    /// The ratings scale its score is rated on.
    pub rate: Option<RatingsId>,
    /// How it is measured, in words.
    pub method: Option<String>,
    /// What it measures: a practice, a result, context…
    pub nature: Option<Nature>,
    /// Where its data comes from.
    pub source: Option<String>,
    /// Free tags for grouping in reports.
    pub tags: Vec<String>,
    /// An adaptation may not change it.
    pub locked: bool,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Where it is declared.
    pub span: Span,
    /// Levels at which it is reported (its own and the coarser ones its rollup reaches).
    pub levels: Vec<LevelId>,
    /// The breakdowns of `by`, in the order written.
    pub by: Vec<Breakdown>,
}

/// One breakdown of an indicator (`by sexe`): its value split into one
/// cell per option, plus a cell for rows where the breakdown is missing.
#[derive(Debug, Clone)]
pub struct Breakdown {
    /// The name written after `by`.
    pub id: String,
    /// What is read to place a row in a cell.
    pub source: BySource,
    /// The level the breakdown varies at: cells are reported at the
    /// indicator's levels strictly coarser than it.
    pub level: LevelId,
    /// Where it is written.
    pub span: Span,
}

/// What a breakdown reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BySource {
    /// A `choice` question (one cell per option) or a `yesno` one.
    Question(QuestionId),
    /// A `let` of yes/no type.
    Let(LetId),
}

impl Breakdown {
    /// How many option cells it has (the missing cell comes after them).
    pub fn n_options(&self, fw: &Framework) -> usize {
        match self.source {
            BySource::Question(q) => match &fw.questions[q].ty {
                QType::Choice(o) => o.len(),
                _ => 2,
            },
            BySource::Let(_) => 2,
        }
    }

    /// The code of option cell `k` (`true`/`false` for yes/no), `None` for
    /// the missing cell.
    pub fn option_code(&self, fw: &Framework, k: usize) -> Option<String> {
        if k >= self.n_options(fw) {
            return None;
        }
        Some(match self.source {
            BySource::Question(q) => match &fw.questions[q].ty {
                QType::Choice(o) => o[k].code.clone(),
                _ => yes_no_code(k).into(),
            },
            BySource::Let(_) => yes_no_code(k).into(),
        })
    }
}

/// Yes/no breakdowns list `true` first, then `false`.
fn yes_no_code(k: usize) -> &'static str {
    if k == 0 { "true" } else { "false" }
}

/// How a dimension combines its children's scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// The weighted mean of the scores.
    Mean,
    /// The weighted geometric mean.
    Geometric,
    /// The weighted harmonic mean.
    Harmonic,
    /// The middle score.
    Median,
    /// The lowest score.
    Min,
    /// The highest score.
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

/// A child of a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildRef {
    /// An indicator.
    Indicator(IndicatorId),
    /// A dimension.
    Dimension(DimensionId),
}

/// One child of a dimension with its weight.
#[derive(Debug, Clone)]
pub struct Child {
    /// The indicator or dimension.
    pub item: ChildRef,
    /// Its declared weight (above zero).
    pub weight: f64,
}

/// A must-pass condition of a dimension.
#[derive(Debug, Clone)]
pub struct Gate {
    /// The condition, at the dimension's levels.
    pub expr: Expr,
    /// The gate as written, for reports (`score(confiance_soi) >= 50`).
    pub text: String,
}

/// A dimension: its children's scores combined.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Its name.
    pub id: String,
    /// What reports call it, per language.
    pub label: Labels,
    /// More about it, per language.
    pub description: Labels,
    /// How the children's scores are combined.
    pub aggregate: Aggregate,
    /// The share of the children's weight that must be scored.
    pub require: f64,
    /// The ratings scale its score is rated on.
    pub rate: Option<RatingsId>,
    /// Its indicators and dimensions, in the order written.
    pub children: Vec<Child>,
    /// The evidence shown with it.
    pub evidence: Vec<EvidenceId>,
    /// Its must-pass conditions.
    pub gates: Vec<Gate>,
    /// Where it applies.
    pub when: Option<Expr>,
    /// An adaptation may not change it.
    pub locked: bool,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Where it is declared.
    pub span: Span,
    /// Levels at which every child is reported.
    pub levels: Vec<LevelId>,
    /// Has no parent dimension.
    pub top: bool,
}

/// Qualitative evidence: texts collected beside the figures.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Its name.
    pub id: String,
    /// The level it is reported at.
    pub at: LevelId,
    /// What reports call it, per language.
    pub label: Labels,
    /// What is collected.
    pub collect: Expr,
    /// Which rows are collected.
    pub filter: Option<Expr>,
    /// At most this many texts per unit.
    pub keep: Option<usize>,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// One step of a ratings scale.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its name.
    pub id: String,
    /// Scores below this get this step (none for the last step).
    pub below: Option<f64>,
    /// What reports call it, per language.
    pub label: Labels,
    /// Its colour in reports (`#rrggbb`), when the framework gives one.
    pub color: Option<String>,
}

/// A colour-blind-safe scale from the lowest step (red) to the highest
/// (blue), used for steps without a `color`.
const PALETTE: [&str; 5] = ["#d73027", "#fc8d59", "#fee090", "#91bfdb", "#4575b4"];

/// A ratings scale: steps from the lowest up.
#[derive(Debug, Clone)]
pub struct Ratings {
    /// Its name.
    pub id: String,
    /// Its steps, lowest first.
    pub steps: Vec<Step>,
    /// The bounds between its steps (each step's `below`), lowest first:
    /// what charts draw as marks, kept here so that a report's bars
    /// borrow them rather than each making a list of its own.
    pub bounds: Vec<f64>,
}

impl Ratings {
    /// The colour of step `k`: its own, else one of a colour-blind-safe
    /// palette spread over the steps in order.
    pub fn color(&self, k: usize) -> &str {
        if let Some(c) = self.steps.get(k).and_then(|s| s.color.as_deref()) {
            return c;
        }
        let n = self.steps.len().max(1);
        let at = if n == 1 {
            4
        } else {
            k.min(n - 1) * 4 / (n - 1)
        };
        PALETTE[at]
    }

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

/// What a failed data rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSeverity {
    /// The answers it reads are blanked, and the run fails under `--strict`.
    Error,
    /// It is reported, nothing more.
    Warning,
}

/// A data rule, checked on every unit of its level before evaluation.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its name.
    pub id: String,
    /// The level it is checked at.
    pub at: LevelId,
    /// What must hold.
    pub check: Expr,
    /// What is said when it fails, per language.
    pub message: Labels,
    /// What a failure does.
    pub severity: RuleSeverity,
    /// Where it is declared.
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
    /// Its number in the framework.
    pub id: ExprId,
    /// What it computes.
    pub kind: ExprKind,
    /// The type of its value.
    pub ty: Type,
    /// The finest level it varies at (`None` for a constant).
    pub level: Option<LevelId>,
    /// Where it is written.
    pub span: Span,
}

/// Operators are the syntax's own: one definition for every stage.
pub use crate::syntax::ast::{BinOp, UnOp};

/// Row functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// Absolute value.
    Abs,
    /// Rounded to the nearest whole number (or to `n` decimals).
    Round,
    /// Rounded down.
    Floor,
    /// Rounded up.
    Ceil,
    /// Square root.
    Sqrt,
    /// Natural logarithm.
    Ln,
    /// Exponential.
    Exp,
    /// The smallest of its arguments.
    Least,
    /// The largest of its arguments.
    Greatest,
    /// Its first argument kept between the two others.
    Clamp,
    /// The first argument that has a value.
    Coalesce,
    /// Whether its argument is missing.
    IsMissing,
    /// How many options a multiple answer holds.
    CountSelected,
    /// The year of a date.
    Year,
    /// Days from the first date to the second.
    DaysBetween,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(LEVEL)`: rows of the level.
    CountRows,
    /// `count(C)`: rows where C is true.
    Count,
    /// The total.
    Sum,
    /// The mean.
    Mean,
    /// The median.
    Median,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The share of rows where a condition holds.
    Share,
    /// The total of one expression over the total of another.
    Ratio,
    /// A percentile.
    Percentile,
    /// The standard deviation.
    Stddev,
    /// How many different values.
    Distinct,
}

impl AggFunc {
    /// The function as written (`sum`, `share`…).
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

/// What an expression computes.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A number.
    Num(f64),
    /// A text.
    Str(String),
    /// True or false.
    Bool(bool),
    /// A question's answers.
    Question(QuestionId),
    /// A let's value.
    Let(LetId),
    /// An indicator's value.
    Indicator(IndicatorId),
    /// `score(child)`, only in gates.
    Score(ChildRef),
    /// A dimension's score used as a value, only in gates.
    DimensionScore(DimensionId),
    /// `not` or `-`, applied once.
    Unary(UnOp, Box<Expr>),
    /// Operators of one precedence after a first operand, applied left to
    /// right (`^` right to left). Flat, so long sums and `and` chains are
    /// evaluated in a loop rather than by deep recursion.
    Chain(Box<Expr>, Vec<(BinOp, Expr)>),
    /// `x in (a, b, …)`.
    In(Box<Expr>, Vec<Expr>),
    /// `if` arms (condition, value) tried in order, then the `else` value.
    If(Vec<(Expr, Expr)>, Box<Expr>),
    /// A row function with its arguments.
    Func(Func, Vec<Expr>),
    /// An aggregate over the rows of a finer level.
    Agg(Agg),
}

/// An aggregate over the rows of a finer level: `share(x where c)`.
#[derive(Debug, Clone)]
pub struct Agg {
    /// Which aggregate.
    pub func: AggFunc,
    /// The finer level whose rows are aggregated.
    pub over: LevelId,
    /// What is aggregated.
    pub args: Vec<Expr>,
    /// Only rows where this holds (`where`).
    pub filter: Option<Box<Expr>>,
    /// Weights of the rows.
    pub weight: Option<Box<Expr>>,
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
            ExprKind::Agg(Agg {
                args,
                filter,
                weight,
                ..
            }) => args
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
            ExprKind::Agg(Agg {
                args,
                filter,
                weight,
                ..
            }) => args
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
        self.walk(&mut |e| found |= matches!(e.kind, ExprKind::Agg(_)));
        found
    }
}
