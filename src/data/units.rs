//! Units found in rows: a row's parent, units of levels without a table
//! (created from the parent columns of finer rows), and repeated keys.
//!
//! In: one row being linked, or the units of a finest level once its
//! table is read. Out: the parent's index, a new unit, or the rows left
//! out with their diagnostics.

use super::DataError;
use super::link::{Builder, Here, Rejected, RowAt, RowFields};
use crate::diagnostic::Diag;
use crate::ir::LevelId;

impl Builder<'_> {
    /// The parent unit of a row's unit: found in the parent's table, or
    /// created when the parent level has none. `None` (with a diagnostic)
    /// when the row names no known parent.
    pub(super) fn parent_of(
        &mut self,
        here: &Here<'_>,
        (rec, ahead): (&RowFields<'_>, Option<u32>),
        at: &RowAt,
        rejected: &mut Vec<Rejected>,
    ) -> Option<u32> {
        // Found ahead of the loop, on every core (`Builder::parents_ahead`).
        if let Some(i) = ahead.filter(|&i| i != u32::MAX) {
            return Some(i);
        }
        let fw = self.fw;
        let line = at.line;
        let span_of = |field: usize| here.span(at.offset, field);
        let headers = here.headers;
        let pc = here.shape.parent?;
        let pkey = rec.get(pc);
        let p = here.t.level - 1;
        let plevel = &fw.levels[p];
        if self.levels[p].table.is_some() {
            match self.levels[p].index.get(pkey) {
                Some(&i) => Some(i),
                None => {
                    rejected.push(Rejected {
                        row: line,
                        reason: format!("unknown {} `{pkey}`", plevel.id),
                    });
                    let help = if self.levels[p].len() <= 10_000 {
                        crate::suggest::closest(pkey, self.levels[p].ids.iter())
                            .map(|s| format!("did you mean `{s}`? The row is left out"))
                    } else {
                        None
                    };
                    self.diags.push(
                        Diag::error(
                            DataError::UnknownParent {
                                level: plevel.id.clone(),
                                key: pkey.to_string(),
                            },
                            span_of(pc),
                            format!("no such {}", plevel.id),
                        )
                        .help(help.unwrap_or_else(|| {
                            format!(
                                "add it to the {} table, or correct this cell; the row is left out",
                                plevel.id
                            )
                        }))
                        .cell(line, headers.get(pc).map(String::as_str)),
                    );
                    None
                }
            }
        } else {
            if pkey.is_empty() {
                rejected.push(Rejected {
                    row: line,
                    reason: format!("no {}", plevel.id),
                });
                self.diags.push(
                    Diag::error(
                        DataError::UnknownParent {
                            level: plevel.id.clone(),
                            key: String::new(),
                        },
                        span_of(pc),
                        "empty",
                    )
                    .cell(line, headers.get(pc).map(String::as_str)),
                );
                return None;
            }
            Some(self.discover(here, p, pkey, rec, at))
        }
    }

    pub(super) fn duplicate(
        &mut self,
        here: &Here<'_>,
        at: &RowAt,
        key: &str,
        first_line: u32,
        rejected: &mut Vec<Rejected>,
    ) {
        let (line, key_col) = (at.line, here.shape.key);
        let level = &self.fw.levels[here.t.level].id;
        rejected.push(Rejected {
            row: line,
            reason: format!("duplicate {level} `{key}` (first on row {first_line})"),
        });
        self.diags.push(
            Diag::error(
                DataError::DuplicateKey {
                    level: level.clone(),
                    key: key.to_string(),
                },
                here.span(at.offset, key_col.unwrap_or(0)),
                "seen before",
            )
            .help(format!(
                "the first row with this key (row {first_line}) is used; this one is left out"
            ))
            .cell(line, here.column(key_col)),
        );
    }

    /// Finds repeated keys of the finest level by sorting their hashes (a
    /// table of a million keys would cost more); later repeats are
    /// rejected. `rows[u]` is the row index of unit `u` in `keep`.
    pub(super) fn finest_duplicates(
        &mut self,
        here: &Here<'_>,
        rows: &[usize],
        keep: &mut [bool],
        rejected: &mut Vec<Rejected>,
    ) {
        let t = here.t;
        use std::hash::BuildHasher;
        let hasher = rustc_hash::FxBuildHasher;
        let lu = &self.levels[t.level];
        let mut order: Vec<(u64, u32)> = lu
            .ids
            .iter()
            .enumerate()
            .map(|(i, k)| (hasher.hash_one(k), i as u32))
            .collect();
        order.sort_unstable();
        let mut dup = vec![false; lu.ids.len()];
        let mut firsts: Vec<(u32, u32)> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let mut j = i + 1;
            while j < order.len() && order[j].0 == order[i].0 {
                j += 1;
            }
            for a in i + 1..j {
                let ua = order[a].1;
                if let Some(&(_, first)) = order[i..a].iter().find(|(_, ub)| {
                    !dup[*ub as usize] && lu.ids[*ub as usize] == lu.ids[ua as usize]
                }) {
                    dup[ua as usize] = true;
                    firsts.push((ua, first));
                }
            }
            i = j;
        }
        if firsts.is_empty() {
            return;
        }
        firsts.sort_unstable();
        for (u, first) in firsts {
            let lu = &self.levels[t.level];
            let (line, offset, key, first_line) = (
                lu.lines[u as usize] as usize,
                lu.offsets[u as usize] as usize,
                lu.ids[u as usize].to_string(),
                lu.lines[first as usize],
            );
            self.duplicate(here, &RowAt { line, offset }, &key, first_line, rejected);
            keep[rows[u as usize]] = false;
        }
        let lu = &mut self.levels[t.level];
        let kept: Vec<bool> = dup.iter().map(|d| !d).collect();
        lu.ids.retain_flags(&kept);
        for v in [&mut lu.parent, &mut lu.lines, &mut lu.offsets] {
            retain_kept(v, &kept);
        }
        // Names follow their units (the list may be shorter than the units).
        retain_kept(&mut lu.names, &kept);
        rejected.sort_by_key(|r| r.row);
    }

    /// Finds or creates a unit of table-less level `p` named in a finer row.
    fn discover(
        &mut self,
        here: &Here<'_>,
        p: LevelId,
        key: &str,
        rec: &RowFields<'_>,
        at: &RowAt,
    ) -> u32 {
        let fw = self.fw;
        let t = here.t;
        let ancestor_cols = &here.shape.ancestors;
        let grand = if p == LevelId::TOP {
            u32::MAX
        } else {
            match ancestor_cols[p] {
                Some(c) => {
                    let gkey = rec.get(c);
                    if self.levels[p - 1].table.is_some() {
                        self.levels[p - 1]
                            .index
                            .get(gkey)
                            .copied()
                            .unwrap_or(u32::MAX)
                    } else if gkey.is_empty() {
                        u32::MAX
                    } else {
                        self.discover(here, p - 1, gkey, rec, at)
                    }
                }
                None => u32::MAX,
            }
        };
        if let Some(&i) = self.levels[p].index.get(key) {
            let known = self.levels[p].parent[i as usize];
            if grand != u32::MAX && known != u32::MAX && known != grand {
                let gl = &fw.levels[p - 1];
                let c = ancestor_cols[p].unwrap_or(0);
                self.diags.push(
                    Diag::warning(
                        DataError::ConflictingParent {
                            level: fw.levels[p].id.clone(),
                            key: key.to_string(),
                            parent: gl.id.clone(),
                            first: self.levels[p - 1].ids[known as usize].to_string(),
                            second: self.levels[p - 1].ids[grand as usize].to_string(),
                        },
                        here.span(at.offset, c),
                        "differs from an earlier row",
                    )
                    .help("the first one is kept")
                    .cell(at.line, None),
                );
            }
            return i;
        }
        if p > LevelId::TOP
            && grand == u32::MAX
            && ancestor_cols[p].is_none()
            && self.levels[p].is_empty()
        {
            let col = fw.levels[p].parent_column.clone().unwrap_or_default();
            self.missing_column(
                t,
                &col,
                format!(
                    "{} has no table, so its {} is read here",
                    fw.levels[p].id,
                    fw.levels[p - 1].id
                ),
            );
        }
        let lu = &mut self.levels[p];
        let idx = lu.ids.len() as u32;
        lu.index.insert(key.into(), idx);
        lu.ids.push(key);
        lu.parent.push(grand);
        idx
    }
}

/// Keeps the items of `v` whose flag in `kept` is set (items past the end
/// of `kept` stay).
fn retain_kept<T>(v: &mut Vec<T>, kept: &[bool]) {
    let mut flags = kept.iter();
    v.retain(|_| flags.next().copied().unwrap_or(true));
}
