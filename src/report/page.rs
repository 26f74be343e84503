//! A small document model for human reports, and its two renderings.
//!
//! In: [`Block`]s built by `human` (headings, key–value lines, tables,
//! quotes, charts). Out: Markdown (charts drawn as text bars) or one
//! self-contained HTML page (inline CSS, charts as inline SVG with a title
//! and description for screen readers, no script, nothing fetched).
//! Keeping the content separate from the rendering lets both formats say
//! exactly the same thing.

use std::fmt::Write;

/// A table cell: text, optionally emphasised.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub strong: bool,
    /// A rating's colour (`#rrggbb`), drawn as a swatch before the text
    /// in HTML (the text always says the rating too).
    pub swatch: Option<String>,
}

impl Cell {
    pub fn plain(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            strong: false,
            swatch: None,
        }
    }

    pub fn strong(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            strong: true,
            swatch: None,
        }
    }

    /// A cell with a rating's colour.
    pub fn rated(t: impl Into<String>, color: Option<String>) -> Cell {
        Cell {
            text: t.into(),
            strong: false,
            swatch: color,
        }
    }
}

/// One bar: label, score (0..100, NaN for none) and the text shown.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub score: f64,
    pub shown: String,
}

#[derive(Debug, Clone)]
pub enum Block {
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
    },
    Bars {
        title: String,
        bars: Vec<Bar>,
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

/// Text made inert in Markdown: HTML is written as entities (a unit id or
/// a testimony holding `<script>` stays text, as in the HTML report),
/// link brackets, code marks and backslashes are escaped, and a line
/// break becomes a space.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' | ']' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|")
}

