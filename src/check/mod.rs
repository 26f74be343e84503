//! Stage 2, check: AST → resolved framework.
//!
//! In: the path of a `.grille` file. Out: an [`ir::Framework`] and its
//! warnings, or every error found. `load` reads the file and the chain of
//! files it `extends`, and merges them into one model (applying `refine` and
//! `remove`); `resolve` turns that model into the IR, checking names,
//! levels, types, dimensions, ratings, labels and dependency cycles.

mod breakdowns;
mod calls;
mod declarations;
mod dimensions;
mod evidence;
mod exprs;
mod items;
mod load;
mod names;
mod props;
mod questionnaire;
mod resolve;
mod scoring;
#[cfg(test)]
mod tests;

use crate::diagnostic::{Code, Diag};
use crate::ir;
use crate::source::SourceMap;
use crate::syntax::ast;
use std::path::Path;

pub use load::{Entry, Model};

/// Problems in a framework's meaning (`check`) or in how an adaptation
/// changes its base (`adapt`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum CheckError {
    #[error("{0} is compared with a share on a scale of 100; shares run from 0 to 1")]
    ScaleMismatch(String),
    #[error("`{0}` is declared twice")]
    DuplicateName(String),
    #[error("`{}` is a reserved word in expressions and cannot name {}", .0, with_article(.1))]
    ReservedName(String, &'static str),
    #[error("`{0}` is a property of a section and cannot name one of its questions")]
    SectionProperty(String),
    #[error("unknown name `{0}`")]
    UnknownName(String),
    #[error("unknown level `{0}`")]
    UnknownLevel(String),
    #[error("the levels do not form one chain: {0}")]
    LevelChain(String),
    #[error("language `{0}` is not declared in `languages`")]
    UnknownLanguage(String),
    #[error("{what} has no text in {missing}")]
    MissingTranslation { what: String, missing: String },
    #[error("{0}")]
    TypeMismatch(String),
    #[error("`{option}` is not an option of `{question}`")]
    UnknownOption { option: String, question: String },
    #[error("{0}")]
    WrongLevel(String),
    #[error("{0}")]
    AggregateLevel(String),
    #[error("an aggregate inside an aggregate")]
    NestedAggregate,
    #[error("unknown function `{0}`")]
    UnknownFunction(String),
    #[error("`{func}` takes {expected}, found {found}")]
    Arity {
        func: String,
        expected: &'static str,
        found: usize,
    },
    #[error("dependency cycle: {0}")]
    Cycle(String),
    #[error("`{0}` cannot be scored in a dimension")]
    Unscorable(String),
    #[error("context indicator `{0}` cannot be part of a dimension")]
    ContextInDimension(String),
    #[error("gate names `{0}`, which is not a child of this dimension")]
    GateNotChild(String),
    #[error("`score(…)` is only allowed in a dimension's `gate`")]
    ScoreOutsideGate,
    #[error("weight must be greater than zero, found {0}")]
    BadWeight(String),
    #[error("option `{option}` of `{question}` has no points in the mapping")]
    UnmappedOption { option: String, question: String },
    #[error("mapping key `{0}` is not an option of the indicator's value")]
    MappingKey(String),
    #[error("rating steps are out of order: {0}")]
    RatingsOrder(String),
    #[error("`{0}` is missing")]
    MissingProperty(String),
    #[error("{0}")]
    InvalidValue(String),
    #[error("question `{0}` is never used")]
    UnusedQuestion(String),
    #[error("indicator `{0}` is in no dimension and used by nothing")]
    UnusedIndicator(String),
    #[error("`let {0}` is never used")]
    UnusedLet(String),
    #[error("{0}")]
    Rollup(String),
    #[error("`{name}` is a {found}, not {expected}")]
    WrongKind {
        name: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("a dimension has no common level: {0}")]
    NoCommonLevel(String),
    #[error("cannot read the base framework `{path}`: {reason}")]
    UnreadableBase { path: String, reason: String },
    #[error("`extends` forms a cycle: {0}")]
    ExtendsCycle(String),
    #[error("`{0}` is already declared in the base framework")]
    Redeclared(String),
    #[error("the base framework has no {kind} `{name}`")]
    UnknownRefine { kind: &'static str, name: String },
    #[error("{kind} `{name}` is locked by the base framework")]
    Locked { kind: &'static str, name: String },
    #[error("`{0}` was removed by this adaptation but is still used")]
    RemovedReference(String),
    #[error("`{0}` is not a child of this dimension")]
    NotAChild(String),
    #[error("option `{0}` is listed twice")]
    DuplicateOption(String),
    #[error("{0}")]
    BadBreakdown(String),
    #[error("indicator `{0}` publishes one respondent's own answer")]
    IndividualValue(String),
}

/// `an indicator`, `a let`: a kind of item with its article.
fn with_article(kind: &str) -> String {
    let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if vowel { "an" } else { "a" })
}

impl Code for CheckError {
    fn code(&self) -> &'static str {
        use CheckError::*;
        match self {
            ScaleMismatch(_) => "grille::check::scale_mismatch",
            DuplicateName(_) => "grille::check::duplicate_name",
            ReservedName(..) | SectionProperty(_) => "grille::check::reserved_name",
            UnknownName(_) => "grille::check::unknown_name",
            UnknownLevel(_) => "grille::check::unknown_level",
            LevelChain(_) => "grille::check::level_chain",
            UnknownLanguage(_) => "grille::check::unknown_language",
            MissingTranslation { .. } => "grille::check::missing_translation",
            TypeMismatch(_) => "grille::check::type_mismatch",
            UnknownOption { .. } => "grille::check::unknown_option",
            WrongLevel(_) => "grille::check::wrong_level",
            AggregateLevel(_) => "grille::check::aggregate_level",
            NestedAggregate => "grille::check::nested_aggregate",
            UnknownFunction(_) => "grille::check::unknown_function",
            Arity { .. } => "grille::check::arity",
            Cycle(_) => "grille::check::cycle",
            Unscorable(_) => "grille::check::unscorable",
            ContextInDimension(_) => "grille::check::context_in_dimension",
            GateNotChild(_) => "grille::check::gate_not_child",
            ScoreOutsideGate => "grille::check::score_outside_gate",
            BadWeight(_) => "grille::check::bad_weight",
            UnmappedOption { .. } => "grille::check::unmapped_option",
            MappingKey(_) => "grille::check::mapping_key",
            RatingsOrder(_) => "grille::check::ratings_order",
            MissingProperty(_) => "grille::check::missing_property",
            InvalidValue(_) => "grille::check::invalid_value",
            UnusedQuestion(_) => "grille::check::unused_question",
            UnusedIndicator(_) => "grille::check::unused_indicator",
            UnusedLet(_) => "grille::check::unused_let",
            Rollup(_) => "grille::check::rollup",
            WrongKind { .. } => "grille::check::wrong_kind",
            NoCommonLevel(_) => "grille::check::no_common_level",
            DuplicateOption(_) => "grille::check::duplicate_option",
            BadBreakdown(_) => "grille::check::bad_breakdown",
            IndividualValue(_) => "grille::check::individual_value",
            UnreadableBase { .. } => "grille::adapt::unreadable_base",
            ExtendsCycle(_) => "grille::adapt::extends_cycle",
            Redeclared(_) => "grille::adapt::redeclared",
            UnknownRefine { .. } => "grille::adapt::unknown_item",
            Locked { .. } => "grille::adapt::locked",
            RemovedReference(_) => "grille::adapt::removed_reference",
            NotAChild(_) => "grille::adapt::not_a_child",
        }
    }
}

