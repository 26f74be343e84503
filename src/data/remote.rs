//! A dataset whose answers stay in a database (`eval --db`).
//!
//! In: per level, its units' keys in order with their parents' keys and
//! display names, and the data section the database counted. Out: a
//! [`Dataset`] holding the units alone (every answer column empty, no
//! table text), so that results computed in the database can be placed
//! unit by unit and every report written from them.

use super::link::empty_column;
use super::{Dataset, LevelUnits, TableReport};
use crate::ir::{Framework, LevelId};
use indexmap::IndexMap;
use std::sync::Arc;

/// One level's units as a database listed them.
#[derive(Debug, Clone, Default)]
pub struct UnitList {
    pub ids: Vec<String>,
    /// Each unit's parent's key (none at the top, or when unknown).
    pub parents: Vec<Option<String>>,
    pub names: Vec<Option<String>>,
}

/// The units of every level, linked to their parents.
pub fn units_only(
    fw: &Framework,
    lists: Vec<UnitList>,
    reports: IndexMap<String, TableReport>,
) -> Dataset {
    let mut levels: crate::ir::List<LevelId, LevelUnits> =
        crate::ir::List::with_capacity(lists.len());
    for (l, list) in fw.levels.keys().zip(lists) {
        let ids: crate::data::link::Ids = list.ids.iter().map(String::as_str).collect();
        let index = ids
            .iter()
            .enumerate()
            .map(|(u, id)| (Arc::from(id), u as u32))
            .collect();
        let parent = match fw.levels[l].parent.and_then(|p| levels.get(p)) {
            Some(up) => list
                .parents
                .iter()
                .map(|p| {
                    p.as_deref()
                        .and_then(|k| up.index.get(k).copied())
                        .unwrap_or(u32::MAX)
                })
                .collect(),
            None => vec![u32::MAX; ids.len()],
        };
        levels.push(LevelUnits {
            ids,
            index,
            parent,
            table: None,
            lines: Vec::new(),
            offsets: Vec::new(),
            names: list.names.into_iter().map(|n| n.map(Into::into)).collect(),
        });
    }
    let columns = fw
        .questions
        .iter()
        .map(|q| std::sync::Arc::new(empty_column(&q.ty, levels[q.level].ids.len())))
        .collect();
    Dataset {
        levels,
        columns,
        tables: Vec::new(),
        fields: vec![None; fw.questions.len()].into(),
        reports,
        fatal: false,
    }
}