/// The blocks as Markdown.
pub fn markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(d, t, _) => {
                let _ = writeln!(s, "{} {}\n", "#".repeat(*d as usize), md_text(t));
            }
            Block::Facts(f) => {
                for (k, v) in f {
                    let _ = writeln!(s, "- **{}**: {}", md_text(k), md_text(v));
                }
                s.push('\n');
            }
            Block::Para(p) => {
                let _ = writeln!(s, "{}\n", md_text(p));
            }
            Block::Table { head, right, rows } => {
                let _ = writeln!(
                    s,
                    "| {} |",
                    head.iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let align: Vec<&str> = right
                    .iter()
                    .map(|r| if *r { "---:" } else { "---" })
                    .collect();
                let _ = writeln!(s, "|{}|", align.join("|"));
                for r in rows {
                    let cells: Vec<String> = r
                        .iter()
                        .map(|c| {
                            if c.strong && !c.text.is_empty() {
                                format!("**{}**", md_cell(&c.text))
                            } else {
                                md_cell(&c.text)
                            }
                        })
                        .collect();
                    let _ = writeln!(s, "| {} |", cells.join(" | "));
                }
                s.push('\n');
            }
            Block::Quotes { title, quotes } => {
                let _ = writeln!(s, "**{}**\n", md_text(title));
                for q in quotes {
                    let _ = writeln!(s, "> « {} »\n", md_text(q));
                }
            }
            Block::Radar {
                title,
                axes,
                values,
                shown,
            } => {
                let bars: Vec<Bar> = axes
                    .iter()
                    .zip(values)
                    .zip(shown)
                    .map(|((a, v), t)| Bar {
                        label: a.clone(),
                        score: *v,
                        shown: t.clone(),
                    })
                    .collect();
                text_bars(&mut s, title, &[(None, &bars)]);
            }
            Block::Bars { title, bars } => text_bars(&mut s, title, &[(None, bars)]),
            Block::Slopes {
                title,
                rounds,
                lines,
            } => {
                let _ = writeln!(s, "*{}*\n", md_text(title));
                let _ = writeln!(
                    s,
                    "| | {} |",
                    rounds
                        .iter()
                        .map(|r| md_text(r))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(s, "|---|{}", "---:|".repeat(rounds.len()));
                for (label, _, shown) in lines {
                    let _ = writeln!(
                        s,
                        "| {} | {} |",
                        md_text(label),
                        shown
                            .iter()
                            .map(|x| md_text(x))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                s.push('\n');
            }
            Block::GroupedBars { title, groups } => {
                let groups: Vec<(Option<&str>, &[Bar])> = groups
                    .iter()
                    .map(|(g, b)| (Some(g.as_str()), b.as_slice()))
                    .collect();
                text_bars(&mut s, title, &groups)
            }
            Block::Nav { .. } | Block::Section(_) | Block::EndSection => {}
        }
    }
    s
}

/// A bar chart drawn with block characters, in a code block.
fn text_bars(s: &mut String, title: &str, groups: &[(Option<&str>, &[Bar])]) {
    let indent = if groups.iter().any(|(g, _)| g.is_some()) {
        2
    } else {
        0
    };
    let width = groups
        .iter()
        .flat_map(|(_, bars)| bars.iter())
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let _ = writeln!(s, "*{}*\n\n```text", md_text(title));
    // Inside the code block text is literal; only a backtick could end it.
    let inert = |t: &str| t.replace('`', "'");
    for (group, bars) in groups {
        if let Some(g) = group {
            let _ = writeln!(s, "{}", inert(g));
        }
        for b in bars.iter() {
            let label: String = inert(&b.label).chars().take(width).collect();
            let pad = width - label.chars().count();
            let full = if b.score.is_nan() {
                0
            } else {
                (b.score.clamp(0.0, 100.0) / 5.0).round() as usize
            };
            let _ = writeln!(
                s,
                "{}{label}{}  {}{}  {}",
                " ".repeat(indent),
                " ".repeat(pad),
                "█".repeat(full),
                "░".repeat(20 - full),
                inert(&b.shown)
            );
        }
    }
    s.push_str("```\n\n");
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
    if !s.contains(['&', '<', '>', '"']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A chart coordinate with one decimal, written with integer arithmetic
/// (the float formatter is slow at fixed precision, and charts hold many).
#[derive(Clone, Copy)]
struct P(f64);

impl std::fmt::Display for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = (self.0 * 10.0).round() as i64;
        if t < 0 {
            f.write_str("-")?;
        }
        let t = t.unsigned_abs();
        write!(f, "{}.{}", t / 10, t % 10)
    }
}

/// The blocks as one HTML page.
pub fn html(title: &str, lang: &str, blocks: &[Block]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(lang),
        escape(title)
    );
    let mut charts = 0usize;
    let mut in_group = false;
    for b in blocks {
        // Consecutive charts share a row when the page is wide enough.
        let is_chart = matches!(
            b,
            Block::Radar { .. }
                | Block::Bars { .. }
                | Block::GroupedBars { .. }
                | Block::Slopes { .. }
        );
        if is_chart && !in_group {
            s.push_str("<div class=\"charts\">\n");
            in_group = true;
        } else if !is_chart && in_group {
            s.push_str("</div>\n");
            in_group = false;
        }
        match b {
            Block::Heading(d, t, id) => {
                let _ = writeln!(s, "<h{d} id=\"{}\">{}</h{d}>", escape(id), escape(t));
            }
            Block::Facts(f) => {
                s.push_str("<dl class=\"facts\">\n");
                for (k, v) in f {
                    let _ = writeln!(s, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
                }
                s.push_str("</dl>\n");
            }
            Block::Para(p) => {
                let _ = writeln!(s, "<p>{}</p>", escape(p));
            }
            Block::Table { head, right, rows } => {
                s.push_str("<div class=\"table\"><table>\n<thead><tr>");
                for (h, r) in head.iter().zip(right) {
                    let class = if *r { " class=\"num\"" } else { "" };
                    let _ = write!(s, "<th scope=\"col\"{class}>{}</th>", escape(h));
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    s.push_str("<tr>");
                    for (k, c) in row.iter().enumerate() {
                        let class = if right.get(k).copied().unwrap_or(false) {
                            " class=\"num\""
                        } else {
                            ""
                        };
                        let mut text = if c.strong {
                            format!("<strong>{}</strong>", escape(&c.text))
                        } else {
                            escape(&c.text).into_owned()
                        };
                        if let Some(col) = &c.swatch {
                            text = format!(
                                "<span class=\"swatch\" style=\"background:{}\" aria-hidden=\"true\"></span>{text}",
                                escape(col)
                            );
                        }
                        if k == 0 {
                            let _ = write!(s, "<th scope=\"row\"{class}>{text}</th>");
                        } else {
                            let _ = write!(s, "<td{class}>{text}</td>");
                        }
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</tbody>\n</table></div>\n");
            }
            Block::Quotes { title, quotes } => {
                // A caption rather than a heading: quotes sit at any depth,
                // and a heading there would skip levels.
                let _ = writeln!(
                    s,
                    "<section class=\"quotes\" aria-label=\"{0}\">\n<p class=\"quotes-title\">{0}</p>",
                    escape(title)
                );
                for q in quotes {
                    let _ = writeln!(s, "<blockquote><p>{}</p></blockquote>", escape(q));
                }
                s.push_str("</section>\n");
            }
            Block::Radar {
                title,
                axes,
                values,
                shown,
            } => {
                charts += 1;
                radar(&mut s, charts, title, axes, values, shown);
            }
            Block::Bars { title, bars } => {
                charts += 1;
                bar_chart(&mut s, charts, title, &[(None, bars)]);
            }
            Block::Slopes {
                title,
                rounds,
                lines,
            } => {
                charts += 1;
                slope_chart(&mut s, charts, title, rounds, lines);
            }
            Block::GroupedBars { title, groups } => {
                charts += 1;
                let groups: Vec<(Option<&str>, &[Bar])> = groups
                    .iter()
                    .map(|(g, b)| (Some(g.as_str()), b.as_slice()))
                    .collect();
                bar_chart(&mut s, charts, title, &groups);
            }
            Block::Nav { title, groups } => {
                let _ = writeln!(
                    s,
                    "<nav class=\"toc\" aria-label=\"{0}\">\n<h2>{0}</h2>",
                    escape(title)
                );
                for (level, units) in groups {
                    let links: Vec<String> = units
                        .iter()
                        .map(|(name, anchor)| {
                            format!("<a href=\"#{}\">{}</a>", escape(anchor), escape(name))
                        })
                        .collect();
                    let _ = writeln!(
                        s,
                        "<p><strong>{}</strong>: {}</p>",
                        escape(level),
                        links.join(" · ")
                    );
                }
                s.push_str("</nav>\n");
            }
            Block::Section(id) => {
                let _ = writeln!(s, "<section class=\"unit\" id=\"unit-{}\">", escape(id));
            }
            Block::EndSection => s.push_str("</section>\n"),
        }
    }
    if in_group {
        s.push_str("</div>\n");
    }
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

/// Colours with at least 4.5:1 contrast on white, for text and marks.
const INK: &str = "#1a1a1a";
const ACCENT: &str = "#14466b";
const GRID: &str = "#8a8a8a";

/// A chart's text alternative: each label with the value shown for it.
fn describe<'a>(labels: impl Iterator<Item = &'a str>, shown: &[String]) -> String {
    labels
        .zip(shown)
        .map(|(a, v)| format!("{a}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Words packed into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for w in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + w.chars().count() <= width => {
                l.push(' ');
                l.push_str(w);
            }
            _ => lines.push(w.to_string()),
        }
    }
    lines
}

/// Opens a chart: a figure holding an SVG image whose title and
/// description (the values in words) screen readers announce.
fn open_figure(s: &mut String, n: usize, class: &str, (w, h): (f64, f64), title: &str, desc: &str) {
    let _ = write!(
        s,
        "<figure class=\"chart\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"c{n}t c{n}d\">\n<title id=\"c{n}t\">{}</title>\n<desc id=\"c{n}d\">{}</desc>\n",
        escape(title),
        escape(desc)
    );
}

/// Closes a chart opened by [`open_figure`], with its visible caption.
fn close_figure(s: &mut String, title: &str) {
    let _ = writeln!(
        s,
        "</svg>\n<figcaption>{}</figcaption>\n</figure>",
        escape(title)
    );
}

/// A radar chart of scores, 0 at the centre and 100 on the outer ring.
fn radar(s: &mut String, n: usize, title: &str, axes: &[String], values: &[f64], shown: &[String]) {
    let (w, h) = (660.0, 380.0);
    let (cx, cy, r) = (w / 2.0, h / 2.0, 135.0);
    let k = axes.len().max(3) as f64;
    let at = |i: usize, v: f64| {
        let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / k;
        (cx + r * v / 100.0 * a.cos(), cy + r * v / 100.0 * a.sin())
    };
    let desc = describe(axes.iter().map(String::as_str), shown);
    open_figure(s, n, "radar", (w, h), title, &desc);
    for ring in [25.0, 50.0, 75.0, 100.0] {
        let pts: Vec<String> = (0..axes.len())
            .map(|i| {
                let (x, y) = at(i, ring);
                format!("{},{}", P(x), P(y))
            })
            .collect();
        let _ = writeln!(
            s,
            "<polygon points=\"{}\" fill=\"none\" stroke=\"{GRID}\" stroke-width=\"0.8\"/>",
            pts.join(" ")
        );
    }
    for (i, a) in axes.iter().enumerate() {
        let (x, y) = at(i, 100.0);
        let _ = writeln!(
            s,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GRID}\" stroke-width=\"0.8\"/>",
            P(cx),
            P(cy),
            P(x),
            P(y)
        );
        let (lx, ly) = at(i, 118.0);
        let anchor = if (lx - cx).abs() < 5.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        // Long labels go on several lines, the value on the last.
        let mut lines = wrap(a, 22);
        if let Some(last) = lines.last_mut() {
            last.push_str(&format!(" ({})", shown[i]));
        }
        let top = P(ly - 7.0 * (lines.len() as f64 - 1.0));
        let lx = P(lx);
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{top}\" text-anchor=\"{anchor}\" dominant-baseline=\"middle\" font-size=\"12\" fill=\"{INK}\">"
        );
        for (k, l) in lines.iter().enumerate() {
            let dy = if k == 0 { 0.0 } else { 14.0 };
            let _ = write!(s, "<tspan x=\"{lx}\" dy=\"{dy}\">{}</tspan>", escape(l));
        }
        s.push_str("</text>\n");
    }
    let pts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = at(i, if v.is_nan() { 0.0 } else { v.clamp(0.0, 100.0) });
            format!("{},{}", P(x), P(y))
        })
        .collect();
    let _ = writeln!(
        s,
        "<polygon class=\"series\" points=\"{}\" fill=\"{ACCENT}\" fill-opacity=\"0.25\" stroke=\"{ACCENT}\" stroke-width=\"2\"/>",
        pts.join(" ")
    );
    for (i, v) in values.iter().enumerate() {
        if !v.is_nan() {
            let (x, y) = at(i, v.clamp(0.0, 100.0));
            let (x, y) = (P(x), P(y));
            let _ = writeln!(
                s,
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"{ACCENT}\"/>"
            );
        }
    }
    close_figure(s, title);
}

