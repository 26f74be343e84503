//! Evidence: the testimonies and other texts kept beside the figures.
//!
//! In: an evidence item. Out: per unit of its level, the texts of the rows
//! that pass its filter (at most `keep`), or nothing where fewer rows than
//! `min_group` pass the filter (quotes from a small group would point at
//! the people who wrote them, whatever the unit's size).

use super::Evaluator;
use super::expr::{Scope, bools};
use crate::data::Column;
use crate::data::column::format_date;
use crate::ir::{self, Framework};

impl Evaluator<'_> {
    /// The texts of evidence `e` per unit of its level (`None` where fewer
    /// of the unit's rows than `min_group` pass the filter).
    pub(super) fn evidence(&mut self, e: ir::EvidenceId) -> Vec<Option<Vec<String>>> {
        let fw = self.fw;
        let ev = &fw.evidence[e];
        let at = ev.at;
        let n = self.n_units(at);
        let cl = self.plan.evidence_level[e];
        let col = self.eval(&ev.collect, cl, &mut Scope::default());
        let pass: Vec<bool> = match &ev.filter {
            Some(f) => bools(&self.eval(f, cl, &mut Scope::default()))
                .iter()
                .map(|&b| b == 1)
                .collect(),
            None => vec![true; col.len()],
        };
        let up = self.anc(cl, at);
        let mut out: Vec<Vec<String>> = vec![Vec::new(); n];
        let mut rows = vec![0u32; n];
        for r in 0..col.len() {
            let g = up[r];
            if g == u32::MAX {
                continue;
            }
            if !pass[r] {
                continue;
            }
            rows[g as usize] += 1;
            if !col.present(r) {
                continue;
            }
            let list = &mut out[g as usize];
            if ev.keep.is_some_and(|k| list.len() >= k) {
                continue;
            }
            list.push(text_of(fw, &ev.collect, &col, r));
        }
        out.into_iter()
            .zip(rows)
            .map(|(v, r)| {
                if fw.min_group > 1 && r < fw.min_group {
                    None
                } else {
                    Some(v)
                }
            })
            .collect()
    }
}

/// A value as text, for evidence.
fn text_of(fw: &Framework, e: &ir::Expr, col: &Column, r: usize) -> String {
    match col {
        Column::Text(v) => v[r].as_deref().unwrap_or("").to_string(),
        Column::Num(v) => crate::text::number(v[r]),
        Column::Bool(v) => (v[r] == 1).to_string(),
        Column::Date(v) => format_date(v[r]),
        Column::Opt(v) => match e.ty {
            ir::Type::Option(q) => fw.questions[q].ty.options()[v[r] as usize].code.clone(),
            _ => v[r].to_string(),
        },
        Column::Set(v) => match e.ty {
            ir::Type::Set(q) => fw.questions[q]
                .ty
                .options()
                .iter()
                .enumerate()
                .filter(|(i, _)| v[r] & (1 << i) != 0)
                .map(|(_, o)| o.code.clone())
                .collect::<Vec<_>>()
                .join(" "),
            _ => String::new(),
        },
    }
}
