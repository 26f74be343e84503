//! Rounds and change: `grille compare`.
//!
//! In: two or more `grille/result@1` documents (rounds), in order. Out: a
//! [`Compare`]: for each consecutive pair of rounds (and the first with
//! the last, from three rounds), each unit and item present in both, the
//! values before and after, the change with its 95 % interval, and a
//! direction; units and items found in one round only; counts per item.
//! Nothing is computed from a suppressed value. Rendering is in `render`
//! (JSON, CSV, terminal) and `report` (Markdown, HTML).

mod change;
pub mod render;
pub mod report;

pub use change::{Direction, interval};

use indexmap::IndexMap;
use serde_json::Value;

/// Problems reading rounds.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CompareError {
    #[error("cannot read `{file}`: {reason}")]
    Unreadable { file: String, reason: String },
    #[error("`{file}` is not a grille result (grille/result@1): {what}")]
    NotAResult { file: String, what: String },
    #[error("the rounds have nothing in common: {0}")]
    NothingInCommon(String),
}

/// One round: a result read from a file.
#[derive(Debug, Clone)]
pub struct Round {
    pub label: String,
    pub file: String,
    pub sha256: String,
    pub doc: Value,
}

impl Round {
    /// Reads a round from its file's bytes.
    ///
    /// # Errors
    /// Bytes that are not JSON, or JSON that is not a `grille/result@1` result.
    pub fn read(file: &str, bytes: &[u8]) -> Result<Round, CompareError> {
        use sha2::Digest;
        let not = |what: String| CompareError::NotAResult {
            file: file.to_string(),
            what,
        };
        let doc: Value =
            serde_json::from_slice(bytes).map_err(|e| not(format!("it is not JSON ({e})")))?;
        match doc.get("schema").and_then(Value::as_str) {
            Some("grille/result@1") => {}
            Some(other) => return Err(not(format!("its schema is `{other}`"))),
            None if doc.is_object() => {
                return Err(not(
                    "a JSON object without `\"schema\": \"grille/result@1\"`".into(),
                ));
            }
            None => return Err(not("JSON, but not an object".into())),
        }
        if !doc["results"].is_object() {
            return Err(not("it has no `results`".into()));
        }
        let label = match doc.get("round").and_then(Value::as_str) {
            Some(r) => r.to_string(),
            None => std::path::Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.to_string()),
        };
        let sha = sha2::Sha256::digest(bytes);
        let sha256 = sha.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Round {
            label,
            file: file.to_string(),
            sha256,
            doc,
        })
    }

    /// Its levels with results, coarsest first.
    fn levels(&self) -> Vec<String> {
        let results = &self.doc["results"];
        let listed: Vec<String> = self.doc["levels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str().map(str::to_string))
            .filter(|l| results.get(l).is_some())
            .collect();
        listed
    }

    fn units(&self, level: &str) -> Vec<&Value> {
        self.doc["results"][level]
            .as_array()
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The item's fingerprint, if the result has one.
    fn definition(&self, kind: Kind, id: &str) -> Option<&str> {
        self.doc["definitions"][kind.plural()][id].as_str()
    }

    /// The items of one kind, in the result's order: from `definitions`,
    /// else from the units' results.
    fn items(&self, kind: Kind) -> Vec<String> {
        if let Some(m) = self.doc["definitions"][kind.plural()].as_object() {
            return m.keys().cloned().collect();
        }
        let mut out: Vec<String> = Vec::new();
        for l in self.levels() {
            for u in self.units(&l) {
                for k in u[kind.plural()]
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.keys())
                {
                    if !out.contains(k) {
                        out.push(k.clone());
                    }
                }
            }
        }
        out
    }

    /// `better lower` for an indicator (from the result's `items`).
    pub fn lower_is_better(&self, id: &str) -> bool {
        self.doc["items"]["indicators"][id]["better"] == "lower"
    }

    /// What the result calls an item, else its id.
    pub fn label<'a>(&'a self, kind: Kind, id: &'a str) -> &'a str {
        self.doc["items"][kind.plural()][id]["label"]
            .as_str()
            .unwrap_or(id)
    }

    /// The unit of an indicator's value (`%`, `ETP`).
    pub fn unit_of(&self, id: &str) -> Option<&str> {
        self.doc["items"]["indicators"][id]["unit"].as_str()
    }
}