/// Horizontal bars on a 0..100 scale, one per item.
/// A horizontal bar chart; bars may come in named groups, each under a
/// line with its name.
fn bar_chart(s: &mut String, n: usize, title: &str, groups: &[(Option<&str>, &[Bar])]) {
    let bars: Vec<&Bar> = groups.iter().flat_map(|(_, b)| b.iter()).collect();
    let heads = groups.iter().filter(|(g, _)| g.is_some()).count();
    // Room for the longest label (about 7 px a character) and, after a
    // full bar, for the longest value shown.
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count().min(44))
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * 7.0 + 16.0).clamp(60.0, 320.0);
    let value_w = bars
        .iter()
        .map(|b| b.shown.chars().count())
        .max()
        .unwrap_or(0) as f64
        * 7.0
        + 16.0;
    let bar_w = 300.0;
    let row = 24.0;
    let top = 8.0;
    let rows = (bars.len() + heads) as f64;
    let w = label_w + bar_w + value_w;
    let h = top + row * rows + 24.0;
    let labels: Vec<String> = groups
        .iter()
        .flat_map(|(g, b)| {
            b.iter().map(move |x| match g {
                Some(g) => format!("{g} — {}", x.label),
                None => x.label.clone(),
            })
        })
        .collect();
    let shown: Vec<String> = bars.iter().map(|b| b.shown.clone()).collect();
    let desc = describe(labels.iter().map(String::as_str), &shown);
    open_figure(s, n, "bars", (w, h), title, &desc);
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let x = P(label_w + bar_w * tick / 100.0);
        let y2 = top + row * rows;
        let _ = writeln!(
            s,
            "<line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{}\" stroke=\"{GRID}\" stroke-width=\"0.6\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{INK}\">{tick}</text>",
            P(y2),
            P(y2 + 14.0)
        );
    }
    let mut i = 0usize;
    for (group, bars) in groups {
        if let Some(g) = group {
            let y = top + row * i as f64;
            let _ = writeln!(
                s,
                "<text x=\"4\" y=\"{}\" dominant-baseline=\"middle\" font-size=\"12\" font-weight=\"600\" fill=\"{INK}\">{}</text>",
                P(y + row / 2.0),
                escape(&g.chars().take(60).collect::<String>())
            );
            i += 1;
        }
        for b in bars.iter() {
            bar_row(s, b, top + row * i as f64, (label_w, bar_w, row));
            i += 1;
        }
    }
    close_figure(s, title);
}

