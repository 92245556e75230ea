//! What-if: run the year again with parameters changed and show the difference to the baseline.

use crate::EngineError;
use crate::params::Override;
use crate::run::{AwardLine, Request, Run, evaluate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The change of one total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// What is totalled: a rule, a department, a county, a fund.
    pub key: String,
    /// The baseline, in fen.
    pub baseline: i64,
    /// With the overrides, in fen.
    pub variant: i64,
    /// variant − baseline.
    pub change: i64,
}

/// A what-if result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// The overrides applied.
    pub overrides: Vec<Override>,
    /// The run as the packs say.
    pub baseline: Run,
    /// The run with the overrides.
    pub variant: Run,
    /// Totals by rule (`pack/rule`).
    pub by_rule: Vec<Diff>,
    /// Totals by department; a line with several departments counts under each.
    pub by_department: Vec<Diff>,
    /// Totals by county.
    pub by_county: Vec<Diff>,
    /// Totals by fund.
    pub by_fund: Vec<Diff>,
}

/// Runs the baseline (the request as given) and the variant (with `overrides` added).
pub fn what_if(req: &Request<'_>, overrides: &[Override]) -> Result<WhatIf, EngineError> {
    let baseline = evaluate(req)?;
    let mut all = req.overrides.to_vec();
    all.extend_from_slice(overrides);
    let variant = evaluate(&Request {
        overrides: &all,
        ..*req
    })?;
    let by = |key: &dyn Fn(&AwardLine) -> Vec<String>| diff(&baseline, &variant, key);
    Ok(WhatIf {
        overrides: overrides.to_vec(),
        by_rule: by(&|l| vec![format!("{}/{}", l.rule.pack, l.rule.id)]),
        by_department: by(&|l| l.rule.departments.clone()),
        by_county: by(&|l| vec![l.county.clone().unwrap_or_else(|| "（市本级）".to_string())]),
        by_fund: by(&|l| {
            vec![
                l.rule
                    .fund
                    .clone()
                    .unwrap_or_else(|| "（未指定）".to_string()),
            ]
        }),
        baseline,
        variant,
    })
}

fn diff(a: &Run, b: &Run, key: &dyn Fn(&AwardLine) -> Vec<String>) -> Vec<Diff> {
    let mut totals: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in &a.lines {
        for k in key(l) {
            totals.entry(k).or_default().0 += l.payable;
        }
    }
    for l in &b.lines {
        for k in key(l) {
            totals.entry(k).or_default().1 += l.payable;
        }
    }
    totals
        .into_iter()
        .map(|(key, (baseline, variant))| Diff {
            key,
            baseline,
            variant,
            change: variant - baseline,
        })
        .collect()
}
