//! Blocks as Markdown: charts drawn as text bars in code blocks.

use super::{Bar, Block, Text};
use std::fmt::Write;

/// Text made inert in Markdown: HTML is written as entities (a unit id or
/// a testimony holding `<script>` stays text, as in the HTML report),
/// link brackets, code marks and backslashes are escaped, and a line
/// break becomes a space.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_md(&mut out, s, false);
    out
}

/// Appends `t` made inert to `out`; in a table `cell`, `|` is escaped too.
fn push_md(out: &mut String, t: &str, cell: bool) {
    // Runs of ordinary characters are copied at once.
    let mut from = 0;
    for (i, c) in t.char_indices() {
        let esc = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '[' => "\\[",
            ']' => "\\]",
            '`' => "\\`",
            '\\' => "\\\\",
            '|' if cell => "\\|",
            '\n' | '\r' => " ",
            _ => continue,
        };
        out.push_str(&t[from..i]);
        out.push_str(esc);
        from = i + c.len_utf8();
    }
    out.push_str(&t[from..]);
}

/// One table row: `| a | b |`.
fn push_row<'t>(s: &mut String, cells: impl Iterator<Item = &'t str>) {
    s.push('|');
    for c in cells {
        s.push(' ');
        push_md(s, c, true);
        s.push_str(" |");
    }
    s.push('\n');
}

/// The blocks as Markdown.
pub fn markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    markdown_into(&mut s, blocks);
    s
}

/// Appends the blocks as Markdown to `s`: each block is written on its
/// own, so a document can be written part by part.
pub fn markdown_into(s: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading(d, t, _) => {
                let _ = writeln!(s, "{} {}\n", "#".repeat(*d as usize), md_text(t));
            }
            Block::Facts(f) => facts_list(s, f),
            Block::Para(p) => {
                let _ = writeln!(s, "{}\n", md_text(p));
            }
            Block::Table { head, right, cells } => {
                push_row(s, head.iter().map(AsRef::<str>::as_ref));
                s.push('|');
                for r in right {
                    s.push_str(if *r { "---:|" } else { "---|" });
                }
                s.push('\n');
                for r in super::rows(head.len(), cells) {
                    s.push('|');
                    for c in r {
                        s.push(' ');
                        let strong = c.strong && !c.text.is_empty();
                        if strong {
                            s.push_str("**");
                        }
                        match &c.link {
                            Some(href) => {
                                s.push('[');
                                push_md(s, &c.text, true);
                                let _ = write!(s, "]({})", md_href(href));
                            }
                            None => push_md(s, &c.text, true),
                        }
                        if strong {
                            s.push_str("**");
                        }
                        s.push_str(" |");
                    }
                    s.push('\n');
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
                text_bars(s, title, &[(None, &bars)]);
            }
            Block::Bars { title, bars, .. } => text_bars(s, title, &[(None, bars)]),
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
                facts_list(s, facts);
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
                    .map(|(g, b)| (Some(&**g), b.as_slice()))
                    .collect();
                text_bars(s, title, &groups)
            }
            Block::Nav { .. } | Block::Section(_) | Block::EndSection => {}
        }
    }
}

fn facts_list(s: &mut String, facts: &[(Text<'_>, Text<'_>)]) {
    for (k, v) in facts {
        s.push_str("- **");
        push_md(s, k, false);
        s.push_str("**: ");
        push_md(s, v, false);
        s.push('\n');
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
                // A bar's blocks as its score is shown: 37.5 is 8 blocks
                // whichever engine computed it.
                crate::report::round_shown(b.score.clamp(0.0, 100.0) / 5.0) as usize
            };
            push_n(s, " ", indent);
            s.push_str(&label);
            push_n(s, " ", pad + 2);
            push_n(s, "█", full);
            push_n(s, "░", 20 - full);
            s.push_str("  ");
            s.push_str(&inert(&b.shown));
            s.push('\n');
        }
    }
    s.push_str("```\n\n");
}

fn push_n(s: &mut String, piece: &str, n: usize) {
    for _ in 0..n {
        s.push_str(piece);
    }
}
