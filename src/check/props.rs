//! Typed access to a block's properties.
//!
//! In: the properties of a block as parsed. Out: each property by name,
//! with the span of the line that set it. When a property is written twice
//! (a base and its refinement merged), the last one counts.

use crate::source::Span;
use crate::syntax::ast::{self, Expr, Ident, Label, Num, Prop, PropNode, Str};

/// The properties of one block.
#[derive(Clone, Copy)]
pub struct Props<'a>(pub &'a [PropNode]);

/// `name() -> Option<(&T, Span)>` for a property holding one `T`.
macro_rules! one {
    ($($(#[$doc:meta])* $name:ident: $variant:ident($ty:ty);)*) => {$(
        $(#[$doc])*
        pub fn $name(self) -> Option<(&'a $ty, Span)> {
            self.find(|p| match p {
                Prop::$variant(x) => Some(x),
                _ => None,
            })
        }
    )*};
}

impl<'a> Props<'a> {
    /// The last property `f` picks, with its span.
    pub fn find<T>(self, f: impl Fn(&'a Prop) -> Option<T>) -> Option<(T, Span)> {
        self.0
            .iter()
            .rev()
            .find_map(|p| f(&p.prop).map(|t| (t, p.span)))
    }

    one! {
        /// `at LEVEL`.
        at: At(Ident);
        /// `value EXPR`.
        value: Value(Expr);
        /// `unit "…"`.
        unit: Unit(Str);
        /// `better higher|lower`.
        better: Better(ast::Better);
        /// `when EXPR`.
        when: When(Expr);
        /// `min_n N`.
        min_n: MinN(Num);
        /// `rate RATINGS`.
        rate: Rate(Ident);
        /// `method NAME`.
        method: Method(Ident);
        /// `nature NAME`.
        nature: Nature(Ident);
        /// `source "…"`.
        source: Source(Str);
        /// `tags "…", "…"`.
        tags: Tags(Vec<Str>);
        /// `by NAME, NAME`.
        by: By(Vec<Ident>);
        /// `aggregate NAME`.
        aggregate: Aggregate(Ident);
        /// `require N`.
        require: Require(Num);
        /// `keep N`.
        keep: Keep(Num);
        /// `check EXPR`.
        check: Check(Expr);
        /// `message …`.
        message: Message(Label);
        /// `severity error|warning`.
        severity: Severity(Ident);
        /// `label …`.
        label: Label(Label);
        /// `description …`.
        description: Description(Label);
        /// `normalize …`.
        normalize: Normalize(ast::Normalize);
    }

    one! {
        /// `title …`.
        title: Title(Label);
        /// `publisher …`.
        publisher: Publisher(Label);
        /// `version "…"`.
        version: Version(Str);
        /// `languages fr, nl, en`.
        languages: Languages(Vec<Ident>);
        /// `missing "…", "…"`.
        missing: Missing(Vec<Str>);
        /// `dont_know "…", "…"`.
        dont_know: DontKnow(Vec<Str>);
        /// `refused "…", "…"`.
        refused: Refused(Vec<Str>);
        /// `min_group N`.
        min_group: MinGroup(Num);
        /// `key "COLUMN"`.
        key: Key(Str);
        /// `name "COLUMN"`.
        name: Name(Str);
        /// `color "#rrggbb"`.
        color: Color(Str);
        /// `column "COLUMN", "ALIAS"…`.
        column: Column(Vec<Str>);
        /// `range LO..HI`.
        range: Range(ast::RangeLit);
    }

    /// `within PARENT [via "COLUMN"]`.
    pub fn within(self) -> Option<((&'a Ident, Option<&'a Str>), Span)> {
        self.find(|p| match p {
            Prop::Within { parent, via } => Some((parent, via.as_ref())),
            _ => None,
        })
    }

    /// `rollup KIND [weight EXPR]`.
    pub fn rollup(self) -> Option<((&'a Ident, Option<&'a Expr>), Span)> {
        self.find(|p| match p {
            Prop::Rollup { kind, weight } => Some((kind, weight.as_ref())),
            _ => None,
        })
    }

    /// `collect EXPR [where EXPR]`.
    pub fn collect(self) -> Option<((&'a Expr, Option<&'a Expr>), Span)> {
        self.find(|p| match p {
            Prop::Collect { expr, filter } => Some((expr, filter.as_ref())),
            _ => None,
        })
    }

    /// Whether a property without a value (`locked`, `integer`,
    /// `required`) is set.
    pub fn has(self, flag: &Prop) -> bool {
        self.0.iter().any(|p| p.prop == *flag)
    }
}
