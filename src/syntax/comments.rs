//! Finds comments in a source text without parsing it.
//!
//! In: the text. Out: every `//` comment (byte range, text, whether it is a
//! `///` doc line standing alone on its line). Strings are skipped so that
//! `"http://…"` is not a comment. The grammar skips comments; this scanner is
//! what lets `fmt` keep them and `doc` show doc comments.

/// A comment found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawComment {
    pub start: usize,
    pub end: usize,
    /// The text after `//` (or after `///` for doc lines), untrimmed on the left.
    pub text: String,
    /// A `///` line with nothing but white space before it.
    pub doc: bool,
    /// Nothing but white space before it on its line.
    pub own_line: bool,
}

/// Scans `text` for comments.
pub fn scan(text: &str) -> Vec<RawComment> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"\"\"\"") {
            i += 3;
            while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                i += 1;
            }
            i = (i + 3).min(b.len());
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(b.len());
        } else if b[i..].starts_with(b"//") {
            let start = i;
            // A comment ends at any line end the grammar knows, a lone
            // `\r` (old Mac files) among them.
            while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                i += 1;
            }
            let end = i;
            let line_start = line_start(text, start);
            let own_line = blank(&text[line_start..start]);
            let raw = &text[start..end];
            let doc = own_line && raw.starts_with("///") && !raw.starts_with("////");
            let body = if doc { &raw[3..] } else { &raw[2..] };
            out.push(RawComment {
                start,
                end,
                text: body.to_string(),
                doc,
                own_line,
            });
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a character is one the grammar skips between tokens: Unicode
/// white space, and the byte-order mark (which Windows editors write and
/// `str::trim` keeps).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// The start of the line holding `pos`, whatever ends lines.
pub fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind(['\n', '\r']).map_or(0, |p| p + 1)
}

/// Whether `s` holds only what the grammar skips.
pub fn blank(s: &str) -> bool {
    s.chars().all(is_space)
}

/// A run of `///` lines and the offset of the code that follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DocGroup {
    pub start: usize,
    pub end: usize,
    pub lines: Vec<String>,
    /// Byte offset of the first non-blank character after the group.
    pub target: usize,
    /// Indices into the comment list.
    pub members: Vec<usize>,
}

/// Groups consecutive doc lines; each group documents the code right after it.
pub fn doc_groups(text: &str, comments: &[RawComment]) -> Vec<DocGroup> {
    let mut groups: Vec<DocGroup> = Vec::new();
    for (idx, c) in comments.iter().enumerate() {
        if !c.doc {
            continue;
        }
        let line = strip_one_space(&c.text);
        match groups.last_mut() {
            Some(g) if blank(&text[g.end..c.start]) && g.members.last() == Some(&(idx - 1)) => {
                g.end = c.end;
                g.lines.push(line);
                g.members.push(idx);
            }
            _ => groups.push(DocGroup {
                start: c.start,
                end: c.end,
                lines: vec![line],
                target: 0,
                members: vec![idx],
            }),
        }
    }
    for g in &mut groups {
        let rest = &text[g.end..];
        g.target = g.end + (rest.len() - rest.trim_start_matches(is_space).len());
    }
    groups
}

fn strip_one_space(s: &str) -> String {
    s.strip_prefix(' ').unwrap_or(s).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_hide_slashes() {
        let c = scan("a \"http://x\" // real\n/// doc\nb");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].text, " real");
        assert!(!c[0].doc && !c[0].own_line);
        assert!(c[1].doc);
    }

    #[test]
    fn doc_group_targets_next_code() {
        let t = "/// one\n/// two\n  indicator x {}";
        let c = scan(t);
        let g = doc_groups(t, &c);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].lines, vec!["one", "two"]);
        assert_eq!(&t[g[0].target..g[0].target + 9], "indicator");
    }
}
