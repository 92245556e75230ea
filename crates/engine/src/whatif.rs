//! What-if: run the year again with parameters changed and show the difference to the baseline.

use crate::EngineError;
use crate::params::Override;
use crate::run::{Request, Run, evaluate};
use crate::summary::{By, Change, compare};
use serde::Serialize;

/// A what-if result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// The overrides applied.
    pub overrides: Vec<Override>,
    /// The run as the packs say.
    pub baseline: Run,
    /// The run with the overrides.
    pub variant: Run,
    /// Totals by rule.
    pub by_rule: Vec<Change>,
    /// Totals by lead department (牵头单位); adds up to the total like the others.
    pub by_lead_department: Vec<Change>,
    /// Totals by county.
    pub by_county: Vec<Change>,
    /// Totals by fund.
    pub by_fund: Vec<Change>,
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
    Ok(WhatIf {
        overrides: overrides.to_vec(),
        by_rule: compare(&baseline, &variant, By::Rule),
        by_lead_department: compare(&baseline, &variant, By::LeadDepartment),
        by_county: compare(&baseline, &variant, By::County),
        by_fund: compare(&baseline, &variant, By::Fund),
        baseline,
        variant,
    })
}