/// Scores across rounds: one column per round, one line per item, each
/// point labelled with its score; an item without a score in a round
/// has no point there.
fn slope_chart(
    s: &mut String,
    n: usize,
    title: &str,
    rounds: &[String],
    lines: &[(String, Vec<f64>, Vec<String>)],
) {
    let (left, top, plot_h, step) = (40.0, 16.0, 200.0, 150.0);
    let label_w = lines
        .iter()
        .map(|l| l.0.chars().count().min(40))
        .max()
        .unwrap_or(0) as f64
        * 7.0
        + 60.0;
    let w = left + step * (rounds.len().max(2) - 1) as f64 + label_w;
    let h = top + plot_h + 40.0;
    let desc: Vec<String> = lines
        .iter()
        .map(|(l, _, shown)| {
            let per: Vec<String> = rounds
                .iter()
                .zip(shown)
                .map(|(r, v)| format!("{r} {v}"))
                .collect();
            format!("{l}: {}", per.join(", "))
        })
        .collect();
    open_figure(s, n, "slopes", (w, h), title, &desc.join("; "));
    let y_of = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    for tick in [0.0, 50.0, 100.0] {
        let y = P(y_of(tick));
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\" font-size=\"11\" fill=\"{INK}\">{tick}</text>",
            P(left + step * (rounds.len().max(2) - 1) as f64),
            P(left - 6.0)
        );
    }
    for (k, r) in rounds.iter().enumerate() {
        let x = P(left + step * k as f64);
        let _ = writeln!(
            s,
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{INK}\">{}</text>",
            P(top + plot_h + 24.0),
            escape(r)
        );
    }
    for (label, scores, _) in lines {
        let points: Vec<(f64, f64)> = scores
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .map(|(k, v)| (left + step * k as f64, y_of(*v)))
            .collect();
        if points.len() >= 2 {
            let path: Vec<String> = points
                .iter()
                .map(|(x, y)| format!("{},{}", P(*x), P(*y)))
                .collect();
            let _ = writeln!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{ACCENT}\" stroke-width=\"2\"/>",
                path.join(" ")
            );
        }
        for (x, y) in &points {
            let _ = writeln!(
                s,
                "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{ACCENT}\"/>",
                P(*x),
                P(*y)
            );
        }
        if let Some((x, y)) = points.last() {
            let name: String = label.chars().take(40).collect();
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\" font-size=\"12\" fill=\"{INK}\">{}</text>",
                P(x + 8.0),
                P(*y),
                escape(&name)
            );
        }
    }
    close_figure(s, title);
}

