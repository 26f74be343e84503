//! The words of the human reports, in French, Dutch and English.
//!
//! In: a language code. Out: the fixed words and phrases a report is made
//! of (headings, column names, the method page's sentences); counted words
//! agree with their number ([`plural`]).

pub struct T {
    pub report: &'static str,
    pub version: &'static str,
    pub data: &'static str,
    pub rows: (&'static str, &'static str),
    pub rejected: (&'static str, &'static str),
    pub diagnostics: &'static str,
    pub errors: (&'static str, &'static str),
    pub warnings: (&'static str, &'static str),
    pub none: &'static str,
    pub within: &'static str,
    pub comparison: &'static str,
    pub profile: &'static str,
    pub item: &'static str,
    pub value: &'static str,
    pub interval: &'static str,
    pub score: &'static str,
    pub rating: &'static str,
    pub coverage: &'static str,
    pub status: &'static str,
    pub gates: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
    pub parts: &'static str,
    pub portrait: &'static str,
    pub evidence: &'static str,
    pub units_reported: &'static str,
    pub contents: &'static str,
    pub cell: &'static str,
    pub published_by: &'static str,
    pub round: &'static str,
    pub date: &'static str,
    pub months: [&'static str; 12],
    pub summary: &'static str,
    pub strongest: &'static str,
    pub weakest: &'static str,
    pub failed_gates: &'static str,
    pub scored: &'static str,
    /// "{a} of {b}".
    pub of: &'static str,
    pub peers: &'static str,
    pub mean: &'static str,
    pub median: &'static str,
    pub range: &'static str,
    /// Peers under the same parent unit ("same {parent}").
    pub peers_in: &'static str,
    /// Peers over the whole level.
    pub peers_all: &'static str,
    pub peer_column: &'static str,
    pub legend: &'static str,
    pub index: &'static str,
    pub name: &'static str,
    pub method: &'static str,
    pub m_scores: &'static str,
    pub m_dimensions: &'static str,
    pub m_example: &'static str,
    pub m_statuses: &'static str,
    pub m_ok: &'static str,
    pub m_privacy_title: &'static str,
    pub m_privacy: &'static str,
    pub m_privacy_none: &'static str,
    pub m_benchmarks: &'static str,
    pub m_sources: &'static str,
    pub kinds: Kinds,
}

/// How each kind of normalisation turns a value into a score, in words.
pub struct Kinds {
    pub goalposts: &'static str,
    pub target: &'static str,
    pub minmax: &'static str,
    pub rank: &'static str,
    pub map: &'static str,
    pub boolean: &'static str,
}

pub const FR: T = T {
    report: "Rapport d'évaluation",
    version: "Version du référentiel",
    data: "Données",
    rows: ("ligne", "lignes"),
    rejected: ("écartée", "écartées"),
    diagnostics: "Diagnostics",
    errors: ("erreur", "erreurs"),
    warnings: ("avertissement", "avertissements"),
    none: "aucun",
    within: "dans",
    comparison: "Comparaison",
    profile: "Profil des dimensions",
    item: "Élément",
    value: "Valeur",
    interval: "Intervalle",
    score: "Note",
    rating: "Appréciation",
    coverage: "Couverture",
    status: "Statut",
    gates: "Conditions à remplir",
    passed: "remplie",
    failed: "non remplie",
    parts: "Notes des composantes",
    portrait: "Portrait",
    evidence: "Éléments qualitatifs",
    units_reported: "unités avec une valeur",
    cell: "Groupe",
    published_by: "Publié par",
    contents: "Sommaire",
    round: "Campagne",
    date: "Date du rapport",
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    summary: "En bref",
    strongest: "Dimension la plus forte",
    weakest: "Dimension la plus faible",
    failed_gates: "Conditions non remplies",
    scored: "Indicateurs notés",
    of: "{a} sur {b}",
    peers: "Repères",
    mean: "moyenne",
    median: "médiane",
    range: "de {a} à {b}",
    peers_in: "même {parent}",
    peers_all: "ensemble",
    peer_column: "Pairs : médiane (étendue)",
    legend: "Trait gris : étendue des pairs ; repère noir : leur médiane ; traits fins : seuils des appréciations.",
    index: "Rapports par unité",
    name: "Nom",
    method: "Méthode",
    m_scores: "Chaque indicateur reçoit une note de 0 à 100 selon sa règle :",
    m_dimensions: "La note d'une dimension combine les notes de ses composantes selon leur poids ; une composante sans objet ici est retirée et les poids des autres sont recalculés. Une condition à remplir non remplie ramène l'appréciation au premier échelon.",
    m_example: "Par exemple, « {label} » vaut {value} ici, ce qui donne la note {score} ({rule}).",
    m_statuses: "Ce que disent les statuts",
    m_ok: "Une valeur sans statut écrit a été calculée normalement ; sinon le statut dit pourquoi :",
    m_privacy_title: "Confidentialité",
    m_privacy: "Une valeur calculée sur moins de {min} réponses n'est pas affichée, ni aucune valeur qui permettrait de la retrouver par soustraction.",
    m_privacy_none: "Aucun seuil de confidentialité n'est fixé par ce référentiel.",
    m_benchmarks: "Les repères (moyenne, médiane, étendue) portent sur au moins {min} unités ayant une valeur, l'unité elle-même comprise, et ne comptent jamais une valeur masquée.",
    m_sources: "Sources des données",
    kinds: Kinds {
        goalposts: "bornes : la note croît en ligne droite de 0 à 100 entre deux valeurs fixées",
        target: "objectif : la note est la part de l'objectif atteinte",
        minmax: "étendue : l'unité la plus basse reçoit 0, la plus haute 100",
        rank: "rang : la note suit le rang de l'unité parmi les autres",
        map: "barème : chaque réponse vaut un nombre de points fixé",
        boolean: "oui ou non : oui vaut 100, non vaut 0 (l'inverse quand moins vaut mieux)",
    },
};

pub const NL: T = T {
    report: "Evaluatierapport",
    version: "Versie van het kader",
    data: "Gegevens",
    rows: ("rij", "rijen"),
    rejected: ("geweigerd", "geweigerd"),
    diagnostics: "Diagnostiek",
    errors: ("fout", "fouten"),
    warnings: ("waarschuwing", "waarschuwingen"),
    none: "geen",
    within: "in",
    comparison: "Vergelijking",
    profile: "Profiel van de dimensies",
    item: "Onderdeel",
    value: "Waarde",
    interval: "Interval",
    score: "Score",
    rating: "Beoordeling",
    coverage: "Dekking",
    status: "Status",
    gates: "Voorwaarden",
    passed: "voldaan",
    failed: "niet voldaan",
    parts: "Scores van de onderdelen",
    portrait: "Portret",
    evidence: "Kwalitatieve elementen",
    units_reported: "eenheden met een waarde",
    cell: "Groep",
    published_by: "Uitgegeven door",
    contents: "Inhoud",
    round: "Ronde",
    date: "Datum van het rapport",
    months: [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    summary: "Samenvatting",
    strongest: "Sterkste dimensie",
    weakest: "Zwakste dimensie",
    failed_gates: "Niet vervulde voorwaarden",
    scored: "Indicatoren met een score",
    of: "{a} van {b}",
    peers: "Referentiepunten",
    mean: "gemiddelde",
    median: "mediaan",
    range: "van {a} tot {b}",
    peers_in: "zelfde {parent}",
    peers_all: "geheel",
    peer_column: "Vergelijkbare eenheden: mediaan (spreiding)",
    legend: "Grijze lijn: spreiding van de vergelijkbare eenheden; zwart streepje: hun mediaan; dunne streepjes: grenzen van de beoordelingen.",
    index: "Rapporten per eenheid",
    name: "Naam",
    method: "Methode",
    m_scores: "Elke indicator krijgt een score van 0 tot 100 volgens zijn regel:",
    m_dimensions: "De score van een dimensie combineert de scores van haar onderdelen volgens hun gewicht; een onderdeel dat hier niet van toepassing is valt weg en de gewichten van de andere worden herberekend. Een niet vervulde voorwaarde brengt de beoordeling terug tot de eerste trap.",
    m_example: "Zo is « {label} » hier {value}, wat de score {score} geeft ({rule}).",
    m_statuses: "Wat de statussen betekenen",
    m_ok: "Een waarde zonder vermelde status is gewoon berekend; anders zegt de status waarom:",
    m_privacy_title: "Vertrouwelijkheid",
    m_privacy: "Een waarde berekend op minder dan {min} antwoorden wordt niet getoond, en evenmin een waarde waaruit ze door aftrekken terug te vinden is.",
    m_privacy_none: "Dit kader legt geen vertrouwelijkheidsdrempel vast.",
    m_benchmarks: "De referentiepunten (gemiddelde, mediaan, spreiding) gaan over minstens {min} eenheden met een waarde, de eenheid zelf inbegrepen, en tellen nooit een verborgen waarde mee.",
    m_sources: "Bronnen van de gegevens",
    kinds: Kinds {
        goalposts: "grenzen: de score stijgt lineair van 0 tot 100 tussen twee vaste waarden",
        target: "doel: de score is het bereikte deel van het doel",
        minmax: "spreiding: de laagste eenheid krijgt 0, de hoogste 100",
        rank: "rang: de score volgt de rang van de eenheid onder de andere",
        map: "puntenschaal: elk antwoord is een vast aantal punten waard",
        boolean: "ja of nee: ja is 100 waard, nee 0 (omgekeerd wanneer minder beter is)",
    },
};

pub const EN: T = T {
    report: "Evaluation report",
    version: "Framework version",
    data: "Data",
    rows: ("row", "rows"),
    rejected: ("rejected", "rejected"),
    diagnostics: "Diagnostics",
    errors: ("error", "errors"),
    warnings: ("warning", "warnings"),
    none: "none",
    within: "in",
    comparison: "Comparison",
    profile: "Dimension profile",
    item: "Item",
    value: "Value",
    interval: "Interval",
    score: "Score",
    rating: "Rating",
    coverage: "Coverage",
    status: "Status",
    gates: "Must-pass conditions",
    passed: "passed",
    failed: "failed",
    parts: "Scores of the parts",
    portrait: "Portrait",
    evidence: "Qualitative evidence",
    units_reported: "units with a value",
    cell: "Group",
    published_by: "Published by",
    contents: "Contents",
    round: "Round",
    date: "Report date",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    summary: "At a glance",
    strongest: "Strongest dimension",
    weakest: "Weakest dimension",
    failed_gates: "Failed conditions",
    scored: "Indicators scored",
    of: "{a} of {b}",
    peers: "Benchmarks",
    mean: "mean",
    median: "median",
    range: "{a} to {b}",
    peers_in: "same {parent}",
    peers_all: "overall",
    peer_column: "Peers: median (range)",
    legend: "Grey line: range of the peers; black mark: their median; thin marks: rating thresholds.",
    index: "Reports by unit",
    name: "Name",
    method: "Method",
    m_scores: "Each indicator gets a score from 0 to 100 by its rule:",
    m_dimensions: "A dimension's score combines the scores of its parts by their weights; a part that does not apply here is left out and the other weights are scaled up. A failed must-pass condition brings the rating down to the first step.",
    m_example: "For example, “{label}” is {value} here, which gives the score {score} ({rule}).",
    m_statuses: "What the statuses mean",
    m_ok: "A value with no status written was computed as usual; otherwise its status says why:",
    m_privacy_title: "Privacy",
    m_privacy: "A value computed from fewer than {min} answers is not shown, nor any value from which it could be worked out by subtraction.",
    m_privacy_none: "This framework sets no confidentiality threshold.",
    m_benchmarks: "Benchmarks (mean, median, range) are computed over at least {min} units with a value, the unit itself included, and never count a hidden value.",
    m_sources: "Data sources",
    kinds: Kinds {
        goalposts: "goalposts: the score rises in a straight line from 0 to 100 between two set values",
        target: "target: the score is the share of the target reached",
        minmax: "range: the lowest unit scores 0, the highest 100",
        rank: "rank: the score follows the unit's rank among the others",
        map: "points: each answer is worth a set number of points",
        boolean: "yes or no: yes scores 100, no 0 (the other way round when lower is better)",
    },
};

pub fn t(lang: &str) -> &'static T {
    match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    }
}

