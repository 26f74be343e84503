//! Expressions and normalisations in words, in French, Dutch or English.
//!
//! In: a typed IR expression and a language. Out: a sentence fragment that
//! names questions, lets and indicators by their labels
//! (« J'ai davantage confiance en moi ») and aggregates by what they
//! compute ("part des lignes où …"). Used by `doc`.

use crate::ir::Expr;
use crate::ir::{AggFunc, Better, BinOp, ExprKind, Framework, Normalize, Type, UnOp};

/// Phrases of one language.
struct Lex {
    share: &'static str,
    count_rows: &'static str,
    count_where: &'static str,
    among: &'static str,
    weighted: &'static str,
    and: &'static str,
    or: &'static str,
    not: &'static str,
    one_of: &'static str,
    includes: &'static str,
    is_missing: &'static str,
    if_: (&'static str, &'static str, &'static str),
    of: &'static str,
    ratio: (&'static str, &'static str),
    aggs: [(&'static str, AggFunc); 7],
    /// `=`, `!=`, `<`, `<=`, `>`, `>=` in words.
    cmp: [&'static str; 6],
}

const FR: Lex = Lex {
    share: "part des lignes « {L} » où",
    count_rows: "nombre de lignes « {L} »",
    count_where: "nombre de lignes « {L} » où",
    among: "parmi celles où",
    weighted: "pondérée par",
    and: "et",
    or: "ou",
    not: "non",
    one_of: "vaut",
    includes: "comprend",
    is_missing: "est manquant",
    if_: ("si", "alors", "sinon"),
    of: "de",
    ratio: ("somme de", "divisée par la somme de"),
    aggs: [
        ("somme", AggFunc::Sum),
        ("moyenne", AggFunc::Mean),
        ("médiane", AggFunc::Median),
        ("minimum", AggFunc::Min),
        ("maximum", AggFunc::Max),
        ("écart-type", AggFunc::Stddev),
        ("nombre de valeurs distinctes", AggFunc::Distinct),
    ],
    cmp: [
        "est",
        "n'est pas",
        "est inférieur à",
        "est au plus",
        "est supérieur à",
        "est au moins",
    ],
};

const NL: Lex = Lex {
    share: "aandeel van de rijen « {L} » waarvoor",
    count_rows: "aantal rijen « {L} »",
    count_where: "aantal rijen « {L} » waarvoor",
    among: "onder de rijen waarvoor",
    weighted: "gewogen met",
    and: "en",
    or: "of",
    not: "niet",
    one_of: "is",
    includes: "bevat",
    is_missing: "ontbreekt",
    if_: ("als", "dan", "anders"),
    of: "van",
    ratio: ("som van", "gedeeld door de som van"),
    aggs: [
        ("som", AggFunc::Sum),
        ("gemiddelde", AggFunc::Mean),
        ("mediaan", AggFunc::Median),
        ("minimum", AggFunc::Min),
        ("maximum", AggFunc::Max),
        ("standaardafwijking", AggFunc::Stddev),
        ("aantal verschillende waarden", AggFunc::Distinct),
    ],
    cmp: [
        "is",
        "is niet",
        "is kleiner dan",
        "is hoogstens",
        "is groter dan",
        "is minstens",
    ],
};

const EN: Lex = Lex {
    share: "share of « {L} » rows where",
    count_rows: "number of « {L} » rows",
    count_where: "number of « {L} » rows where",
    among: "among rows where",
    weighted: "weighted by",
    and: "and",
    or: "or",
    not: "not",
    one_of: "is one of",
    includes: "includes",
    is_missing: "is missing",
    if_: ("if", "then", "otherwise"),
    of: "of",
    ratio: ("sum of", "divided by the sum of"),
    aggs: [
        ("sum", AggFunc::Sum),
        ("mean", AggFunc::Mean),
        ("median", AggFunc::Median),
        ("minimum", AggFunc::Min),
        ("maximum", AggFunc::Max),
        ("standard deviation", AggFunc::Stddev),
        ("number of distinct values", AggFunc::Distinct),
    ],
    cmp: [
        "is",
        "is not",
        "is less than",
        "is at most",
        "is more than",
        "is at least",
    ],
};

fn lex(lang: &str) -> &'static Lex {
    match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    }
}

/// An expression in words.
pub fn expr(fw: &Framework, e: &Expr, lang: &str) -> String {
    Words {
        fw,
        lang,
        lx: lex(lang),
        lets: std::cell::Cell::new(0),
    }
    .expr(e)
}

/// How many lets one description writes out in full; past that a let is
/// named, so a long chain of lets, or lets that each use another twice,
/// cannot make the text grow without end.
const LETS_IN_FULL: u32 = 40;

struct Words<'a> {
    fw: &'a Framework,
    lang: &'a str,
    lx: &'static Lex,
    /// Lets written out in full so far.
    lets: std::cell::Cell<u32>,
}

impl Words<'_> {
    fn label(&self, labels: &crate::ir::Labels, id: &str) -> String {
        format!(
            "« {} »",
            labels.get(self.lang, self.fw.default_lang()).unwrap_or(id)
        )
    }