/// One bar and its labels at height `y`.
fn bar_row(s: &mut String, b: &Bar, y: f64, (label_w, bar_w, row): (f64, f64, f64)) {
    let label: String = b.label.chars().take(44).collect();
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\" font-size=\"12\" fill=\"{INK}\">{}</text>",
        P(label_w - 8.0),
        P(y + row / 2.0),
        escape(&label)
    );
    let len = if b.score.is_nan() {
        0.0
    } else {
        bar_w * b.score.clamp(0.0, 100.0) / 100.0
    };
    let _ = writeln!(
        s,
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{ACCENT}\"/><text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\" font-size=\"12\" fill=\"{INK}\">{}</text>",
        P(label_w),
        P(y + 4.0),
        P(len),
        P(row - 8.0),
        P(label_w + len + 6.0),
        P(y + row / 2.0),
        escape(&b.shown)
    );
}

const STYLE: &str = "body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1a1a1a; background: #fff; line-height: 1.45; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { color: #14466b; font-size: 1.9rem; }
h2 { color: #14466b; border-bottom: 2px solid #14466b; padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3, h4 { color: #14466b; margin-bottom: 0.3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.5rem 0 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.2rem; font-size: 0.92rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #eef2f5; }
tbody th { font-weight: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
div.charts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; align-items: flex-start; }
figure.chart { margin: 1rem 0; } figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #404040; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; border: 1px solid #404040; vertical-align: -0.05em; }
.toc { background: #f4f6f8; padding: 0.4rem 1rem; border-radius: 4px; }
.toc h2 { border: none; margin-top: 0.5rem; font-size: 1.1rem; }
a { color: #14466b; }
.quotes-title { font-weight: 600; font-size: 0.95rem; margin: 0.8rem 0 0.3rem; }
blockquote { margin: 0.3rem 0 0.3rem 1rem; padding-left: 0.8rem; border-left: 4px solid #14466b; font-style: italic; }
@media print {
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section.unit { break-before: page; }
  table, figure.chart, blockquote { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
}
";