/// `n` and its word, singular or plural as `lang` agrees them: French
/// takes the singular for 0 and 1 ("0 erreur"), Dutch and English for 1.
pub fn plural(n: usize, (one, many): (&str, &str), lang: &str) -> String {
    let single = match lang {
        "fr" => n <= 1,
        _ => n == 1,
    };
    format!("{n} {}", if single { one } else { many })
}

/// The colon between a name and what follows: spaced in French.
pub fn colon(lang: &str) -> &'static str {
    if lang == "fr" { " : " } else { ": " }
}

/// A day (days since 1970-01-01) in words: "2 décembre 2026".
pub fn date(days: i64, lang: &str) -> String {
    let (y, m, d) = crate::data::column::civil_from_days(days as i32);
    let month = t(lang).months[(m as usize).clamp(1, 12) - 1];
    format!("{d} {month} {y}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_words_agree() {
        assert_eq!(plural(0, FR.errors, "fr"), "0 erreur");
        assert_eq!(plural(1, FR.errors, "fr"), "1 erreur");
        assert_eq!(plural(2, FR.errors, "fr"), "2 erreurs");
        assert_eq!(plural(0, NL.errors, "nl"), "0 fouten");
        assert_eq!(plural(1, NL.errors, "nl"), "1 fout");
        assert_eq!(plural(1, EN.rows, "en"), "1 row");
    }

    #[test]
    fn dates_in_words() {
        // 2026-12-02 is day 20 789 after 1970-01-01.
        assert_eq!(date(20_789, "fr"), "2 décembre 2026");
        assert_eq!(date(20_789, "nl"), "2 december 2026");
        assert_eq!(date(0, "en"), "1 January 1970");
    }
}