/// An indicator or a dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Indicator,
    Dimension,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Indicator => "indicator",
            Kind::Dimension => "dimension",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Indicator => "indicators",
            Kind::Dimension => "dimensions",
        }
    }
}

/// One item at one unit across two rounds.
#[derive(Debug, Clone)]
pub struct Change {
    /// What each round's result gives (value, score, n, ci, status).
    pub before: Value,
    pub after: Value,
    pub delta: Option<f64>,
    pub score_delta: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub direction: Direction,
    pub definition_changed: bool,
}

/// One unit's changes.
#[derive(Debug, Clone)]
pub struct UnitChange {
    pub unit: String,
    /// The unit's display name in the later round, if it has one.
    pub name: Option<String>,
    pub parent: Option<String>,
    pub indicators: IndexMap<String, Change>,
    pub dimensions: IndexMap<String, Change>,
}

/// Two rounds compared.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Indices into [`Compare::rounds`].
    pub before: usize,
    pub after: usize,
    /// Per level, coarsest first: units in the later round's order.
    pub results: IndexMap<String, Vec<UnitChange>>,
    pub units_added: IndexMap<String, Vec<String>>,
    pub units_dropped: IndexMap<String, Vec<String>>,
    pub items_added: Vec<(Kind, String)>,
    pub items_dropped: Vec<(Kind, String)>,
    /// Per level and item: how many units moved each way.
    pub summary: IndexMap<String, IndexMap<String, [u32; 6]>>,
}

/// Every comparison of a run.
#[derive(Debug, Clone)]
pub struct Compare {
    pub rounds: Vec<Round>,
    pub comparisons: Vec<Comparison>,
}

/// What to compare and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Compare items whose definition changed.
    pub allow_changed: bool,
    /// Only this level.
    pub level: Option<String>,
}

/// Compares the rounds in order: each with the next, and the first with
/// the last from three rounds on.
///
/// # Errors
/// No level, unit or item common to a pair of rounds.
pub fn compare(rounds: Vec<Round>, opts: &Options) -> Result<Compare, CompareError> {
    let n = rounds.len();
    let mut pairs: Vec<(usize, usize)> = (1..n).map(|k| (k - 1, k)).collect();
    if n >= 3 {
        pairs.push((0, n - 1));
    }
    let mut comparisons = Vec::new();
    for (b, a) in pairs {
        comparisons.push(pair(&rounds, b, a, opts)?);
    }
    Ok(Compare {
        rounds,
        comparisons,
    })
}

fn pair(rounds: &[Round], b: usize, a: usize, opts: &Options) -> Result<Comparison, CompareError> {
    let (rb, ra) = (&rounds[b], &rounds[a]);
    let before_levels = rb.levels();
    let levels: Vec<String> = ra
        .levels()
        .into_iter()
        .filter(|l| before_levels.contains(l))
        .filter(|l| opts.level.as_ref().is_none_or(|x| x == l))
        .collect();
    let names = |r: &Round| format!("`{}` ({})", r.label, r.file);
    if levels.is_empty() {
        return Err(CompareError::NothingInCommon(format!(
            "no level has results in both {} and {}",
            names(rb),
            names(ra)
        )));
    }
    let (items, items_added, items_dropped) = match_items(rb, ra);
    let mut c = Comparison {
        before: b,
        after: a,
        results: IndexMap::new(),
        units_added: IndexMap::new(),
        units_dropped: IndexMap::new(),
        items_added,
        items_dropped,
        summary: IndexMap::new(),
    };
    let mut common_units = 0;
    for level in &levels {
        let (units, summary, added, dropped) = level_changes(rb, ra, level, &items, opts);
        common_units += units.len();
        if !added.is_empty() {
            c.units_added.insert(level.clone(), added);
        }
        if !dropped.is_empty() {
            c.units_dropped.insert(level.clone(), dropped);
        }
        c.summary.insert(level.clone(), summary);
        c.results.insert(level.clone(), units);
    }
    if common_units == 0 || items.is_empty() {
        let what = if common_units == 0 { "unit" } else { "item" };
        return Err(CompareError::NothingInCommon(format!(
            "no {what} is in both {} and {}",
            names(rb),
            names(ra)
        )));
    }
    Ok(c)
}

