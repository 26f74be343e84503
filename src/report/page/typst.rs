//! Blocks as a Typst document, for the PDF report.
//!
//! In: the title, language and [`Block`]s of a report. Out: the source of
//! a Typst document in code mode: every text is a string literal (so no
//! answer or label can be read as markup), charts are the same SVG as the
//! HTML report, given inline as bytes. A4 pages, one unit per page group,
//! tables in fractional columns so that they wrap instead of overflowing.

use super::{Block, Cell, Text};
use std::fmt::Write;

/// A Typst string literal: Typst reads the same escapes as grille's
/// own strings (`\"`, `\\`, `\n`, `\t`, `\u{…}`).
fn lit(s: &str) -> String {
    crate::text::quote(s)
}

fn text(s: &str) -> String {
    format!("text({})", lit(s))
}

const ACCENT: &str = "rgb(\"#14466b\")";

/// The document's source.
pub fn document(title: &str, lang: &str, blocks: &[Block]) -> String {
    let mut s = String::new();
    let lang = if matches!(lang, "fr" | "nl" | "en") {
        lang
    } else {
        "en"
    };
    let _ = writeln!(
        s,
        "#set document(title: {}, date: none)\n#set page(paper: \"a4\", margin: (x: 16mm, y: 16mm), numbering: \"1 / 1\")\n#set text(font: \"Libertinus Serif\", size: 9.5pt, lang: \"{lang}\")\n#set par(justify: false)\n#show heading: set text(fill: {ACCENT})\n#show heading.where(level: 2): it => block(below: 0.8em, stroke: (bottom: 1.5pt + {ACCENT}), inset: (bottom: 3pt), width: 100%, it)\n#set table(stroke: 0.5pt + rgb(\"#b0b0b0\"), inset: 3pt)",
        lit(title)
    );
    // A unit's own report starts right under its cover; a whole report
    // gives the cover a page and each unit its own.
    let mut sections = 0;
    let whole = blocks.iter().any(|b| matches!(b, Block::Nav { .. }));
    for b in blocks {
        match b {
            // The method page of a unit's report follows its last page
            // rather than starting one, to keep the report short.
            Block::Section(id) if !whole && id == "method" => s.push_str("#v(1.5em)\n"),
            Block::Section(_) => {
                sections += 1;
                if whole || sections > 1 {
                    s.push_str("#pagebreak(weak: true)\n");
                }
            }
            Block::Cover { .. } => cover(&mut s, b, whole),
            b => block(&mut s, b),
        }
    }
    s
}

fn cover(s: &mut String, b: &Block, whole: bool) {
    let Block::Cover {
        title,
        subtitle,
        description,
        facts: f,
    } = b
    else {
        return;
    };
    if whole {
        s.push_str("#v(30%)\n");
    }
    let _ = writeln!(
        s,
        "#block(stroke: (left: 5pt + {ACCENT}), inset: (left: 12pt, y: 4pt), below: 14pt)["
    );
    let size = if whole { 22 } else { 16 };
    let _ = writeln!(
        s,
        "#text(size: {size}pt, weight: \"bold\", fill: {ACCENT}, {})\n",
        lit(title)
    );
    if let Some(t) = subtitle {
        let _ = writeln!(s, "#text(size: 14pt, weight: \"semibold\", {})\n", lit(t));
    }
    if let Some(d) = description {
        let _ = writeln!(s, "#{}\n", text(d));
    }
    facts(s, f);
    s.push_str("]\n");
    if whole {
        s.push_str("#pagebreak(weak: true)\n");
    }
}

fn block(s: &mut String, b: &Block) {
    match b {
        Block::Cover { .. } => {}
        Block::Heading(d, t, _) => {
            let _ = writeln!(s, "#heading(level: {}, {})", (*d).clamp(1, 6), lit(t));
        }
        Block::Facts(f) => facts(s, f),
        Block::Summary { title, facts: f } => {
            let _ = writeln!(
                s,
                "#block(width: 100%, stroke: 1pt + {ACCENT}, radius: 4pt, inset: 8pt, fill: rgb(\"#f4f6f8\"), breakable: false)[#text(weight: \"bold\", fill: {ACCENT}, {})\n",
                lit(title)
            );
            facts(s, f);
            s.push_str("]\n");
        }
        Block::Para(p) => {
            let _ = writeln!(s, "#{}\n", text(p));
        }
        Block::List(items) => {
            let items: Vec<String> = items.iter().map(|i| text(i)).collect();
            let _ = writeln!(s, "#list({})", items.join(", "));
        }
        Block::Table { head, right, cells } => table(s, head, right, cells),
        Block::Quotes { title, quotes } => {
            let _ = writeln!(s, "#text(weight: \"semibold\", {})\n", lit(title));
            for q in quotes {
                let _ = writeln!(
                    s,
                    "#quote(block: true, text(style: \"italic\", {}))",
                    lit(q)
                );
            }
        }
        Block::Radar { .. }
        | Block::Bars { .. }
        | Block::GroupedBars { .. }
        | Block::Slopes { .. } => chart(s, b),
        Block::Nav { .. } | Block::Section(_) | Block::EndSection => {}
    }
}

