//! Diagnostics: the one shape every stage reports problems in, and the
//! helpers that render them.
//!
//! Stages build a [`Diag`] from their own error enum (each variant has a
//! stable code `grille::<area>::<name>` and a message); a `Diag` carries a
//! primary span, related spans (possibly in other files) and a help line.
//! Rendering (miette, JSON) happens only at the edge, with a [`SourceMap`].

use crate::source::{SourceFile, SourceMap, Span};
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
    /// For a diagnostic whose message quotes a respondent's answer: the
    /// message without it, for the outputs that are published (a result
    /// of a framework with `min_group` above 1).
    pub redacted: Option<String>,
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
            redacted: None,
        }
    }

    /// Marks a message that quotes a respondent's answer, with the words
    /// to publish instead.
    pub fn quoting_answer(mut self, redacted: impl Into<String>) -> Diag {
        self.redacted = Some(redacted.into());
        self
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
    source: Excerpt,
    labels: Vec<miette::LabeledSpan>,
    others: Vec<MietteView>,
}

impl MietteView {
    fn new(d: &Diag, sources: &SourceMap) -> MietteView {
        let src = d.primary.span.src;
        let mut labels = vec![(&d.primary, true)];
        let mut others: Vec<(crate::source::SourceId, Vec<(&Label, bool)>)> = Vec::new();
        for l in &d.related {
            if l.span.src == src {
                labels.push((l, false));
            } else if let Some(o) = others.iter_mut().find(|o| o.0 == l.span.src) {
                o.1.push((l, false));
            } else {
                others.push((l.span.src, vec![(l, false)]));
            }
        }
        let others = others
            .into_iter()
            .map(|(id, ls)| {
                let f = sources.get(id);
                let (source, labels) = Excerpt::new(f, &ls);
                MietteView {
                    severity: Severity::Note,
                    code: "",
                    message: format!("in {}", f.name),
                    help: None,
                    source,
                    labels,
                    others: Vec::new(),
                }
            })
            .collect();
        let file = sources.get(src);
        let (source, labels) = Excerpt::new(file, &labels);
        MietteView {
            severity: d.severity,
            code: d.code,
            message: d.message.clone(),
            help: d.help.clone(),
            source,
            labels,
            others,
        }
    }
}

/// The lines of a file that a diagnostic shows, cut to a window around
/// the labels where a line is long. miette is handed this excerpt, never
/// the whole file: rendering costs the size of what is shown (a warning
/// on a 100 MB table copies a few lines, not the table), and a label
/// 70,000 characters into a line (after one long text answer) is shown
/// near the left edge instead of past what miette can indent.
struct Excerpt {
    name: String,
    text: String,
    /// The file's line number (from 0) of the excerpt's first line.
    first_line: usize,
    /// Per excerpt line: bytes cut from its start (a marker `…` stands
    /// for them), so columns are the file's.
    cut: Vec<usize>,
}

/// Lines longer than this are cut around their labels.
const LONG_LINE: usize = 240;
/// Bytes of context kept before a label on a long line.
const LINE_CONTEXT: usize = 60;

/// One line of an excerpt: where it starts in the file, the window of it
/// that is kept, and where that window starts in the excerpt.
struct Kept {
    line: usize,
    from: usize,
    to: usize,
    at: usize,
}

impl Excerpt {
    fn new(file: &SourceFile, labels: &[(&Label, bool)]) -> (Excerpt, Vec<miette::LabeledSpan>) {
        let (name, text) = (&file.name, &*file.text);
        let clamp = |o: u32| floor_char(text, (o as usize).min(text.len()));
        let lo = labels
            .iter()
            .map(|(l, _)| clamp(l.span.start))
            .min()
            .unwrap_or(0);
        let hi = labels
            .iter()
            .map(|(l, _)| clamp(l.span.end))
            .max()
            .unwrap_or(0);
        // One line of context either side, as miette shows.
        let mut start = line_start(text, lo);
        if start > 0 {
            start = line_start(text, start - 1);
        }
        // Through the newline ending the line after the last label.
        let e1 = line_end(text, hi);
        let end = if e1 >= text.len() {
            text.len()
        } else {
            let e2 = line_end(text, e1 + 1);
            if e2 >= text.len() { text.len() } else { e2 + 1 }
        };
        let first_line = file.line_of(start).0;
        let mut out = String::new();
        let mut kept: Vec<Kept> = Vec::new();
        let mut line = start;
        loop {
            let le = line_end(text, line);
            let (from, to) = window(text, line, le, labels);
            if from > line {
                out.push('…');
            }
            kept.push(Kept {
                line,
                from,
                to,
                at: out.len(),
            });
            out.push_str(&text[from..to]);
            if to < le {
                out.push('…');
            }
            if le >= end {
                break;
            }
            out.push('\n');
            line = le + 1;
            if line >= end {
                break;
            }
        }
        // A file offset → its place in the excerpt (inside the kept window).
        let map = |o: usize| -> usize {
            let k = kept.iter().rev().find(|k| k.line <= o).unwrap_or(&kept[0]);
            k.at + o.clamp(k.from, k.to) - k.from
        };
        let spans = labels
            .iter()
            .map(|(l, primary)| {
                let a = map(clamp(l.span.start));
                let b = map(clamp(l.span.end)).max(a);
                let text = (!l.text.is_empty()).then(|| l.text.clone());
                let span = miette::SourceSpan::new(a.into(), b - a);
                if *primary {
                    miette::LabeledSpan::new_primary_with_span(text, span)
                } else {
                    miette::LabeledSpan::new_with_span(text, span)
                }
            })
            .collect();
        let cut = kept
            .iter()
            .map(|k| {
                (k.from - k.line).saturating_sub(if k.from > k.line { '…'.len_utf8() } else { 0 })
            })
            .collect();
        let excerpt = Excerpt {
            name: name.to_string(),
            text: out,
            first_line,
            cut,
        };
        (excerpt, spans)
    }
}

/// The part of the line `start..end` to show: all of it when short, else
/// a window from a little before the first label on it.
fn window(text: &str, start: usize, end: usize, labels: &[(&Label, bool)]) -> (usize, usize) {
    if end - start <= LONG_LINE {
        return (start, end);
    }
    let first = labels
        .iter()
        .map(|(l, _)| (l.span.start as usize, l.span.end as usize))
        .filter(|&(a, b)| a <= end && b >= start)
        .map(|(a, _)| a.max(start))
        .min()
        .unwrap_or(start);
    let from = floor_char(text, first.saturating_sub(LINE_CONTEXT).max(start));
    let to = floor_char(text, (from + LONG_LINE).min(end));
    (from, to)
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn line_start(text: &str, at: usize) -> usize {
    text.as_bytes()[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text.as_bytes()[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| at + i)
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column() + self.cut.get(inner.line()).copied().unwrap_or(0),
            inner.line_count(),
        )))
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
