//! Diagnostics: the one shape every stage reports problems in, and the
//! helpers that render them.
//!
//! Stages build a [`Diag`] from their own error enum (each variant has a
//! stable code `grille::<area>::<name>` and a message); a `Diag` carries a
//! primary span, related spans (possibly in other files) and a help line.
//! Rendering (miette, JSON) happens only at the edge, with a [`SourceMap`].

use crate::source::{SourceMap, Span};
use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// A labelled place in a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// A stage's error enum: each variant has a stable code.
pub trait Code: fmt::Display {
    fn code(&self) -> &'static str;
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Diag {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    /// For data diagnostics: the row (line number in the file, header = 1).
    pub row: Option<usize>,
    /// For data diagnostics: the column's header.
    pub column: Option<String>,
}

impl Diag {
    /// An error from a stage's error value, labelled at `span`.
    pub fn error(err: impl Code, span: Span, label: impl Into<String>) -> Diag {
        Diag::new(Severity::Error, err, span, label)
    }

    /// A warning from a stage's error value, labelled at `span`.
    pub fn warning(err: impl Code, span: Span, label: impl Into<String>) -> Diag {
        Diag::new(Severity::Warning, err, span, label)
    }

    pub fn new(severity: Severity, err: impl Code, span: Span, label: impl Into<String>) -> Diag {
        Diag {
            severity,
            code: err.code(),
            message: err.to_string(),
            primary: Label {
                span,
                text: label.into(),
            },
            related: Vec::new(),
            help: None,
            row: None,
            column: None,
        }
    }

    /// Places a data diagnostic at a row and column of a table.
    pub fn cell(mut self, row: usize, column: Option<&str>) -> Diag {
        self.row = Some(row);
        self.column = column.map(str::to_string);
        self
    }

    /// Adds a second labelled place.
    pub fn related(mut self, span: Span, text: impl Into<String>) -> Diag {
        self.related.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Diag {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// How many errors and warnings a list holds.
pub fn counts(diags: &[Diag]) -> (usize, usize) {
    diags.iter().fold((0, 0), |(e, w), d| match d.severity {
        Severity::Error => (e + 1, w),
        Severity::Warning => (e, w + 1),
        Severity::Note => (e, w),
    })
}

/// Diagnostics collected by a stage.
#[derive(Debug, Clone, Default)]
pub struct Diags(pub Vec<Diag>);

impl Diags {
    pub fn push(&mut self, d: Diag) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diag::is_error)
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diag>) {
        self.0.extend(other);
    }

    /// Sorted by file, then position, errors before warnings at one place.
    pub fn sorted(mut self) -> Vec<Diag> {
        self.0.sort_by(|a, b| {
            (
                a.primary.span.src,
                a.primary.span.start,
                std::cmp::Reverse(a.severity),
            )
                .cmp(&(
                    b.primary.span.src,
                    b.primary.span.start,
                    std::cmp::Reverse(b.severity),
                ))
        });
        self.0.dedup();
        self.0
    }
}

/// Where a diagnostic points, for machine output.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub span: [usize; 2],
    pub text: String,
}

/// A diagnostic as `check --format json` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JsonDiag {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub span: [usize; 2],
    pub label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

fn json_label(sources: &SourceMap, l: &Label) -> JsonLabel {
    let f = sources.get(l.span.src);
    let (line, column) = f.line_col(l.span.start as usize);
    JsonLabel {
        file: f.name.clone(),
        line,
        column,
        span: [l.span.start as usize, l.span.end as usize],
        text: l.text.clone(),
    }
}

impl Diag {
    /// The machine-readable form.
    pub fn to_json(&self, sources: &SourceMap) -> JsonDiag {
        let p = json_label(sources, &self.primary);
        JsonDiag {
            severity: self.severity,
            code: self.code.to_string(),
            message: self.message.clone(),
            file: p.file,
            line: p.line,
            col: p.column,
            span: p.span,
            label: p.text,
            related: self
                .related
                .iter()
                .map(|l| json_label(sources, l))
                .collect(),
            help: self.help.clone(),
            row: self.row,
            column: self.column.clone(),
        }
    }

    /// Renders with miette's graphical handler; `color` picks the theme.
    pub fn render(&self, sources: &SourceMap, width: usize, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_links(false);
        let mut out = String::new();
        let view = MietteView::new(self, sources);
        // Writing to a String cannot fail.
        let _ = handler.render_report(&mut out, &view);
        out
    }
}

/// Adapts a [`Diag`] to miette: the primary label's file is the source
/// code; labels in other files become related reports with their own file.
struct MietteView {
    severity: Severity,
    code: &'static str,
    message: String,
    help: Option<String>,
    source: miette::NamedSource<String>,
    labels: Vec<miette::LabeledSpan>,
    others: Vec<MietteView>,
}

impl MietteView {
    fn new(d: &Diag, sources: &SourceMap) -> MietteView {
        let src = d.primary.span.src;
        let file = sources.get(src);
        let mut labels = vec![labeled(&d.primary, true)];
        let mut others: Vec<MietteView> = Vec::new();
        for l in &d.related {
            if l.span.src == src {
                labels.push(labeled(l, false));
            } else if let Some(o) = others
                .iter_mut()
                .find(|o| o.source.name() == sources.get(l.span.src).name)
            {
                o.labels.push(labeled(l, false));
            } else {
                let f = sources.get(l.span.src);
                others.push(MietteView {
                    severity: Severity::Note,
                    code: "",
                    message: format!("in {}", f.name),
                    help: None,
                    source: miette::NamedSource::new(f.name.clone(), f.text.to_string()),
                    labels: vec![labeled(l, false)],
                    others: Vec::new(),
                });
            }
        }
        MietteView {
            severity: d.severity,
            code: d.code,
            message: d.message.clone(),
            help: d.help.clone(),
            source: miette::NamedSource::new(file.name.clone(), file.text.to_string()),
            labels,
            others,
        }
    }
}

fn labeled(l: &Label, primary: bool) -> miette::LabeledSpan {
    let text = if l.text.is_empty() {
        None
    } else {
        Some(l.text.clone())
    };
    let span = miette::SourceSpan::new((l.span.start as usize).into(), l.span.len());
    if primary {
        miette::LabeledSpan::new_primary_with_span(text, span)
    } else {
        miette::LabeledSpan::new_with_span(text, span)
    }
}

impl fmt::Debug for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView {}

impl miette::Diagnostic for MietteView {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.code.is_empty() {
            None
        } else {
            Some(Box::new(self.code))
        }
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.others.is_empty() {
            None
        } else {
            Some(Box::new(
                self.others.iter().map(|o| o as &dyn miette::Diagnostic),
            ))
        }
    }
}