/// Items in both rounds, in the later one only, in the earlier one only.
type Matched = (
    Vec<(Kind, String)>,
    Vec<(Kind, String)>,
    Vec<(Kind, String)>,
);

fn match_items(rb: &Round, ra: &Round) -> Matched {
    let mut items: Vec<(Kind, String)> = Vec::new();
    let mut items_added = Vec::new();
    let mut items_dropped = Vec::new();
    for kind in [Kind::Indicator, Kind::Dimension] {
        let (ib, ia) = (rb.items(kind), ra.items(kind));
        for id in &ia {
            match ib.contains(id) {
                true => items.push((kind, id.clone())),
                false => items_added.push((kind, id.clone())),
            }
        }
        items_dropped.extend(
            ib.into_iter()
                .filter(|id| !ia.contains(id))
                .map(|id| (kind, id)),
        );
    }
    (items, items_added, items_dropped)
}

/// One level's units in both rounds, counts per item, units added, dropped.
type LevelChanges = (
    Vec<UnitChange>,
    IndexMap<String, [u32; 6]>,
    Vec<String>,
    Vec<String>,
);

/// One level's changes: the units in both rounds, the counts per item,
/// and the units found in one round only.
fn level_changes(
    rb: &Round,
    ra: &Round,
    level: &str,
    items: &[(Kind, String)],
    opts: &Options,
) -> LevelChanges {
    let ub: IndexMap<&str, &Value> = rb
        .units(level)
        .into_iter()
        .filter_map(|u| Some((u["unit"].as_str()?, u)))
        .collect();
    let ua = ra.units(level);
    let ids_a: Vec<&str> = ua.iter().filter_map(|u| u["unit"].as_str()).collect();
    let added: Vec<String> = ids_a
        .iter()
        .filter(|id| !ub.contains_key(*id))
        .map(|s| s.to_string())
        .collect();
    let dropped: Vec<String> = ub
        .keys()
        .filter(|id| !ids_a.contains(id))
        .map(|s| s.to_string())
        .collect();
    let mut units = Vec::new();
    let mut summary: IndexMap<String, [u32; 6]> = IndexMap::new();
    for u in ua {
        let Some(id) = u["unit"].as_str() else {
            continue;
        };
        let Some(before) = ub.get(id) else { continue };
        let uc = unit_change(rb, ra, before, u, items, opts);
        for (id, ch) in uc.indicators.iter().chain(uc.dimensions.iter()) {
            summary.entry(id.clone()).or_insert([0; 6])[ch.direction as usize] += 1;
        }
        units.push(uc);
    }
    (units, summary, added, dropped)
}

fn unit_change(
    rb: &Round,
    ra: &Round,
    before: &Value,
    after: &Value,
    items: &[(Kind, String)],
    opts: &Options,
) -> UnitChange {
    let mut uc = UnitChange {
        unit: after["unit"].as_str().unwrap_or_default().to_string(),
        name: after["name"].as_str().map(str::to_string),
        parent: after["parent"].as_str().map(str::to_string),
        indicators: IndexMap::new(),
        dimensions: IndexMap::new(),
    };
    for (kind, id) in items {
        let (Some(x), Some(y)) = (before[kind.plural()].get(id), after[kind.plural()].get(id))
        else {
            continue;
        };
        let changed = rb.definition(*kind, id) != ra.definition(*kind, id);
        let lower = *kind == Kind::Indicator && ra.lower_is_better(id);
        let ch = change::of(x, y, *kind, lower, changed, opts.allow_changed);
        match kind {
            Kind::Indicator => uc.indicators.insert(id.clone(), ch),
            Kind::Dimension => uc.dimensions.insert(id.clone(), ch),
        };
    }
    uc
}

#[cfg(test)]
mod tests {
    use super::Round;

    #[test]
    fn a_round_without_a_label_is_named_after_its_file() {
        let doc = br#"{"schema": "grille/result@1", "results": {}}"#;
        assert_eq!(Round::read("out/r2019.json", doc).unwrap().label, "r2019");
        let labelled = br#"{"schema": "grille/result@1", "round": "2019", "results": {}}"#;
        assert_eq!(Round::read("x.json", labelled).unwrap().label, "2019");
        assert!(Round::read("x.json", br#"{"schema": "grille/result@1"}"#).is_err());
    }
}