/// A checked framework with what was found along the way.
#[derive(Debug, Clone)]
pub struct Checked {
    pub framework: ir::Framework,
    /// Warnings (no errors: those make [`check_path`] fail).
    pub warnings: Vec<Diag>,
}

/// Why checking stopped.
#[derive(Debug)]
pub enum Failure {
    /// The framework file itself could not be read.
    Io { path: String, error: std::io::Error },
    /// The framework has errors; all diagnostics found (warnings too).
    Invalid(Vec<Diag>),
}

impl From<Vec<Diag>> for Failure {
    fn from(d: Vec<Diag>) -> Failure {
        Failure::Invalid(d)
    }
}

/// Reads, merges and checks the framework at `path`; every file read is
/// added to `sources`.
///
/// # Errors
/// [`Failure::Io`] when the file cannot be read; [`Failure::Invalid`] with
/// every diagnostic when any error was found (an unreadable base file is
/// such an error, pointing at the `extends` line).
pub fn check_path(
    path: &Path,
    sources: &mut SourceMap,
    opts: &Options,
) -> Result<Checked, Failure> {
    let io = |error| Failure::Io {
        path: path.display().to_string(),
        error,
    };
    // Places in a source are 32-bit (see `data::MAX_TEXT`).
    if std::fs::metadata(path).is_ok_and(|m| m.len() > crate::data::MAX_TEXT) {
        return Err(io(std::io::Error::other(
            "a framework file is at most 4 GiB",
        )));
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    check_text(&path.display().to_string(), &text, sources, opts)
}

/// Settings of a check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report missing translations only for this language (all declared ones when `None`).
    pub lang: Option<String>,
}

/// Checks a framework given as text; `name` is its path, from which the
/// paths it `extends` are resolved.
///
/// # Errors
/// As [`check_path`].
pub fn check_text(
    name: &str,
    text: &str,
    sources: &mut SourceMap,
    opts: &Options,
) -> Result<Checked, Failure> {
    let loaded = load::load(name, text, sources)?;
    let mut diags = loaded.diags;
    let (mut framework, more) = resolve::resolve(&loaded.model, opts);
    framework.number_exprs();
    diags.extend(more);
    let diags = crate::diagnostic::Diags(diags).sorted();
    if diags.iter().any(Diag::is_error) {
        return Err(Failure::Invalid(diags));
    }
    Ok(Checked {
        framework,
        warnings: diags,
    })
}