    fn level(&self, l: crate::ir::LevelId) -> String {
        let level = &self.fw.levels[l];
        level
            .label
            .get(self.lang, self.fw.default_lang())
            .unwrap_or(&level.id)
            .to_string()
    }

    /// A string compared with an option: the option's label.
    fn option(&self, ty: Type, e: &Expr) -> String {
        if let (Type::Option(q) | Type::Set(q), ExprKind::Str(s)) = (ty, &e.kind)
            && let Some(o) = self.fw.questions[q]
                .ty
                .options()
                .iter()
                .find(|o| &o.code == s)
        {
            return self.label(&o.label, &o.code);
        }
        self.expr(e)
    }

    fn expr(&self, e: &Expr) -> String {
        let lx = self.lx;
        match &e.kind {
            ExprKind::Num(x) => number(*x, false, self.lang),
            ExprKind::Str(s) => format!("« {s} »"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Question(q) => {
                let q = &self.fw.questions[*q];
                self.label(&q.label, &q.id)
            }
            ExprKind::Let(i) => {
                let n = self.lets.get();
                if n >= LETS_IN_FULL {
                    return format!("`{}`", self.fw.lets[*i].id);
                }
                self.lets.set(n + 1);
                self.expr(&self.fw.lets[*i].expr)
            }
            ExprKind::Indicator(i) => {
                let ind = &self.fw.indicators[*i];
                self.label(&ind.label, &ind.id)
            }
            ExprKind::Score(c) => match c {
                crate::ir::ChildRef::Indicator(i) => format!(
                    "score {} {}",
                    lx.of,
                    self.label(&self.fw.indicators[*i].label, &self.fw.indicators[*i].id)
                ),
                crate::ir::ChildRef::Dimension(d) => format!(
                    "score {} {}",
                    lx.of,
                    self.label(&self.fw.dimensions[*d].label, &self.fw.dimensions[*d].id)
                ),
            },
            ExprKind::DimensionScore(d) => {
                self.label(&self.fw.dimensions[*d].label, &self.fw.dimensions[*d].id)
            }
            ExprKind::Unary(UnOp::Not, x) => format!("{} ({})", lx.not, self.expr(x)),
            ExprKind::Unary(UnOp::Neg, x) => format!("−{}", self.expr(x)),
            ExprKind::Chain(first, rest) => self.chain(first, rest),
            ExprKind::In(x, items) => {
                let list: Vec<String> = items.iter().map(|i| self.option(x.ty, i)).collect();
                format!(
                    "{} {} {}",
                    self.expr(x),
                    lx.one_of,
                    list.join(&format!(" {} ", lx.or))
                )
            }
            ExprKind::If(arms, b) => {
                let mut s = String::new();
                for (k, (c, a)) in arms.iter().enumerate() {
                    if k > 0 {
                        s.push_str(&format!(", {} ", lx.if_.2));
                    }
                    s.push_str(&format!(
                        "{} {}, {} {}",
                        lx.if_.0,
                        self.expr(c),
                        lx.if_.1,
                        self.expr(a)
                    ));
                }
                s.push_str(&format!(", {} {}", lx.if_.2, self.expr(b)));
                s
            }
            ExprKind::Func(f, args) => {
                if *f == crate::ir::Func::IsMissing {
                    return format!("{} {}", self.expr(&args[0]), lx.is_missing);
                }
                let name = format!("{f:?}").to_lowercase();
                format!(
                    "{name}({})",
                    args.iter()
                        .map(|a| self.expr(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            ExprKind::Agg(crate::ir::Agg {
                func,
                over,
                args,
                filter,
                weight,
            }) => {
                let level = self.level(*over);
                let mut s = match func {
                    AggFunc::Share => format!(
                        "{} {}",
                        lx.share.replace("{L}", &level),
                        self.expr(&args[0])
                    ),
                    AggFunc::CountRows => lx.count_rows.replace("{L}", &level),
                    AggFunc::Count => format!(
                        "{} {}",
                        lx.count_where.replace("{L}", &level),
                        self.expr(&args[0])
                    ),
                    AggFunc::Ratio => format!(
                        "{} {} {} {}",
                        lx.ratio.0,
                        self.expr(&args[0]),
                        lx.ratio.1,
                        self.expr(&args[1])
                    ),
                    AggFunc::Percentile => {
                        let p = args.get(1).map(|a| self.expr(a)).unwrap_or_default();
                        format!("percentile {p} {} {}", lx.of, self.expr(&args[0]))
                    }
                    f => {
                        let word = lx
                            .aggs
                            .iter()
                            .find(|(_, g)| g == f)
                            .map(|(w, _)| *w)
                            .unwrap_or("?");
                        format!("{word} {} {}", lx.of, self.expr(&args[0]))
                    }
                };
                if let Some(f) = filter {
                    s.push_str(&format!(", {} {}", lx.among, self.expr(f)));
                }
                if let Some(w) = weight {
                    s.push_str(&format!(", {} {}", lx.weighted, self.expr(w)));
                }
                s
            }
        }
    }

    /// `a + b + c` reads without parentheses; a change of operator
    /// brackets what came before (`(a − b) + c`), as the operators apply.
    fn chain(&self, first: &Expr, rest: &[(BinOp, Expr)]) -> String {
        let lx = self.lx;
        if rest.first().is_some_and(|(op, _)| *op == BinOp::Pow) {
            // Right to left: a^(b^c).
            let mut s = self.operand(&rest[rest.len() - 1].1);
            for k in (0..rest.len()).rev() {
                let lhs = if k == 0 { first } else { &rest[k - 1].1 };
                let right = if k + 1 == rest.len() {
                    s
                } else {
                    format!("({s})")
                };
                s = format!("{}^{right}", self.operand(lhs));
            }
            return s;
        }
        let flat = |op: BinOp| matches!(op, BinOp::Add | BinOp::Mul | BinOp::And | BinOp::Or);
        let first_flat = matches!(&first.kind, ExprKind::Chain(_, r)
            if flat(rest[0].0) && r.iter().all(|(o, _)| *o == rest[0].0));
        let mut sa = if first_flat {
            self.expr(first)
        } else {
            self.operand(first)
        };
        let mut lhs_ty = first.ty;
        // A number compared with a share is written as one: `taux >= 20%`
        // reads "at least 20 %", not "at least 0.2".
        let share = self.is_share(first) || rest.iter().any(|(_, b)| self.is_share(b));
        if share && let ExprKind::Num(x) = first.kind {
            sa = number(x, true, self.lang);
        }
        for (k, (op, b)) in rest.iter().enumerate() {
            if k > 0 && !(rest[k - 1].0 == *op && flat(*op)) {
                sa = format!("({sa})");
            }
            let sb = match b.kind {
                ExprKind::Num(x) if share && is_comparison(*op) => number(x, true, self.lang),
                _ => self.operand(b),
            };
            // An option compared with a string names the option's label.
            let opt = |s: &Self| s.option(lhs_ty, b);
            sa = match op {
                BinOp::And => format!("{sa} {} {sb}", lx.and),
                BinOp::Or => format!("{sa} {} {sb}", lx.or),
                BinOp::Eq => format!("{sa} {} {}", lx.cmp[0], opt(self)),
                BinOp::Ne => format!("{sa} {} {}", lx.cmp[1], opt(self)),
                BinOp::Lt => format!("{sa} {} {sb}", lx.cmp[2]),
                BinOp::Le => format!("{sa} {} {sb}", lx.cmp[3]),
                BinOp::Gt => format!("{sa} {} {sb}", lx.cmp[4]),
                BinOp::Ge => format!("{sa} {} {sb}", lx.cmp[5]),
                BinOp::Has => format!("{sa} {} {}", lx.includes, opt(self)),
                BinOp::Add => format!("{sa} + {sb}"),
                BinOp::Sub => format!("{sa} − {sb}"),
                BinOp::Mul => format!("{sa} × {sb}"),
                BinOp::Div => format!("{sa} ÷ {sb}"),
                BinOp::Pow => format!("{sa}^{sb}"),
            };
            lhs_ty = match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                    crate::ir::Type::Number
                }
                _ => crate::ir::Type::Bool,
            };
        }
        sa
    }

    /// A value that is a share (0..1, shown out of 100): an indicator or
    /// question in `%`, or a `share(…)`.
    fn is_share(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Indicator(i) => self.fw.indicators[*i].unit.as_deref() == Some("%"),
            ExprKind::Question(q) => self.fw.questions[*q].unit.as_deref() == Some("%"),
            ExprKind::Agg(a) => a.func == AggFunc::Share,
            ExprKind::Let(l) => {
                self.fw.lets[*l].expr.level.is_some() && self.is_share(&self.fw.lets[*l].expr)
            }
            _ => false,
        }
    }

    /// Parenthesises compound operands.
    fn operand(&self, e: &Expr) -> String {
        let s = self.expr(e);
        match e.kind {
            ExprKind::Chain(..) | ExprKind::If(..) => format!("({s})"),
            _ => s,
        }
    }
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// A number as written in `lang` (decimal comma in French and Dutch),
/// with all its digits; a share out of 100 with `%`.
pub fn number(x: f64, share: bool, lang: &str) -> String {
    let v = if share {
        // 0.2 × 100 is 20.000000000000004 in binary: round the noise away.
        (x * 100.0 * 1e9).round() / 1e9
    } else {
        x
    };
    let s = crate::text::number(v);
    let s = match lang {
        "fr" | "nl" => s.replace('.', ","),
        _ => s,
    };
    if share { format!("{s} %") } else { s }
}

/// A normalisation in words.
pub fn normalize(
    fw: &Framework,
    n: Option<&Normalize>,
    unit: Option<&str>,
    better: Better,
    lang: &str,
) -> String {
    let pct = unit == Some("%");
    let v = |x: f64| number(x, pct, lang);
    let lower = better == Better::Lower;
    let (fr, nl, en) = match n {
        None => ("—".to_string(), "—".to_string(), "—".to_string()),
        Some(Normalize::Goalposts { lo, hi }) => {
            let (a, b) = if lower { (100, 0) } else { (0, 100) };
            (
                format!("{a} à {}, {b} à {}", v(*lo), v(*hi)),
                format!("{a} bij {}, {b} bij {}", v(*lo), v(*hi)),
                format!("{a} at {}, {b} at {}", v(*lo), v(*hi)),
            )
        }
        Some(Normalize::Target(t)) => {
            let t = match t.kind {
                crate::ir::ExprKind::Num(x) => v(x),
                _ => expr(fw, t, lang),
            };
            if lower {
                (
                    format!("100 jusqu'à l'objectif {t}, moins au-delà"),
                    format!("100 tot het doel {t}, minder daarboven"),
                    format!("100 up to the target {t}, less above it"),
                )
            } else {
                (
                    format!("proportion de l'objectif {t} atteinte"),
                    format!("bereikt deel van het doel {t}"),
                    format!("share of the target {t} reached"),
                )
            }
        }
        Some(Normalize::MinMax) => (
            "du plus bas (0) au plus haut (100) des unités".into(),
            "van de laagste (0) tot de hoogste (100) eenheid".into(),
            "from the lowest (0) to the highest (100) unit".into(),
        ),
        Some(Normalize::Rank) => (
            "rang parmi les unités".into(),
            "rang onder de eenheden".into(),
            "rank among the units".into(),
        ),
        Some(Normalize::Map(entries)) => {
            let list = entries
                .iter()
                .map(|(k, p)| {
                    let k = match k {
                        crate::ir::MapKey::Num(x) => number(*x, false, lang),
                        crate::ir::MapKey::Text(t) => t.clone(),
                    };
                    format!("{k} → {}", number(*p, false, lang))
                })
                .collect::<Vec<_>>()
                .join(", ");
            (list.clone(), list.clone(), list)
        }
        Some(Normalize::Bool) => {
            let (y, n) = if lower { (0, 100) } else { (100, 0) };
            (
                format!("oui → {y}, non → {n}"),
                format!("ja → {y}, nee → {n}"),
                format!("yes → {y}, no → {n}"),
            )
        }
    };
    match lang {
        "fr" => fr,
        "nl" => nl,
        _ => en,
    }
}

/// A status in words, for reports and traces.
pub fn status(st: crate::eval::Status, lang: &str) -> &'static str {
    use crate::eval::Status::*;
    match (lang, st) {
        ("fr", Ok) => "calculé",
        ("fr", Missing) => "pas de données pour le calculer",
        ("fr", NotApplicable) => "ne s'applique pas ici",
        ("fr", LowN) => "calculé sur moins de réponses que le minimum fixé",
        ("fr", Insufficient) => "trop peu d'éléments notés pour donner une note",
        ("fr", Suppressed) => "masqué pour protéger les répondants (groupe trop petit)",
        ("nl", Ok) => "berekend",
        ("nl", Missing) => "geen gegevens om het te berekenen",
        ("nl", NotApplicable) => "hier niet van toepassing",
        ("nl", LowN) => "berekend op minder antwoorden dan het vastgelegde minimum",
        ("nl", Insufficient) => "te weinig onderdelen met een score om een score te geven",
        ("nl", Suppressed) => "verborgen om de respondenten te beschermen (te kleine groep)",
        (_, Ok) => "computed",
        (_, Missing) => "no data to compute it",
        (_, NotApplicable) => "does not apply here",
        (_, LowN) => "computed from fewer answers than the set minimum",
        (_, Insufficient) => "too few scored parts to give a score",
        (_, Suppressed) => "hidden to protect respondents (group too small)",
    }
}

/// The status of entry `u` of a level or of its cells, in words: a
/// suppressed value says why it is hidden.
pub fn status_of(lv: &crate::eval::IndLevel, u: usize, lang: &str) -> &'static str {
    use crate::eval::Suppression::Complementary;
    match (lv.suppression[u], lang) {
        (Some(Complementary), "fr") => {
            "masqué pour qu'aucune valeur masquée ne puisse être déduite par soustraction"
        }
        (Some(Complementary), "nl") => {
            "verborgen zodat geen verborgen waarde door aftrekken kan worden afgeleid"
        }
        (Some(Complementary), _) => {
            "hidden so that no hidden value can be worked out by subtraction"
        }
        _ => status(lv.status[u], lang),
    }
}

/// What a breakdown is called in `lang`: its question's label, or its name.
pub fn breakdown(fw: &Framework, bd: &crate::ir::Breakdown, lang: &str) -> String {
    match bd.source {
        crate::ir::BySource::Question(q) => fw.questions[q]
            .label
            .get(lang, fw.default_lang())
            .unwrap_or(&bd.id)
            .to_string(),
        crate::ir::BySource::Let(_) => bd.id.clone(),
    }
}

/// What cell `k` of a breakdown is called in `lang`: the option's label,
/// yes or no, or "not answered" for the missing cell.
pub fn cell(fw: &Framework, bd: &crate::ir::Breakdown, k: usize, lang: &str) -> String {
    let dl = fw.default_lang();
    let Some(code) = bd.option_code(fw, k) else {
        return match lang {
            "fr" => "non renseigné",
            "nl" => "niet ingevuld",
            _ => "not answered",
        }
        .into();
    };
    let yes_no = |yes: bool| super::yes_no(yes, lang).to_string();
    match bd.source {
        crate::ir::BySource::Question(q) => match &fw.questions[q].ty {
            crate::ir::QType::Choice(o) => o[k].label.get(lang, dl).unwrap_or(&code).to_string(),
            _ => yes_no(k == 0),
        },
        crate::ir::BySource::Let(_) => yes_no(k == 0),
    }
}

/// "broken down by « Sexe », « Statut »" in `lang`.
pub fn broken_down(fw: &Framework, by: &[crate::ir::Breakdown], lang: &str) -> String {
    let names: Vec<String> = by
        .iter()
        .map(|b| match lang {
            "fr" | "nl" => format!("« {} »", breakdown(fw, b, lang)),
            _ => format!("“{}”", breakdown(fw, b, lang)),
        })
        .collect();
    let (lead, and) = match lang {
        "fr" => ("réparti selon", "et"),
        "nl" => ("uitgesplitst naar", "en"),
        _ => ("broken down by", "and"),
    };
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{lead} {} {and} {last}", rest.join(", "))
        }
        Some((last, _)) => format!("{lead} {last}"),
        None => String::new(),
    }
}

