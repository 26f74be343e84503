//! `grille template`: the empty tables data collection must fill.
//!
//! In: a checked framework and a language. Out: for each level with
//! questions, a CSV file holding only its header row (key, parent, then one
//! column per question, a section's questions together), and a guide in
//! `lang` describing every column: its type, options, range, whether it is
//! required, to whom it is asked, and its label.

use crate::ir::{Framework, LevelId, QType};

/// One file to write: its name and its text.
pub struct TemplateFile {
    pub name: String,
    pub text: String,
}

/// The guide's words in one language.
struct W {
    intro: &'static str,
    and_so: &'static str,
    dont_know: &'static str,
    head: &'static str,
    id: &'static str,
    parent_id: &'static str,
    yes: &'static str,
    no: &'static str,
    number: &'static str,
    share: &'static str,
    share_100: &'static str,
    whole: &'static str,
    to: &'static str,
    yesno: &'static str,
    one_of: &'static str,
    any_of: &'static str,
    spaces: &'static str,
    date: &'static str,
    text: &'static str,
    from: &'static str,
    in_unit: &'static str,
    asked: &'static str,
    otherwise: &'static str,
}

const FR: W = W {
    intro: "Un fichier CSV par niveau ; une ligne par unité. Une cellule vide est une réponse manquante",
    and_so: ", de même que",
    dont_know: "signifie « ne sait pas »",
    head: "| colonne | type | obligatoire | libellé |",
    id: "identifiant de l'unité",
    parent_id: "identifiant de son niveau",
    yes: "oui",
    no: "non",
    number: "nombre",
    share: "pourcentage : `45%` ou `0,45`",
    share_100: "pourcentage : `45%` ou `45`",
    whole: "nombre entier de",
    to: "à",
    yesno: "oui/non : `oui`/`non`, `yes`/`no`, `ja`/`nee`, `1`/`0`",
    one_of: "une valeur parmi",
    any_of: "une ou plusieurs valeurs parmi",
    spaces: "séparées par des espaces",
    date: "date `AAAA-MM-JJ`",
    text: "texte libre",
    from: "de",
    in_unit: "en",
    asked: "posée seulement si",
    otherwise: "laisser vide sinon",
};

const NL: W = W {
    intro: "Eén CSV-bestand per niveau; één rij per eenheid. Een lege cel is een ontbrekend antwoord",
    and_so: ", net als",
    dont_know: "betekent \"weet niet\"",
    head: "| kolom | type | verplicht | label |",
    id: "identificatie van de eenheid",
    parent_id: "identificatie van het niveau",
    yes: "ja",
    no: "nee",
    number: "getal",
    share: "percentage: `45%` of `0,45`",
    share_100: "percentage: `45%` of `45`",
    whole: "geheel getal van",
    to: "tot",
    yesno: "ja/nee: `ja`/`nee`, `oui`/`non`, `yes`/`no`, `1`/`0`",
    one_of: "één van",
    any_of: "een of meer van",
    spaces: "gescheiden door spaties",
    date: "datum `JJJJ-MM-DD`",
    text: "vrije tekst",
    from: "van",
    in_unit: "in",
    asked: "alleen gesteld als",
    otherwise: "anders leeg laten",
};

const EN: W = W {
    intro: "One CSV file per level; fill one row per unit. Blank cells are missing answers",
    and_so: ", and so are",
    dont_know: "means \"don't know\"",
    head: "| column | type | required | label |",
    id: "identifier of the unit",
    parent_id: "identifier of its",
    yes: "yes",
    no: "no",
    number: "number",
    share: "percentage: `45%` or `0.45`",
    share_100: "percentage: `45%` or `45`",
    whole: "whole number from",
    to: "to",
    yesno: "yes/no: `oui`/`non`, `yes`/`no`, `ja`/`nee`, `1`/`0`",
    one_of: "one of",
    any_of: "any of",
    spaces: "separated by spaces",
    date: "date `YYYY-MM-DD`",
    text: "free text",
    from: "from",
    in_unit: "in",
    asked: "asked only when",
    otherwise: "leave empty otherwise",
};

fn words(lang: &str) -> &'static W {
    match lang {
        "fr" => &FR,
        "nl" => &NL,
        _ => &EN,
    }
}

/// The header row of a level's table.
pub fn headers(fw: &Framework, l: LevelId) -> Vec<String> {
    let level = &fw.levels[l];
    let mut h = vec![level.key.clone()];
    if let Some(p) = &level.parent_column {
        h.push(p.clone());
    }
    h.extend(
        fw.questions_in_order(l)
            .into_iter()
            .map(|q| fw.questions[q].column.clone()),
    );
    h
}

