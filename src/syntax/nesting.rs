//! How deeply a file nests, measured on its text before pest parses it.
//!
//! In: a framework's text. Out: the place where nesting first goes past
//! [`MAX_DEPTH`] ([`too_deep`]), and the block left open at a place
//! ([`unclosed`]). pest's parser recurses once per bracket and once per
//! `if` written inside another `if` (in its condition, in a branch, or as
//! the last operand of its `else`), so both are counted; the arms of an
//! `else if` chain are read in a loop and are not. The scan skips strings
//! and comments as the grammar reads them.

use super::{ITEM_KEYWORDS, MAX_DEPTH};

/// What the scan notices in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `(`, `[`, `{`, `)`, `]` or `}`.
    Bracket(u8),
    /// An `if` that is not the arm of an `else if`.
    If,
    /// A word that begins a top-level item (`let`, `indicator`, …).
    Item,
}

/// The offset of the first bracket or `if` nested deeper than
/// [`MAX_DEPTH`].
///
/// An `if` stays counted until the bracket it was written in closes, or,
/// written outside any bracket, until the next item: a run of separate
/// `if`s in one block counts as if nested. That overcounts only blocks
/// with a hundred `if`s of their own, and keeps the scan a single pass
/// that needs no knowledge of where an expression ends.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    // Per open bracket (the first entry: outside any), its `if`s.
    let mut ifs: Vec<u32> = vec![0];
    let mut depth = 0u32;
    for (at, m) in marks(text, 0, text.len()) {
        match m {
            Mark::Bracket(b'(' | b'[' | b'{') => {
                ifs.push(0);
                depth += 1;
            }
            Mark::Bracket(_) => {
                if ifs.len() > 1 {
                    depth -= 1 + ifs.pop().unwrap_or(0);
                }
            }
            Mark::If => {
                if let Some(n) = ifs.last_mut() {
                    *n += 1;
                }
                depth += 1;
            }
            Mark::Item => {
                if ifs.len() == 1 {
                    depth -= ifs[0];
                    ifs[0] = 0;
                }
            }
        }
        if depth > MAX_DEPTH {
            return Some(at);
        }
    }
    None
}

/// The innermost `{` of `text[from..to]` left open at `to`.
pub(crate) fn unclosed(text: &str, from: usize, to: usize) -> Option<usize> {
    let mut open = Vec::new();
    for (at, m) in marks(text, from, to) {
        match m {
            Mark::Bracket(b'{') => open.push(at),
            Mark::Bracket(b'}') => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// A byte that may be part of a word (names may hold letters beyond ASCII).
fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// The marks of `text[from..to]` outside strings and comments, with their
/// offsets.
fn marks(text: &str, from: usize, to: usize) -> impl Iterator<Item = (usize, Mark)> + '_ {
    let b = &text.as_bytes()[..to.min(text.len())];
    let mut i = from;
    // Whether the last word read was `else`, with only blanks and
    // comments since.
    let mut after_else = false;
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            i += 1;
            match b[at] {
                // A triple-quoted string runs to the next `"""`, as the
                // grammar reads it (tried before a plain string).
                b'"' if b[at..].starts_with(b"\"\"\"") => {
                    i = match b[at + 3..].windows(3).position(|w| w == b"\"\"\"") {
                        Some(k) => at + 3 + k + 3,
                        None => b.len(),
                    };
                    after_else = false;
                }
                b'"' => {
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                    after_else = false;
                }
                b'/' if b.get(at + 1) == Some(&b'/') => {
                    while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                        i += 1;
                    }
                }
                c @ (b'(' | b'[' | b'{' | b')' | b']' | b'}') => {
                    after_else = false;
                    return Some((at, Mark::Bracket(c)));
                }
                c if word_byte(c) => {
                    while i < b.len() && word_byte(b[i]) {
                        i += 1;
                    }
                    let word = &b[at..i];
                    let arm = after_else;
                    after_else = word == b"else";
                    if word == b"if" && !arm {
                        return Some((at, Mark::If));
                    }
                    if ITEM_KEYWORDS.iter().any(|k| k.as_bytes() == word) {
                        return Some((at, Mark::Item));
                    }
                }
                c if c.is_ascii_whitespace() => {}
                _ => after_else = false,
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(value: &str) -> String {
        format!("indicator i {{\n  at org\n  value {value}\n}}\n")
    }

    #[test]
    fn nested_ifs_count_and_else_if_arms_do_not() {
        // In a branch, in a condition, after an operand of the `else`.
        let then = |n: usize| format!("{}1{}", "if x > 1 then ".repeat(n), " else 0".repeat(n));
        let cond = |n: usize| {
            let inner = format!(
                "{}x > 1{}",
                "if ".repeat(n),
                " then true else false".repeat(n)
            );
            format!("if {inner} then 1 else 0")
        };
        let operand = |n: usize| format!("{}1", "if x > 1 then 1 else 1 + ".repeat(n));
        for (name, text) in [
            ("then", &then as &dyn Fn(usize) -> String),
            ("condition", &cond),
            ("else operand", &operand),
        ] {
            // With the indicator's braces, 98 are within the limit.
            assert_eq!(too_deep(&indicator(&text(98))), None, "{name}");
            assert!(too_deep(&indicator(&text(100))).is_some(), "{name}");
            assert!(too_deep(&indicator(&text(20_000))).is_some(), "{name}");
        }
        // Ten thousand arms are a chain, not nesting.
        let arms: String = (0..10_000)
            .map(|i| format!("if x > {i} then {i} else "))
            .collect();
        assert_eq!(too_deep(&indicator(&format!("{arms}0"))), None);
        // Comments between `else` and `if` keep it an arm; a word holding
        // `if` is not one.
        let arms: String = (0..200).map(|_| "if diff then 1 else // c\n ").collect();
        assert_eq!(too_deep(&indicator(&format!("{arms}0"))), None);
    }

    #[test]
    fn ifs_are_forgotten_when_their_bracket_closes_or_an_item_begins() {
        let sum: Vec<String> = (0..500)
            .map(|_| "(if x > 1 then 1 else 0)".to_string())
            .collect();
        assert_eq!(too_deep(&indicator(&sum.join(" + "))), None);
        let lets: String = (0..500)
            .map(|i| format!("let l{i} = if x > 1 then 1 else 0\n"))
            .collect();
        assert_eq!(too_deep(&lets), None);
        // `if` inside strings and comments is text.
        let quoted = format!("\"{}\" // {}\n", "if ".repeat(500), "if ".repeat(500));
        assert_eq!(too_deep(&indicator(&quoted)), None);
    }

    #[test]
    fn brackets_still_count() {
        let nested = |n: usize| indicator(&format!("{}x{}", "(".repeat(n), ")".repeat(n)));
        assert_eq!(too_deep(&nested(99)), None);
        let text = nested(100);
        let last_open = text.rfind('(').expect("brackets");
        assert_eq!(too_deep(&text), Some(last_open));
        assert_eq!(unclosed("a { b { c } d", 0, 13), Some(2));
    }
}
