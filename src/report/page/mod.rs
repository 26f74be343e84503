//! A small document model for human reports, and its two renderings.
//!
//! In: [`Block`]s built by `human` (headings, key–value lines, tables,
//! quotes, charts). Out: Markdown (charts drawn as text bars) or one
//! self-contained HTML page (inline CSS, charts as inline SVG with a title
//! and description for screen readers, no script, nothing fetched).
//! Keeping the content separate from the rendering lets both formats say
//! exactly the same thing.

mod html;
mod md;
mod svg;
pub mod typst;

pub use html::{html, html_close, html_open, html_part};
pub use md::{markdown, markdown_into};

/// A table cell: text, optionally emphasised.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub strong: bool,
    /// A rating's colour (`#rrggbb`), drawn as a swatch before the text
    /// in HTML (the text always says the rating too).
    pub swatch: Option<String>,
    /// A link (a unit's own report, from the index).
    pub link: Option<String>,
    /// More said about the cell (HTML tooltip).
    pub title: Option<String>,
}

impl Cell {
    pub fn plain(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            strong: false,
            swatch: None,
            link: None,
            title: None,
        }
    }

    pub fn strong(t: impl Into<String>) -> Cell {
        Cell {
            strong: true,
            ..Cell::plain(t)
        }
    }

    /// A cell with a rating's colour.
    pub fn rated(t: impl Into<String>, color: Option<String>) -> Cell {
        Cell {
            swatch: color,
            ..Cell::plain(t)
        }
    }

    /// A cell linking to `href`.
    pub fn linked(t: impl Into<String>, href: String) -> Cell {
        Cell {
            link: Some(href),
            ..Cell::plain(t)
        }
    }
}

/// One bar: label, score (0..100, NaN for none) and the text shown.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub score: f64,
    pub shown: String,
    /// The rating's colour, if the score is rated.
    pub color: Option<String>,
    /// The bounds between the rating's steps (0..100), drawn as marks.
    pub steps: Vec<f64>,
    /// The peers' lowest, median and highest score.
    pub peers: Option<(f64, f64, f64)>,
}

impl Bar {
    /// A bar with nothing but its score.
    pub fn plain(label: String, score: f64, shown: String) -> Bar {
        Bar {
            label,
            score,
            shown,
            color: None,
            steps: Vec::new(),
            peers: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Block {
    /// The first page: title, what the report is about, its description
    /// and lines such as publisher and date.
    Cover {
        title: String,
        subtitle: Option<String>,
        description: Option<String>,
        facts: Vec<(String, String)>,
    },
    /// A boxed set of key facts.
    Summary {
        title: String,
        facts: Vec<(String, String)>,
    },
    /// A bulleted list.
    List(Vec<String>),
    /// Heading of depth 1..=4, with an anchor id.
    Heading(u8, String, String),
    /// Lines of "key: value".
    Facts(Vec<(String, String)>),
    Para(String),
    Table {
        head: Vec<String>,
        /// Columns aligned right (numbers).
        right: Vec<bool>,
        rows: Vec<Vec<Cell>>,
    },
    Quotes {
        title: String,
        quotes: Vec<String>,
    },
    /// Scores (0..100) on axes; needs three axes or more.
    Radar {
        title: String,
        axes: Vec<String>,
        values: Vec<f64>,
        /// Each value as shown to people.
        shown: Vec<String>,
        /// A reference drawn as an outline (the peers' medians), with
        /// its name; NaN where an axis has none.
        reference: Option<(String, Vec<f64>)>,
    },
    Bars {
        title: String,
        bars: Vec<Bar>,
        /// What the marks mean, under the chart.
        legend: Option<String>,
    },
    /// Scores (0..100) across rounds, one line per item (a slope chart).
    Slopes {
        title: String,
        rounds: Vec<String>,
        /// Each item's label, its score per round (NaN where it has none)
        /// and each score as shown to people.
        lines: Vec<(String, Vec<f64>, Vec<String>)>,
    },
    /// Bars in named groups (the cells of each breakdown).
    GroupedBars {
        title: String,
        groups: Vec<(String, Vec<Bar>)>,
    },
    /// Links to the units, by level (HTML only: Markdown readers have
    /// their own outline).
    Nav {
        title: String,
        groups: Vec<(String, Vec<(String, String)>)>,
    },
    /// Starts a unit's section (a page break when printed).
    Section(String),
    EndSection,
}

/// An anchor id from any text: letters and digits kept, the rest `-`.
pub fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Text made safe inside HTML elements and attribute values.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    // Most text has nothing to escape; bytes are the quickest to look at.
    if !s.bytes().any(special) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    push_escaped(&mut out, s);
    std::borrow::Cow::Owned(out)
}

/// The bytes [`escape`] replaces (all ASCII, so never inside a letter).
fn special(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"')
}

/// [`escape`] appended to `out`, without a string of its own.
pub fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.bytes().position(special) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&quot;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// `text` cut to at most `max` characters at a word boundary, with an
/// ellipsis, and whether it was cut (the full text then goes in a
/// tooltip). A single word longer than `max` is cut inside itself.
pub fn fit(text: &str, max: usize) -> (std::borrow::Cow<'_, str>, bool) {
    if text.len() <= max || text.chars().count() <= max {
        return (std::borrow::Cow::Borrowed(text), false);
    }
    let mut out = String::new();
    for w in text.split_whitespace() {
        let next = out.chars().count() + usize::from(!out.is_empty()) + w.chars().count();
        if next + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = text.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    (std::borrow::Cow::Owned(out), true)
}

/// The contrast ratio of two `#rrggbb` colours, as WCAG defines it
/// (1 to 21; text needs 4.5, marks 3).
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let lum = |c: &str| -> Option<f64> {
        let c = c.strip_prefix('#')?;
        if c.len() != 6 {
            return None;
        }
        let ch = |k: usize| -> Option<f64> {
            let v = u8::from_str_radix(c.get(k..k + 2)?, 16).ok()? as f64 / 255.0;
            Some(if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            })
        };
        Some(0.2126 * ch(0)? + 0.7152 * ch(2)? + 0.0722 * ch(4)?)
    };
    let (x, y) = (lum(a)?, lum(b)?);
    let (hi, lo) = if x > y { (x, y) } else { (y, x) };
    Some((hi + 0.05) / (lo + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_between_words() {
        assert_eq!(
            fit("Part des personnes ayant gagné en confiance", 24),
            ("Part des personnes…".into(), true)
        );
        assert_eq!(fit("Court", 24), ("Court".into(), false));
        assert_eq!(
            fit("Anticonstitutionnellement", 10),
            ("Anticonst…".into(), true)
        );
    }

    #[test]
    fn contrast_ratios() {
        // Black on white is 21:1; a colour on itself 1:1.
        assert!((contrast("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast("#14466b", "#14466b").unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(contrast("red", "#ffffff"), None);
    }
}
