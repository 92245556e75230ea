//! The application's questions that pages and the API share: find enterprises, an enterprise's facts
//! by year and its own records, the latest year and run, a what-if. Handlers ask these; none of them
//! names a table or a column.

use crate::{App, Facts, ServerError};
use jx555_engine::facts::Table;
use jx555_engine::whatif::{WhatIf, what_if};
use jx555_engine::{AwardLine, Override, Run};
use jx555_lang::types::EntityKind;
use jx555_store::RunInfo;
use jx555_workflow::access::Principal;

/// An enterprise as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// 统一社会信用代码.
    pub uscc: String,
    /// Its name.
    pub name: String,
    /// Its county (empty when the facts give none).
    pub county: String,
}

fn text_at(t: &Table, column: &str, row: usize) -> String {
    t.text(column, row).unwrap_or_default().to_string()
}

fn found(f: &Facts, row: usize) -> Found {
    let t = f.index.table(EntityKind::Enterprise);
    Found {
        uscc: t.ids.value(row).to_string(),
        name: text_at(t, "name", row),
        county: text_at(t, "county", row),
    }
}

/// Enterprises whose name or 统一社会信用代码 contains the query and that `p` may see, at most
/// `limit`, in the facts' order.
pub fn search(f: &Facts, p: &Principal, q: &str, limit: usize) -> Vec<Found> {
    let q = q.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let t = f.index.table(EntityKind::Enterprise);
    let names = t.cols.get("name").and_then(|c| c.text());
    (0..t.rows)
        .filter(|&i| {
            t.ids.value(i).contains(q)
                || names
                    .is_some_and(|n| arrow::array::Array::is_valid(n, i) && n.value(i).contains(q))
        })
        .map(|i| found(f, i))
        .filter(|e| visible(p, e))
        .take(limit)
        .collect()
}

fn visible(p: &Principal, f: &Found) -> bool {
    p.sees_enterprise(&f.uscc, Some(f.county.as_str()).filter(|c| !c.is_empty()))
}

/// One enterprise by its 统一社会信用代码, exactly, if `p` may see it: an enterprise out of scope is
/// answered as one that does not exist (its existence is not leaked).
pub fn enterprise(f: &Facts, p: &Principal, uscc: &str) -> Option<Found> {
    f.index
        .enterprise_row(uscc)
        .map(|row| found(f, row as usize))
        .filter(|e| visible(p, e))
}

/// Whether `p` sees the rule `rule` of `pack` on an enterprise it may see: a 部门审核员 only its
/// department's rules (led or taken part in), every other role all.
pub fn sees_rule(app: &App, p: &Principal, pack: &str, rule: &str) -> bool {
    match &p.scope {
        jx555_workflow::access::Scope::Department(d) => app
            .packs
            .iter()
            .filter(|lp| lp.pack.manifest.id == pack)
            .filter_map(|lp| lp.pack.rule(rule))
            .any(|r| r.departments.contains(d)),
        _ => true,
    }
}

/// An enterprise's explanation as `p` sees it: the rules in its scope only.
pub fn explanation_for(
    app: &App,
    p: &Principal,
    mut e: jx555_engine::explain::EnterpriseExplanation,
) -> jx555_engine::explain::EnterpriseExplanation {
    for xs in [&mut e.gets, &mut e.nearly, &mut e.lacks] {
        xs.retain(|x| sees_rule(app, p, &x.pack, &x.rule));
    }
    e
}

/// Whether `p` sees a line: of its enterprise, its county or its department's rules.
pub fn sees(p: &Principal, l: &AwardLine) -> bool {
    p.sees_line(
        l.enterprise.as_deref(),
        l.county.as_deref(),
        l.rule.departments.iter().map(String::as_str),
    )
}

/// A run as `p` sees it: whole for a city-wide role; otherwise only the lines in scope (so every
/// total shown is the scope's), without the per-rule counts and city-wide principle checks.
pub fn scoped(p: &Principal, mut run: Run) -> Run {
    if !p.city_wide() {
        run.lines.retain(|l| sees(p, l));
        run.stats.clear();
        run.principles.clear();
    }
    run
}

/// A stored run as `p` sees it, its record's total and count made the scope's.
pub fn run_for(app: &App, p: &Principal, id: i64) -> Result<(RunInfo, Run), ServerError> {
    let (mut info, run) = app.store()?.run(id)?;
    let run = scoped(p, run);
    if !p.city_wide() {
        info.total = run.total();
        info.lines = run.lines.len();
    }
    Ok((info, run))
}