fn facts(s: &mut String, facts: &[(Text<'_>, Text<'_>)]) {
    // A run of three short facts or more goes two to a line; long ones
    // (conditions, benchmarks) keep the whole width; the order stays.
    let short = |f: &(Text<'_>, Text<'_>)| f.1.chars().count() <= 40;
    let mut at = 0;
    while at < facts.len() {
        let kind = short(&facts[at]);
        let len = facts[at..].iter().take_while(|f| short(f) == kind).count();
        let run = &facts[at..at + len];
        at += len;
        let columns = if kind && run.len() >= 3 {
            "(auto, 1fr, auto, 1fr)"
        } else {
            "(auto, 1fr)"
        };
        let cells: Vec<String> = run
            .iter()
            .map(|(k, v)| format!("text(weight: \"bold\", {}), {}", lit(k), text(v)))
            .collect();
        let _ = writeln!(
            s,
            "#grid(columns: {columns}, column-gutter: 10pt, row-gutter: 5pt, {})\n",
            cells.join(", ")
        );
    }
}

fn cell(c: &Cell) -> String {
    let mut t = if c.strong {
        format!("text(weight: \"bold\", {})", lit(&c.text))
    } else {
        text(&c.text)
    };
    if let Some(href) = &c.link {
        t = format!("link({}, {t})", lit(href));
    }
    if let Some(color) = c.swatch.as_deref().filter(|c| is_hex(c)) {
        t = format!(
            "box(width: 0.75em, height: 0.75em, fill: rgb(\"{color}\"), stroke: 0.5pt + rgb(\"#404040\")) + h(0.3em) + {t}"
        );
    }
    t
}

fn is_hex(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit())
}

/// A table whose first column takes more room; all columns wrap.
fn table(s: &mut String, head: &[Text<'_>], right: &[bool], cells: &[Cell]) {
    let n = head.len().max(1);
    // The item's name and a status in words need room; numbers less.
    let widths: Vec<&str> = (0..n)
        .map(|k| match (k, right.get(k).copied().unwrap_or(false)) {
            (0, _) => "2.2fr",
            (_, false) => "1.8fr",
            _ => "1fr",
        })
        .collect();
    let align: Vec<&str> = (0..n)
        .map(|k| {
            if right.get(k).copied().unwrap_or(false) {
                "right"
            } else {
                "left"
            }
        })
        .collect();
    let head: Vec<String> = head
        .iter()
        .map(|h| format!("text(weight: \"bold\", {})", lit(h)))
        .collect();
    let _ = write!(
        s,
        "#text(size: 8pt, table(columns: ({},), align: ({},), fill: (x, y) => if y == 0 {{ rgb(\"#eef2f5\") }}, table.header({})",
        widths.join(", "),
        align.join(", "),
        head.join(", ")
    );
    for r in super::rows(n, cells) {
        for k in 0..n {
            let c = r.get(k).map(cell).unwrap_or_else(|| "[]".into());
            let _ = write!(s, ", {c}");
        }
    }
    s.push_str("))\n");
}

/// A chart: the HTML report's SVG, drawn in the document's font, then its
/// caption.
fn chart(s: &mut String, b: &Block) {
    let Some((svg, caption)) = super::html::chart_svg(b) else {
        return;
    };
    let svg = svg.replacen("<svg ", "<svg font-family=\"Libertinus Serif\" ", 1);
    // Drawn at about the size it has on screen, never wider than the page.
    let width = match b {
        Block::Radar { .. } => "52%",
        _ => "62%",
    };
    let _ = writeln!(
        s,
        "#figure(image(bytes({}), format: \"svg\", width: {width}), caption: text(size: 8pt, {}), supplement: none, numbering: none)",
        lit(&svg),
        lit(&caption)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(lit("a \"b\" \\ #c"), "\"a \\\"b\\\" \\\\ #c\"");
        assert_eq!(lit("x\ny"), "\"x\\ny\"");
    }
}