/// A keyword of the language (a nature, a kind of aggregation or rollup,
/// a question type, a usual `method`) in `lang`, for reports; a word it
/// does not know comes back as written.
pub fn term(word: &str, lang: &str) -> String {
    const TERMS: &[(&str, &str, &str)] = &[
        ("practice", "pratique", "praktijk"),
        ("output", "réalisation", "output"),
        ("outcome", "effet", "effect"),
        ("impact", "impact", "impact"),
        ("context", "contexte", "context"),
        ("mean", "moyenne", "gemiddelde"),
        ("geometric", "moyenne géométrique", "meetkundig gemiddelde"),
        ("harmonic", "moyenne harmonique", "harmonisch gemiddelde"),
        ("median", "médiane", "mediaan"),
        ("min", "minimum", "minimum"),
        ("max", "maximum", "maximum"),
        ("sum", "somme", "som"),
        (
            "pooled",
            "recalcul sur toutes les lignes",
            "herberekend op alle rijen",
        ),
        ("share", "part", "aandeel"),
        ("distribution", "répartition", "verdeling"),
        ("none", "aucun", "geen"),
        ("number", "nombre", "getal"),
        ("percent", "pourcentage", "percentage"),
        ("scale", "échelle", "schaal"),
        ("yesno", "oui/non", "ja/nee"),
        ("choice", "choix unique", "enkelvoudige keuze"),
        ("multi", "choix multiple", "meervoudige keuze"),
        ("date", "date", "datum"),
        ("text", "texte", "tekst"),
        ("survey", "enquête", "enquête"),
        ("records", "données de gestion", "beheersgegevens"),
        ("interview", "entretien", "interview"),
        ("focus_group", "groupe de discussion", "focusgroep"),
        ("observation", "observation", "observatie"),
    ];
    match (lang, TERMS.iter().find(|(en, _, _)| *en == word)) {
        ("fr", Some((_, fr, _))) => fr.to_string(),
        ("nl", Some((_, _, nl))) => nl.to_string(),
        _ => word.to_string(),
    }
}

