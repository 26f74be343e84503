//! Turns pest's errors into sentences.
//!
//! In: a `pest::error::Error<Rule>`. Out: one [`Diag`] with code
//! `grille::syntax::unexpected`, spanning the token where reading stopped,
//! whose message lists what could come there in words ("an indicator
//! property such as `value` or `normalize`"), and a did-you-mean help when
//! the token looks like an expected keyword.

use super::{Rule, SyntaxError};
use crate::diagnostic::Diag;
use crate::source::{SourceId, Span};
use crate::suggest;

/// Groups of rules that read better as one phrase. The first group with a
/// member among the expected rules replaces all its members.
const GROUPS: &[(&[Rule], &str, &[&str])] = &[
    (
        &[
            Rule::p_value,
            Rule::p_better,
            Rule::p_normalize,
            Rule::p_rollup,
            Rule::p_min_n,
            Rule::p_nature,
            Rule::k_value,
            Rule::k_better,
            Rule::k_normalize,
            Rule::k_rollup,
            Rule::k_min_n,
            Rule::k_nature,
        ],
        "an indicator property such as `value`, `unit` or `normalize`",
        &[
            "at",
            "label",
            "description",
            "value",
            "unit",
            "better",
            "normalize",
            "rollup",
            "when",
            "min_n",
            "rate",
            "method",
            "nature",
            "source",
            "tags",
            "by",
            "locked",
            "weight",
        ],
    ),
    (
        &[
            Rule::p_use,
            Rule::p_aggregate,
            Rule::p_gate,
            Rule::p_require,
            Rule::p_drop,
            Rule::k_use,
            Rule::k_aggregate,
            Rule::k_gate,
            Rule::k_require,
            Rule::k_drop,
        ],
        "a dimension property such as `use`, `aggregate` or `gate`",
        &[
            "label",
            "description",
            "aggregate",
            "require",
            "rate",
            "use",
            "indicator",
            "dimension",
            "evidence",
            "gate",
            "when",
            "weight",
            "locked",
            "drop",
        ],
    ),
    (
        &[Rule::p_collect, Rule::p_keep, Rule::k_collect, Rule::k_keep],
        "an evidence property such as `at`, `collect` or `keep`",
        &["at", "label", "description", "collect", "keep", "locked"],
    ),
    (
        &[
            Rule::p_check,
            Rule::p_message,
            Rule::p_severity,
            Rule::k_check,
            Rule::k_message,
            Rule::k_severity,
        ],
        "a rule property such as `check`, `message` or `severity`",
        &["at", "check", "message", "severity", "label", "description"],
    ),
    (
        &[
            Rule::p_within,
            Rule::p_key,
            Rule::p_name,
            Rule::k_within,
            Rule::k_key,
            Rule::k_name,
        ],
        "a level property such as `within`, `key` or `label`",
        &["within", "key", "name", "label", "description"],
    ),
    (
        &[
            Rule::p_version,
            Rule::p_languages,
            Rule::p_min_group,
            Rule::p_missing,
            Rule::k_version,
            Rule::k_languages,
            Rule::k_min_group,
            Rule::k_dont_know,
        ],
        "a header property such as `title`, `version` or `languages`",
        &[
            "title",
            "description",
            "publisher",
            "version",
            "languages",
            "missing",
            "dont_know",
            "refused",
            "min_group",
            "rate",
        ],
    ),
    (
        &[
            Rule::p_required,
            Rule::p_column,
            Rule::p_range,
            Rule::p_integer,
            Rule::k_required,
            Rule::k_column,
            Rule::k_range,
            Rule::k_integer,
        ],
        "a question property such as `label`, `unit`, `range` or `required`",
        &[
            "label",
            "description",
            "unit",
            "range",
            "integer",
            "required",
            "column",
            "when",
        ],
    ),
    (
        &[
            Rule::t_number,
            Rule::t_percent,
            Rule::t_scale,
            Rule::t_yesno,
            Rule::t_choice,
            Rule::t_multi,
            Rule::t_date,
            Rule::t_text,
            Rule::k_number,
            Rule::k_percent,
            Rule::k_scale,
            Rule::k_yesno,
            Rule::k_choice,
            Rule::k_multi,
            Rule::k_date,
            Rule::k_text,
        ],
        "a question type (`number`, `percent`, `scale`, `yesno`, `choice`, `multi`, `date` or `text`)",
        &[
            "number", "percent", "scale", "yesno", "choice", "multi", "date", "text",
        ],
    ),
    (
        &[
            Rule::level,
            Rule::questions,
            Rule::let_decl,
            Rule::indicator,
            Rule::dimension,
            Rule::ratings,
            Rule::mapping,
            Rule::refine,
            Rule::remove,
            Rule::k_level,
            Rule::k_questions,
            Rule::k_let,
            Rule::k_ratings,
            Rule::k_mapping,
            Rule::k_refine,
            Rule::k_remove,
        ],
        "an item such as `level`, `questions`, `indicator` or `dimension`",
        &[
            "level",
            "questions",
            "let",
            "indicator",
            "dimension",
            "ratings",
            "mapping",
            "rule",
            "evidence",
            "refine",
            "remove",
        ],
    ),
    (
        &[
            Rule::expr,
            Rule::if_expr,
            Rule::paren,
            Rule::percent,
            Rule::number,
            Rule::string,
            Rule::boolean,
            Rule::call,
            Rule::path,
            Rule::name,
            Rule::op_not,
            Rule::op_neg,
            Rule::k_if,
        ],
        "an expression",
        &[],
    ),
    (
        &[
            Rule::op_or,
            Rule::op_and,
            Rule::op_eq,
            Rule::op_ne,
            Rule::op_le,
            Rule::op_ge,
            Rule::op_lt,
            Rule::op_gt,
            Rule::op_has,
            Rule::op_add,
            Rule::op_sub,
            Rule::op_mul,
            Rule::op_div,
            Rule::op_pow,
            Rule::op_in,
        ],
        "an operator",
        &["and", "or", "has", "in"],
    ),
    (
        &[
            Rule::r_indicator,
            Rule::r_dimension,
            Rule::r_evidence,
            Rule::r_question,
            Rule::r_level,
            Rule::r_rule,
            Rule::k_question,
        ],
        "the kind of item to refine (`indicator`, `dimension`, `evidence`, `question`, `level` or `rule`)",
        &[
            "indicator",
            "dimension",
            "evidence",
            "question",
            "level",
            "rule",
        ],
    ),
    (
        &[
            Rule::n_goalposts,
            Rule::n_target,
            Rule::n_minmax,
            Rule::n_rank,
            Rule::n_map,
            Rule::k_goalposts,
            Rule::k_minmax,
        ],
        "a normalisation (`goalposts`, `target`, `minmax`, `rank` or `map`)",
        &["goalposts", "target", "minmax", "rank", "map"],
    ),
    (
        &[Rule::label_val, Rule::tagged, Rule::lang],
        "a label (a string, or strings tagged with a language)",
        &[],
    ),
];