/// Every stored run, newest first, with totals as `p` sees them.
pub fn runs_for(app: &App, p: &Principal) -> Result<Vec<RunInfo>, ServerError> {
    let list = app.store()?.runs()?;
    if p.city_wide() {
        return Ok(list);
    }
    list.into_iter()
        .map(|r| run_for(app, p, r.id).map(|(info, _)| info))
        .collect()
}

/// An enterprise's facts by year: the labels of the yearly fields, and a row of values per year.
pub fn facts_by_year(f: &Facts, uscc: &str) -> (Vec<String>, Vec<Vec<String>>) {
    use arrow::array::{Array, AsArray};
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    let Some(batch) = f.data.table(jx555_engine::facts::ENTERPRISE_YEARS) else {
        return (Vec::new(), Vec::new());
    };
    let Some(ids) = batch
        .column_by_name("uscc")
        .and_then(|c| c.as_string_opt::<i32>())
    else {
        return (Vec::new(), Vec::new());
    };
    let schema = batch.schema();
    let headers = schema
        .fields()
        .iter()
        .filter(|f| f.name() != "uscc")
        .map(|f| {
            jx555_lang::schema::field(EntityKind::Enterprise, f.name())
                .map_or_else(|| f.name().clone(), |x| x.label.to_string())
        })
        .collect();
    let options = FormatOptions::default();
    let formatters: Vec<_> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .filter(|(_, f)| f.name() != "uscc")
        .filter_map(|(c, _)| ArrayFormatter::try_new(c.as_ref(), &options).ok())
        .collect();
    let rows = (0..batch.num_rows())
        .filter(|i| ids.is_valid(*i) && ids.value(*i) == uscc)
        .map(|i| formatters.iter().map(|f| f.value(i).to_string()).collect())
        .collect();
    (headers, rows)
}

/// The ids of an enterprise and its own records (recognitions, projects, parcels): the subjects its
/// awards may be granted for.
pub fn own_records(f: &Facts, uscc: &str) -> Vec<String> {
    let mut out = vec![uscc.to_string()];
    let Some(row) = f.index.enterprise_row(uscc) else {
        return out;
    };
    let enterprises = f.index.table(EntityKind::Enterprise);
    for kind in [
        EntityKind::Recognition,
        EntityKind::Project,
        EntityKind::LandParcel,
    ] {
        let ids = &f.index.table(kind).ids;
        out.extend(
            enterprises
                .children(kind, row)
                .iter()
                .map(|&r| ids.value(r as usize).to_string()),
        );
    }
    out
}

/// The latest year the facts cover, for pages asked for no year.
pub fn latest_year(f: &Facts) -> i32 {
    f.index.last_year().unwrap_or(2023)
}

/// The latest run that is not a what-if, with its lines.
pub fn latest_run(app: &App) -> Result<Option<(RunInfo, Run)>, ServerError> {
    let store = app.store()?;
    let latest = store
        .runs()?
        .into_iter()
        .filter(|r| r.overrides.is_empty())
        .max_by_key(|r| r.id);
    match latest {
        Some(info) => Ok(Some(store.run(info.id)?)),
        None => Ok(None),
    }
}

/// A what-if of a year: the settings (`小微园补助上限=800万`) parsed and checked, then the engine's
/// what-if over the app's facts and ledger.
pub fn run_what_if(app: &App, year: i32, set: &[String]) -> Result<WhatIf, ServerError> {
    if set.len() > app.limits.max_settings {
        return Err(ServerError::BadRequest(format!(
            "一次模拟最多调整 {} 项参数（给了 {} 项）",
            app.limits.max_settings,
            set.len()
        )));
    }
    let overrides: Vec<Override> = set
        .iter()
        .map(|s| Override::parse(s).map_err(ServerError::BadRequest))
        .collect::<Result<_, _>>()?;
    if overrides.is_empty() {
        return Err(ServerError::BadRequest(
            "给出至少一项调整，如 小微园补助上限=800万".into(),
        ));
    }

    jx555_engine::params::check_overrides(&app.pack_refs(), &overrides)?;
    app.with_request(year, |req| Ok(what_if(req, &overrides)?))
}