/// A status in a few words, for table cells and charts; the method page
/// of a report gives each one's full sentence ([`status`]).
pub fn status_short(st: crate::eval::Status, lang: &str) -> &'static str {
    use crate::eval::Status::*;
    match (lang, st) {
        ("fr", Ok) => "calculé",
        ("fr", Missing) => "pas de données",
        ("fr", NotApplicable) => "sans objet",
        ("fr", LowN) => "peu de réponses",
        ("fr", Insufficient) => "trop peu d'éléments",
        ("fr", Suppressed) => "masqué (petit groupe)",
        ("nl", Ok) => "berekend",
        ("nl", Missing) => "geen gegevens",
        ("nl", NotApplicable) => "niet van toepassing",
        ("nl", LowN) => "weinig antwoorden",
        ("nl", Insufficient) => "te weinig onderdelen",
        ("nl", Suppressed) => "verborgen (kleine groep)",
        (_, Ok) => "computed",
        (_, Missing) => "no data",
        (_, NotApplicable) => "not applicable",
        (_, LowN) => "few answers",
        (_, Insufficient) => "too few parts",
        (_, Suppressed) => "hidden (small group)",
    }
}

/// The short status of entry `u` of a level or of its cells: a value
/// hidden so that another cannot be deduced says so.
pub fn status_short_of(lv: &crate::eval::IndLevel, u: usize, lang: &str) -> &'static str {
    match lv.suppression[u] {
        Some(crate::eval::Suppression::Complementary) => deducible(lang),
        _ => status_short(lv.status[u], lang),
    }
}

/// The short status of a value hidden so that another cannot be deduced.
pub fn deducible(lang: &str) -> &'static str {
    match lang {
        "fr" => "masqué (déductible)",
        "nl" => "verborgen (afleidbaar)",
        _ => "hidden (deducible)",
    }
}

/// The full sentence of a complementary suppression, for the method page.
pub fn complementary(lang: &str) -> &'static str {
    match lang {
        "fr" => "masqué pour qu'aucune valeur masquée ne puisse être déduite par soustraction",
        "nl" => "verborgen zodat geen verborgen waarde door aftrekken kan worden afgeleid",
        _ => "hidden so that no hidden value can be worked out by subtraction",
    }
}
