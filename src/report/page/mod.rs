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

/// Text of a block: borrowed where it is the framework's own (labels,
/// colours) or fixed words, owned where it is made for the block.
///
/// Most of a report's texts are labels repeated in every unit; copying
/// each into a `String` of its own was about a quarter of the allocations
/// of an HTML report.
pub type Text<'a> = std::borrow::Cow<'a, str>;

/// A table cell: text, optionally emphasised.
#[derive(Debug, Clone)]
pub struct Cell<'a> {
    pub text: Text<'a>,
    pub strong: bool,
    /// A rating's colour (`#rrggbb`), drawn as a swatch before the text
    /// in HTML (the text always says the rating too).
    pub swatch: Option<Text<'a>>,
    /// A link (a unit's own report, from the index).
    pub link: Option<String>,
    /// More said about the cell (HTML tooltip).
    pub title: Option<String>,
}

impl<'a> Cell<'a> {
    pub fn plain(t: impl Into<Text<'a>>) -> Cell<'a> {
        Cell {
            text: t.into(),
            strong: false,
            swatch: None,
            link: None,
            title: None,
        }
    }

    pub fn strong(t: impl Into<Text<'a>>) -> Cell<'a> {
        Cell {
            strong: true,
            ..Cell::plain(t)
        }
    }

    /// A cell with a rating's colour.
    pub fn rated(t: impl Into<Text<'a>>, color: Option<Text<'a>>) -> Cell<'a> {
        Cell {
            swatch: color,
            ..Cell::plain(t)
        }
    }

    /// A cell linking to `href`.
    pub fn linked(t: impl Into<Text<'a>>, href: String) -> Cell<'a> {
        Cell {
            link: Some(href),
            ..Cell::plain(t)
        }
    }
}

/// One bar: label, score (0..100, NaN for none) and the text shown.
#[derive(Debug, Clone)]
pub struct Bar<'a> {
    pub label: Text<'a>,
    pub score: f64,
    pub shown: Text<'a>,
    /// The rating's colour, if the score is rated.
    pub color: Option<Text<'a>>,
    /// The bounds between the rating's steps (0..100), drawn as marks.
    pub steps: std::borrow::Cow<'a, [f64]>,
    /// The peers' lowest, median and highest score.
    pub peers: Option<(f64, f64, f64)>,
}

impl<'a> Bar<'a> {
    /// A bar with nothing but its score.
    pub fn plain(label: impl Into<Text<'a>>, score: f64, shown: impl Into<Text<'a>>) -> Bar<'a> {
        Bar {
            label: label.into(),
            score,
            shown: shown.into(),
            color: None,
            steps: std::borrow::Cow::Borrowed(&[]),
            peers: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Block<'a> {
    /// The first page: title, what the report is about, its description
    /// and lines such as publisher and date.
    Cover {
        title: Text<'a>,
        subtitle: Option<Text<'a>>,
        description: Option<Text<'a>>,
        facts: Vec<(Text<'a>, Text<'a>)>,
    },
    /// A boxed set of key facts.
    Summary {
        title: Text<'a>,
        facts: Vec<(Text<'a>, Text<'a>)>,
    },
    /// A bulleted list.
    List(Vec<Text<'a>>),
    /// Heading of depth 1..=4, with an anchor id.
    Heading(u8, Text<'a>, Text<'a>),
    /// Lines of "key: value".
    Facts(Vec<(Text<'a>, Text<'a>)>),
    Para(Text<'a>),
    Table {
        head: Vec<Text<'a>>,
        /// Columns aligned right (numbers).
        right: Vec<bool>,
        /// The cells, row after row, as many to a row as `head` has
        /// columns (one list, not one per row: a report of every unit
        /// has hundreds of thousands of rows). Read with [`rows`].
        cells: Vec<Cell<'a>>,
    },
    Quotes {
        title: Text<'a>,
        quotes: Vec<Text<'a>>,
    },
    /// Scores (0..100) on axes; needs three axes or more.
    Radar {
        title: Text<'a>,
        axes: Vec<Text<'a>>,
        values: Vec<f64>,
        /// Each value as shown to people.
        shown: Vec<Text<'a>>,
        /// A reference drawn as an outline (the peers' medians), with
        /// its name; NaN where an axis has none.
        reference: Option<(Text<'a>, Vec<f64>)>,
    },
    Bars {
        title: Text<'a>,
        bars: Vec<Bar<'a>>,
        /// What the marks mean, under the chart.
        legend: Option<Text<'a>>,
    },
    /// Scores (0..100) across rounds, one line per item (a slope chart).
    Slopes {
        title: Text<'a>,
        rounds: Vec<Text<'a>>,
        /// Each item's label, its score per round (NaN where it has none)
        /// and each score as shown to people.
        lines: Vec<(Text<'a>, Vec<f64>, Vec<Text<'a>>)>,
    },
    /// Bars in named groups (the cells of each breakdown).
    GroupedBars {
        title: Text<'a>,
        groups: Vec<(Text<'a>, Vec<Bar<'a>>)>,
    },
    /// Links to the units, by level (HTML only: Markdown readers have
    /// their own outline).
    Nav {
        title: Text<'a>,
        groups: Vec<(Text<'a>, Vec<(Text<'a>, Text<'a>)>)>,
    },
    /// Starts a unit's section (a page break when printed).
    Section(Text<'a>),
    EndSection,
}

impl<'a> Block<'a> {
    /// A table from its rows, each as wide as `head`.
    pub fn table(head: Vec<Text<'a>>, right: Vec<bool>, rows: Vec<Vec<Cell<'a>>>) -> Block<'a> {
        debug_assert!(rows.iter().all(|r| r.len() == head.len()));
        Block::Table {
            head,
            right,
            cells: rows.into_iter().flatten().collect(),
        }
    }
}

/// A table's rows: its cells, `columns` at a time.
pub fn rows<'c, 'a>(columns: usize, cells: &'c [Cell<'a>]) -> std::slice::Chunks<'c, Cell<'a>> {
    cells.chunks(columns.max(1))
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
    // Most text has nothing to escape.
    if next_special(s.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    push_escaped(&mut out, s);
    std::borrow::Cow::Owned(out)
}

/// The position of the first byte [`escape`] replaces (`&`, `<`, `>`,
/// `"`: all ASCII, so never inside a letter).
///
/// Every text of an HTML report passes here, and looking at one byte at
/// a time was a twentieth of the whole run: eight bytes are looked at
/// together, as one word, and only a word holding one of the four is
/// searched byte by byte.
fn next_special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero exactly where the high bit of the result is
    // set, when no byte before it is zero (which is all the search needs:
    // the first word with a match is then searched byte by byte).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut words = b.chunks_exact(8);
    let mut at = 0;
    for w in words.by_ref() {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        let hit = zero(x ^ (ONES * u64::from(b'&')))
            | zero(x ^ (ONES * u64::from(b'<')))
            | zero(x ^ (ONES * u64::from(b'>')))
            | zero(x ^ (ONES * u64::from(b'"')));
        if hit != 0 {
            return w.iter().position(|&c| special(c)).map(|i| at + i);
        }
        at += 8;
    }
    (words.remainder().iter().position(|&c| special(c))).map(|i| at + i)
}

fn special(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"')
}

/// [`escape`] appended to `out`, without a string of its own.
pub fn push_escaped(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = next_special(rest.as_bytes()) {
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

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-by-byte one finds,
        /// wherever the special bytes fall (text built from a small
        /// alphabet, so that they fall often, across word boundaries).
        #[test]
        fn special_bytes_are_found_as_one_at_a_time_would(
            picks in proptest::collection::vec(0usize..9, 0..40),
        ) {
            let alphabet = ["a", "&", "<", ">", "\"", "é", "'", " ", "\u{80}"];
            let text: String = picks.iter().map(|&k| alphabet[k]).collect();
            let want = text.bytes().position(special);
            proptest::prop_assert_eq!(next_special(text.as_bytes()), want);
            let mut naive = String::new();
            for c in text.chars() {
                match c {
                    '&' => naive.push_str("&amp;"),
                    '<' => naive.push_str("&lt;"),
                    '>' => naive.push_str("&gt;"),
                    '"' => naive.push_str("&quot;"),
                    c => naive.push(c),
                }
            }
            proptest::prop_assert_eq!(escape(&text), naive);
        }
    }

    #[test]
    fn contrast_ratios() {
        // Black on white is 21:1; a colour on itself 1:1.
        assert!((contrast("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast("#14466b", "#14466b").unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(contrast("red", "#ffffff"), None);
    }
}