fn single(r: Rule) -> String {
    let s = match r {
        Rule::EOI => "the end of the file",
        Rule::ident | Rule::step_name => "a name",
        Rule::string | Rule::quoted | Rule::triple => "a string",
        Rule::number | Rule::integer | Rule::signed_num => "a number",
        Rule::range_lit => "a range such as `1..5`",
        Rule::option => "an option",
        Rule::step => "a rating step",
        Rule::map_entry | Rule::map_body => "a `key: points` entry",
        Rule::question => "a question (`name: type`)",
        Rule::header => "a `framework` header",
        Rule::extends => "`extends`",
        Rule::lb => "`{`",
        Rule::rb => "`}`",
        Rule::item_kind => "an item kind such as `indicator` or `dimension`",
        Rule::agg_where => "`where`",
        Rule::agg_weight => "`weight`",
        Rule::ev_block => "`{`",
        Rule::dim_evidence => "`evidence`",
        Rule::options => "`{` and the options",
        other => {
            let name = format!("{other:?}");
            if let Some(k) = name.strip_prefix("k_") {
                return format!("`{k}`");
            }
            if let Some(k) = name.strip_prefix("p_") {
                return format!("`{k}`");
            }
            return name.replace('_', " ");
        }
    };
    s.to_string()
}

/// The phrases for a set of expected rules, in a stable order.
fn phrases(positives: &[Rule]) -> (Vec<String>, Vec<&'static str>) {
    let mut out: Vec<String> = Vec::new();
    let mut keywords: Vec<&'static str> = Vec::new();
    let mut used = vec![false; positives.len()];
    for (members, phrase, kws) in GROUPS {
        let hit: Vec<usize> = positives
            .iter()
            .enumerate()
            .filter(|(_, r)| members.contains(r))
            .map(|(i, _)| i)
            .collect();
        if hit.is_empty() {
            continue;
        }
        for i in hit {
            used[i] = true;
        }
        for (i, r) in positives.iter().enumerate() {
            let name = format!("{r:?}");
            let bare = name
                .strip_prefix("k_")
                .or_else(|| name.strip_prefix("p_"))
                .unwrap_or(&name);
            if kws.contains(&bare) {
                used[i] = true;
            }
        }
        out.push((*phrase).to_string());
        keywords.extend_from_slice(kws);
    }
    for (i, r) in positives.iter().enumerate() {
        if used[i] {
            continue;
        }
        let name = format!("{r:?}");
        if let Some(k) = name.strip_prefix("k_").or_else(|| name.strip_prefix("p_")) {
            // A lone property or keyword also suggests itself.
            if let Some(k) = KEYWORDS.iter().find(|w| **w == k) {
                keywords.push(k);
            }
        }
        let p = single(*r);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    // An operator is rarely what the author meant when something else fits.
    if out.len() > 1 {
        out.retain(|p| p != "an operator");
    }
    (out, keywords)
}

const KEYWORDS: &[&str] = &[
    "framework",
    "extends",
    "title",
    "publisher",
    "description",
    "label",
    "version",
    "languages",
    "missing",
    "dont_know",
    "refused",
    "min_group",
    "rate",
    "level",
    "within",
    "via",
    "key",
    "name",
    "questions",
    "question",
    "section",
    "at",
    "unit",
    "range",
    "integer",
    "required",
    "column",
    "let",
    "indicator",
    "value",
    "better",
    "higher",
    "lower",
    "normalize",
    "goalposts",
    "target",
    "minmax",
    "rank",
    "map",
    "rollup",
    "when",
    "min_n",
    "method",
    "nature",
    "source",
    "tags",
    "by",
    "locked",
    "weight",
    "dimension",
    "aggregate",
    "require",
    "use",
    "gate",
    "drop",
    "evidence",
    "collect",
    "keep",
    "mapping",
    "rule",
    "check",
    "message",
    "severity",
    "ratings",
    "below",
    "color",
    "refine",
    "remove",
    "in",
    "if",
    "then",
    "else",
    "where",
    "of",
];

fn join_or(items: &[String]) -> String {
    match items.len() {
        0 => "something else".to_string(),
        1 => items[0].clone(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The token that starts at `pos`: an identifier, a number, or one character.
fn token_at(text: &str, pos: usize) -> (usize, usize) {
    let rest = &text[pos..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => (pos, pos),
        Some((_, c)) if c.is_alphanumeric() || c == '_' => {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (pos, pos + len)
        }
        Some((_, c)) => (pos, pos + c.len_utf8()),
    }
}

/// Where a pest error stopped, relative to the text it parsed.
pub fn position(e: &pest::error::Error<Rule>) -> usize {
    match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// Converts a pest error into a diagnostic; `base` is where the parsed
/// text starts in `text`.
pub fn from_pest(src: SourceId, text: &str, e: &pest::error::Error<Rule>, base: usize) -> Diag {
    use pest::error::ErrorVariant;
    let pos = base + position(e);
    let (start, end) = token_at(text, pos);
    let (expected, keywords) = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => phrases(positives),
        ErrorVariant::CustomError { message } => (vec![message.clone()], Vec::new()),
    };
    let found = &text[start..end];
    let label = if found.is_empty() {
        "the file ends here".to_string()
    } else {
        format!("found `{found}`")
    };
    let mut d = Diag::error(
        SyntaxError::Unexpected {
            expected: join_or(&expected),
        },
        Span::new(src, start, end),
        label,
    );
    if !found.is_empty()
        && found.chars().all(|c| c.is_alphanumeric() || c == '_')
        && let Some(s) = suggest::closest(found, keywords.iter().copied())
    {
        d = d.help(format!("did you mean `{s}`?"));
    }
    let wants_brace = expected.iter().any(|p| p == "`}`");
    if wants_brace && (found.is_empty() || super::starts_item(text, start)) {
        if let Some(open) = super::unclosed(text, base, start) {
            return unclosed(src, text, open, (start, end));
        }
        d = d.help("a block opened with `{` is not closed");
    }
    d
}

/// The error of a block whose `}` is missing: where reading stopped, and
/// the block's opening line.
fn unclosed(src: SourceId, text: &str, open: usize, (start, end): (usize, usize)) -> Diag {
    let head = text[super::comments::line_start(text, open)..open].trim();
    // The block's name as written on its line, without an earlier block
    // closed on the same line (`level a { } level b {`).
    let head = head.rsplit_once('}').map_or(head, |(_, h)| h).trim();
    let block: String = if head.is_empty() {
        "{".into()
    } else {
        head.chars().take(60).collect()
    };
    let line = text[..open].matches('\n').count() + 1;
    let (label, help) = if start == end {
        (
            "the file ends here".to_string(),
            format!("add `}}` at the end of `{block}` (opened on line {line})"),
        )
    } else {
        (
            "a new item starts here".to_string(),
            format!("add `}}` before this line to close `{block}` (opened on line {line})"),
        )
    };
    Diag::error(
        SyntaxError::Unclosed {
            block: block.clone(),
        },
        Span::new(src, start, end),
        label,
    )
    .related(
        Span::new(src, open, open + 1),
        format!("`{block}` opened here"),
    )
    .help(help)
}

#[cfg(test)]
mod grammar_words {
    //! The lists of words that messages and recovery use are written by
    //! hand beside the grammar; these tests read the grammar and fail when
    //! a keyword, a property or an item is missing from them.

    use super::{GROUPS, KEYWORDS};

    const GRAMMAR: &str = include_str!("../../grammar/grille.pest");

    /// The body of rule `name` (`name = _{ … }`), joined on one line.
    fn body(name: &str) -> String {
        let start = GRAMMAR
            .lines()
            .position(|l| {
                let mut w = l.split_whitespace();
                w.next() == Some(name) && w.next() == Some("=")
            })
            .unwrap_or_else(|| panic!("rule `{name}` in the grammar"));
        let mut out = String::new();
        for l in GRAMMAR.lines().skip(start) {
            out.push_str(l);
            out.push(' ');
            if l.trim_end().ends_with('}') {
                break;
            }
        }
        out
    }

    /// The word a keyword rule matches: `k_value = @{ "value" … }` → `value`.
    fn keyword(rule: &str) -> String {
        let b = body(rule);
        b.split('"')
            .nth(1)
            .unwrap_or_else(|| panic!("`{rule}` matches a word"))
            .to_string()
    }

    /// The words of the properties listed in rule `list` (`p_unit` → `unit`).
    fn properties(list: &str) -> Vec<String> {
        let b = body(list);
        b.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter_map(|w| w.strip_prefix("p_"))
            .map(|p| keyword(&format!("k_{p}")))
            .collect()
    }

    #[test]
    fn every_keyword_is_known_to_messages() {
        let types = GROUPS
            .iter()
            .find(|g| g.1.starts_with("a question type"))
            .expect("the question type group")
            .2;
        for l in GRAMMAR.lines() {
            let Some(rule) = l.split_whitespace().next().filter(|r| r.starts_with("k_")) else {
                continue;
            };
            let w = keyword(rule);
            assert!(
                KEYWORDS.contains(&w.as_str()) || types.contains(&w.as_str()),
                "`{w}` ({rule}) is missing from KEYWORDS"
            );
        }
    }

    #[test]
    fn every_property_is_suggested_in_its_block() {
        for (list, phrase) in [
            ("header_prop", "a header property"),
            ("level_prop", "a level property"),
            ("q_prop", "a question property"),
            ("ind_prop", "an indicator property"),
            ("dim_prop", "a dimension property"),
            ("ev_prop", "an evidence property"),
            ("rule_prop", "a rule property"),
        ] {
            let group = GROUPS
                .iter()
                .find(|g| g.1.starts_with(phrase))
                .unwrap_or_else(|| panic!("a group for {phrase}"));
            for p in properties(list) {
                assert!(
                    group.2.contains(&p.as_str()),
                    "`{p}` ({list}) is not among the words of {phrase:?}"
                );
            }
        }
    }

    #[test]
    fn every_item_starts_recovery() {
        let item = body("item");
        let rules: Vec<&str> = item
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty() && *w != "item" && *w != "_")
            .collect();
        for r in rules {
            // Each item rule starts with its keyword rule.
            let b = body(r);
            let k = b
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .find(|w| w.starts_with("k_"))
                .unwrap_or_else(|| panic!("`{r}` starts with a keyword"));
            let w = keyword(k);
            assert!(
                super::super::ITEM_KEYWORDS.contains(&w.as_str()),
                "`{w}` (item `{r}`) is missing from ITEM_KEYWORDS"
            );
        }
    }
}