fn kind(fw: &Framework, ty: &QType, lang: &str) -> String {
    let opts = |o: &[crate::ir::OptionDef]| {
        o.iter()
            .map(|x| match x.label.get(lang, fw.default_lang()) {
                Some(l) => format!("`{}` ({l})", x.code),
                None => format!("`{}`", x.code),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let w = words(lang);
    match ty {
        QType::Number => w.number.into(),
        QType::Percent { of_100: false } => w.share.into(),
        QType::Percent { of_100: true } => w.share_100.into(),
        QType::Scale { lo, hi, points } if points.is_empty() => {
            format!("{} {lo} {} {hi}", w.whole, w.to)
        }
        QType::Scale { lo, hi, points } => {
            let colon = if lang == "fr" { " :" } else { ":" };
            format!("{} {lo} {} {hi}{colon} {}", w.whole, w.to, opts(points))
        }
        QType::YesNo => w.yesno.into(),
        QType::Choice(o) => format!("{} {}", w.one_of, opts(o)),
        QType::Multi(o) => format!("{} {}, {}", w.any_of, opts(o), w.spaces),
        QType::Date => w.date.into(),
        QType::Text => w.text.into(),
    }
}

/// The template files of a framework, in `lang`.
pub fn files(fw: &Framework, lang: &str) -> Vec<TemplateFile> {
    let d = fw.default_lang();
    let mut out = Vec::new();
    let w = words(lang);
    let mut guide = format!("# {}\n\n", fw.title.get(lang, d).unwrap_or(&fw.id));
    guide.push_str(w.intro);
    if !fw.missing.iter().all(String::is_empty) {
        let tokens: Vec<String> = fw
            .missing
            .iter()
            .filter(|m| !m.is_empty())
            .map(|m| format!("`{m}`"))
            .collect();
        guide.push_str(&format!("{} {}", w.and_so, tokens.join(", ")));
    }
    if !fw.dont_know.is_empty() {
        let tokens: Vec<String> = fw.dont_know.iter().map(|m| format!("`{m}`")).collect();
        guide.push_str(&format!("; {} {}", tokens.join(", "), w.dont_know));
    }
    guide.push_str(".\n");
    for (l, level) in fw.levels.iter_enumerated() {
        if !fw.questions.iter().any(|q| q.level == l) {
            continue;
        }
        let name = format!("{}.csv", level.id);
        let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
        writer
            .write_record(headers(fw, l))
            .expect("writing to memory");
        let bytes = writer.into_inner().expect("writing to memory");
        let text = String::from_utf8(bytes).expect("UTF-8");
        guide.push_str(&format!(
            "\n## {name} — {}\n\n",
            level.label.get(lang, d).unwrap_or(&level.id)
        ));
        guide.push_str(&format!("{}\n|---|---|---|---|\n", w.head));
        let finest = fw.is_finest(l);
        guide.push_str(&format!(
            "| `{}` | {} | {} | |\n",
            level.key,
            w.id,
            if finest { w.no } else { w.yes }
        ));
        if let (Some(p), Some(pl)) = (&level.parent_column, level.parent) {
            guide.push_str(&format!(
                "| `{p}` | {} {} | {} | |\n",
                w.parent_id,
                fw.levels[pl]
                    .label
                    .get(lang, d)
                    .unwrap_or(&fw.levels[pl].id),
                w.yes
            ));
        }
        let mut section = None;
        for q in fw
            .questions_in_order(l)
            .into_iter()
            .map(|q| &fw.questions[q])
        {
            if q.section != section {
                section = q.section;
                if let Some(sec) = section.map(|x| &fw.sections[x]) {
                    let title = sec.label.get(lang, d).unwrap_or(&sec.id);
                    guide.push_str(&format!("| **{}** | | | |\n", title.replace('|', "\\|")));
                }
            }
            let mut k = kind(fw, &q.ty, lang);
            if let Some(w) = &q.when {
                k.push_str(&format!(
                    "; {} {} ({})",
                    words(lang).asked,
                    super::words::expr(fw, w, lang).replace('|', "\\|"),
                    words(lang).otherwise
                ));
            }
            if let Some((lo, hi)) = q.range {
                k.push_str(&format!(
                    ", {} {} {} {}",
                    w.from,
                    crate::text::number(lo),
                    w.to,
                    crate::text::number(hi)
                ));
            }
            if let Some(u) = &q.unit {
                k.push_str(&format!(", {} {u}", w.in_unit));
            }
            let label = q.label.get(lang, d).unwrap_or("").replace('|', "\\|");
            guide.push_str(&format!(
                "| `{}` | {k} | {} | {label} |\n",
                q.column,
                if q.required { w.yes } else { w.no }
            ));
        }
        out.push(TemplateFile { name, text });
    }
    out.push(TemplateFile {
        name: "README.md".into(),
        text: guide,
    });
    out
}
