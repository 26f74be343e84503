//! Blocks as Markdown: charts drawn as text bars in code blocks.

use super::{Bar, Block};
use std::fmt::Write;

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
            Block::Facts(f) => facts_list(&mut s, f),
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
                            let text = match &c.link {
                                Some(href) => format!("[{}]({})", md_cell(&c.text), md_href(href)),
                                None => md_cell(&c.text),
                            };
                            if c.strong && !c.text.is_empty() {
                                format!("**{text}**")
                            } else {
                                text
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
                ..
            } => {
                let bars: Vec<Bar> = axes
                    .iter()
                    .zip(values)
                    .zip(shown)
                    .map(|((a, v), t)| Bar::plain(a.clone(), *v, t.clone()))
                    .collect();
                text_bars(&mut s, title, &[(None, &bars)]);
            }
            Block::Bars { title, bars, .. } => text_bars(&mut s, title, &[(None, bars)]),
            Block::Cover {
                title,
                subtitle,
                description,
                facts,
            } => {
                let _ = writeln!(
                    s,
                    "# {}
",
                    md_text(title)
                );
                if let Some(t) = subtitle {
                    let _ = writeln!(
                        s,
                        "**{}**
",
                        md_text(t)
                    );
                }
                if let Some(d) = description {
                    let _ = writeln!(
                        s,
                        "{}
",
                        md_text(d)
                    );
                }
                facts_list(&mut s, facts);
            }
            Block::Summary { title, facts } => {
                let _ = writeln!(
                    s,
                    "> **{}**
>",
                    md_text(title)
                );
                for (k, v) in facts {
                    let _ = writeln!(s, "> - **{}**: {}", md_text(k), md_text(v));
                }
                s.push('\n');
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "- {}", md_text(i));
                }
                s.push('\n');
            }
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

fn facts_list(s: &mut String, facts: &[(String, String)]) {
    for (k, v) in facts {
        let _ = writeln!(s, "- **{}**: {}", md_text(k), md_text(v));
    }
    s.push('\n');
}

/// A link target made safe: only the characters of the file names grille
/// writes are kept.
fn md_href(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
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
        .map(|b| super::fit(&b.label, 40).0.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(s, "*{}*\n\n```text", md_text(title));
    // Inside the code block text is literal; only a backtick could end it.
    let inert = |t: &str| t.replace('`', "'");
    for (group, bars) in groups {
        if let Some(g) = group {
            let _ = writeln!(s, "{}", inert(g));
        }
        for b in bars.iter() {
            let label = inert(&super::fit(&b.label, 40).0);
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
