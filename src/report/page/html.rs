//! Blocks as one self-contained HTML page: inline CSS (A4 pages when
//! printed), charts as inline SVG, no script, nothing fetched.

use super::svg;
use super::{Bar, Block, Cell, Text, escape, push_escaped};
use std::fmt::Write;

/// The blocks as one HTML page.
pub fn html(title: &str, lang: &str, blocks: &[Block]) -> String {
    let mut s = String::new();
    html_open(&mut s, title, lang);
    html_part(&mut s, blocks);
    html_close(&mut s);
    s
}

fn is_chart(b: &Block) -> bool {
    matches!(
        b,
        Block::Radar { .. } | Block::Bars { .. } | Block::GroupedBars { .. } | Block::Slopes { .. }
    )
}

/// The page's head, up to the opening of its main content.
pub fn html_open(s: &mut String, title: &str, lang: &str) {
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}{}</style>\n</head>\n<body>\n<main>\n",
        escape(lang),
        escape(title),
        svg::STYLE
    );
}

/// The end of the page.
pub fn html_close(s: &mut String) {
    s.push_str("</main>\n</body>\n</html>\n");
}

/// Appends blocks of a page's content. Nothing carries from one call to
/// the next, so the parts of a long page can be drawn on several threads
/// and joined: a chart's id is its number within its section (a unit's
/// section id is unique in the page), and a row of charts still open at
/// the end is closed there.
pub fn html_part(s: &mut String, blocks: &[Block]) {
    let mut section = "";
    let mut charts = 0usize;
    let mut in_group = false;
    for b in blocks {
        // Consecutive charts share a row when the page is wide enough.
        let drawn = is_chart(b);
        if drawn && !in_group {
            s.push_str("<div class=\"charts\">\n");
            in_group = true;
        } else if !drawn && in_group {
            s.push_str("</div>\n");
            in_group = false;
        }
        match b {
            Block::Heading(d, t, id) => {
                // Pieces pushed rather than formatted: a report of every
                // unit writes hundreds of thousands of headings and facts.
                s.push_str("<h");
                crate::report::push_digits(s, u64::from(*d));
                s.push_str(" id=\"");
                push_escaped(s, id);
                s.push_str("\">");
                push_escaped(s, t);
                s.push_str("</h");
                crate::report::push_digits(s, u64::from(*d));
                s.push_str(">\n");
            }
            Block::Facts(f) => facts(s, "facts", f),
            Block::Cover {
                title,
                subtitle,
                description,
                facts: f,
            } => {
                let _ = writeln!(
                    s,
                    "<header class=\"cover\">\n<h1 id=\"top\">{}</h1>",
                    escape(title)
                );
                if let Some(t) = subtitle {
                    let _ = writeln!(s, "<p class=\"subtitle\">{}</p>", escape(t));
                }
                if let Some(d) = description {
                    let _ = writeln!(s, "<p>{}</p>", escape(d));
                }
                facts(s, "facts", f);
                s.push_str("</header>\n");
            }
            Block::Summary { title, facts: f } => {
                s.push_str("<aside class=\"summary\" aria-label=\"");
                push_escaped(s, title);
                s.push_str("\">\n<p class=\"summary-title\">");
                push_escaped(s, title);
                s.push_str("</p>\n");
                facts(s, "facts", f);
                s.push_str("</aside>\n");
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", escape(i));
                }
                s.push_str("</ul>\n");
            }
            Block::Para(p) => {
                s.push_str("<p>");
                push_escaped(s, p);
                s.push_str("</p>\n");
            }
            Block::Table { head, right, cells } => {
                s.push_str("<div class=\"table\"><table>\n<thead><tr>");
                for (h, r) in head.iter().zip(right) {
                    s.push_str(match r {
                        true => "<th scope=\"col\" class=\"num\">",
                        false => "<th scope=\"col\">",
                    });
                    push_escaped(s, h);
                    s.push_str("</th>");
                }
                s.push_str("</tr></thead>\n<tbody>\n");
                for row in super::rows(head.len(), cells) {
                    s.push_str("<tr>");
                    for (k, c) in row.iter().enumerate() {
                        let right = right.get(k).copied().unwrap_or(false);
                        cell(s, c, k == 0, right);
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
            Block::Radar { .. }
            | Block::Bars { .. }
            | Block::Slopes { .. }
            | Block::GroupedBars { .. } => {
                charts += 1;
                chart(s, svg::ChartId { section, n: charts }, b);
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
                section = id;
                charts = 0;
                s.push_str("<section class=\"unit\" id=\"unit-");
                push_escaped(s, id);
                s.push_str("\">\n");
            }
            Block::EndSection => s.push_str("</section>\n"),
        }
    }
    if in_group {
        s.push_str("</div>\n");
    }
}

/// Draws a chart block as a figure (number `n` keeps its ids distinct).
fn chart(s: &mut String, n: svg::ChartId<'_>, b: &Block) {
    match b {
        Block::Radar {
            title,
            axes,
            values,
            shown,
            reference,
        } => svg::radar(s, n, title, (axes, values, shown), reference.as_ref()),
        Block::Bars {
            title,
            bars,
            legend,
        } => svg::bar_chart(s, n, (title, legend.as_deref()), &[(None, bars)]),
        Block::Slopes {
            title,
            rounds,
            lines,
        } => svg::slope_chart(s, n, title, rounds, lines),
        Block::GroupedBars { title, groups } => {
            let groups: Vec<(Option<&str>, &[Bar])> = groups
                .iter()
                .map(|(g, b)| (Some(&**g), b.as_slice()))
                .collect();
            svg::bar_chart(s, n, (title, None), &groups);
        }
        _ => {}
    }
}

/// A chart block as a standalone SVG image, and its caption in words
/// (title, then what the marks mean): for documents that place images
/// themselves.
pub fn chart_svg(b: &Block) -> Option<(String, String)> {
    let mut s = String::new();
    chart(&mut s, svg::ChartId { section: "", n: 1 }, b);
    let start = s.find("<svg")?;
    // Drawn alone, the chart is an SVG document of its own: it names its
    // namespace and carries the marks' style the page would.
    let open = start + s[start..].find('>')? + 1;
    s.insert_str(open, &format!("\n<style>\n{}</style>", svg::STYLE));
    s.insert_str(
        start + "<svg".len(),
        " xmlns=\"http://www.w3.org/2000/svg\"",
    );
    let end = s.find("</svg>")? + "</svg>".len();
    let caption = match b {
        Block::Bars {
            title,
            legend: Some(l),
            ..
        } => format!("{title} — {l}"),
        Block::Radar {
            title,
            reference: Some((r, _)),
            ..
        } => format!("{title} — {r}"),
        Block::Bars { title, .. }
        | Block::Radar { title, .. }
        | Block::Slopes { title, .. }
        | Block::GroupedBars { title, .. } => title.to_string(),
        _ => return None,
    };
    Some((s[start..end].to_string(), caption))
}

fn facts(s: &mut String, class: &str, facts: &[(Text<'_>, Text<'_>)]) {
    s.push_str("<dl class=\"");
    s.push_str(class);
    s.push_str("\">\n");
    for (k, v) in facts {
        s.push_str("<dt>");
        push_escaped(s, k);
        s.push_str("</dt><dd>");
        push_escaped(s, v);
        s.push_str("</dd>\n");
    }
    s.push_str("</dl>\n");
}

/// The page's style. On screen, wide tables scroll; printed on A4, every
/// table fits the page width (fixed layout, words wrapped), each unit
/// starts a page and nothing is cut across a page where it can be helped.
const STYLE: &str = "body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1a1a1a; background: #fff; line-height: 1.45; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { color: #14466b; font-size: 1.9rem; }
h2 { color: #14466b; border-bottom: 2px solid #14466b; padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3, h4 { color: #14466b; margin-bottom: 0.3rem; }
header.cover { border-left: 8px solid #14466b; padding: 0.5rem 0 0.5rem 1.2rem; margin: 1rem 0 2rem; }
header.cover h1 { margin: 0 0 0.5rem; }
.subtitle { font-size: 1.35rem; font-weight: 600; margin: 0 0 0.8rem; }
aside.summary { border: 2px solid #14466b; border-radius: 6px; padding: 0.3rem 1rem; margin: 0.8rem 0 1.2rem; background: #f4f6f8; }
.summary-title { font-weight: 700; color: #14466b; margin: 0.4rem 0 0.2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0.5rem 0 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.2rem; font-size: 0.92rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
thead th { background: #eef2f5; }
tbody th { font-weight: normal; }
.num, td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.t { text-align: left; font-variant-numeric: normal; white-space: normal; }
div.charts { display: flex; flex-wrap: wrap; gap: 0.5rem 2rem; align-items: flex-start; }
figure.chart { margin: 1rem 0; max-width: 100%; } figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #404040; }
.legend { display: block; font-size: 0.8rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; border: 1px solid #404040; vertical-align: -0.05em; }
.toc { background: #f4f6f8; padding: 0.4rem 1rem; border-radius: 4px; }
.toc h2 { border: none; margin-top: 0.5rem; font-size: 1.1rem; }
a { color: #14466b; }
.quotes-title { font-weight: 600; font-size: 0.95rem; margin: 0.8rem 0 0.3rem; }
blockquote { margin: 0.3rem 0 0.3rem 1rem; padding-left: 0.8rem; border-left: 4px solid #14466b; font-style: italic; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  header.cover { break-after: page; margin-top: 30vh; }
  section.unit { break-before: page; }
  .table { overflow: visible; }
  table { table-layout: fixed; font-size: 8.5pt; }
  th, td { padding: 0.2rem 0.3rem; overflow-wrap: anywhere; }
  .num, td { white-space: normal; }
  div.charts { display: block; }
  figure.chart svg { max-height: 11cm; }
  table, figure.chart, blockquote, aside.summary { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
}
";

/// A table cell, written piece by piece (a report of every unit has
/// millions): its swatch, then its text inside its tooltip, link and
/// emphasis, as each applies.
fn cell(s: &mut String, c: &Cell, row_head: bool, right: bool) {
    // A data cell is a number unless marked as text: numbers are most of
    // the cells, and a class on each was a fourteenth of a report.
    s.push_str(match (row_head, right) {
        (true, true) => "<th scope=\"row\" class=\"num\">",
        (true, false) => "<th scope=\"row\">",
        (false, true) => "<td>",
        (false, false) => "<td class=\"t\">",
    });
    if let Some(col) = &c.swatch {
        s.push_str("<span class=\"swatch\" style=\"background:");
        push_escaped(s, col);
        s.push_str("\" aria-hidden=\"true\"></span>");
    }
    if let Some(t) = &c.title {
        s.push_str("<span title=\"");
        push_escaped(s, t);
        s.push_str("\">");
    }
    if let Some(href) = &c.link {
        s.push_str("<a href=\"");
        push_escaped(s, href);
        s.push_str("\">");
    }
    if c.strong {
        s.push_str("<strong>");
    }
    push_escaped(s, &c.text);
    if c.strong {
        s.push_str("</strong>");
    }
    if c.link.is_some() {
        s.push_str("</a>");
    }
    if c.title.is_some() {
        s.push_str("</span>");
    }
    s.push_str(if row_head { "</th>" } else { "</td>" });
}
