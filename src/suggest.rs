//! "Did you mean …?" suggestions.
//!
//! In: a misspelt word and the candidates. Out: the closest candidate when
//! it is close enough to be worth saying.

/// How similar (Jaro–Winkler, 0..1) a candidate must be to be suggested.
pub const THRESHOLD: f64 = 0.8;

/// The candidate closest to `word`, if it passes [`THRESHOLD`] or contains
/// `word` (or the reverse).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lw = word.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let lc = c.to_lowercase();
        let mut s = strsim::jaro_winkler(&lw, &lc);
        if lw.len() >= 3 && lc.len() >= 3 && (lc.starts_with(&lw) || lw.starts_with(&lc)) {
            s = s.max(THRESHOLD);
        }
        if s >= THRESHOLD && best.is_none_or(|(_, b)| s > b) {
            best = Some((c, s));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_close_words() {
        assert_eq!(super::closest("valeu", ["value", "unit"]), Some("value"));
        assert_eq!(
            super::closest("organisation", ["org", "person"]),
            Some("org")
        );
        assert_eq!(super::closest("zzz", ["value", "unit"]), None);
    }
}
