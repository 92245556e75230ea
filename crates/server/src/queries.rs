//! The application's questions that pages and the API share: find enterprises, an enterprise's facts
//! by year and its own records, the latest year and run, a what-if. Handlers ask these; none of them
//! names a table or a column.

use crate::{App, ServerError};
use jx555_engine::col::Col;
use jx555_engine::facts::Table;
use jx555_engine::whatif::{WhatIf, what_if};
use jx555_engine::{Override, Run};
use jx555_lang::types::EntityKind;
use jx555_store::RunInfo;

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
    match t.cols.get(column) {
        Some(Col::Text(c)) if arrow::array::Array::is_valid(c, row) => c.value(row).to_string(),
        _ => String::new(),
    }
}

fn found(app: &App, row: usize) -> Found {
    let t = app.facts.table(EntityKind::Enterprise);
    Found {
        uscc: t.ids.value(row).to_string(),
        name: text_at(t, "name", row),
        county: text_at(t, "county", row),
    }
}

/// Enterprises whose name or 统一社会信用代码 contains the query, at most `limit`, in the facts' order.
pub fn search(app: &App, q: &str, limit: usize) -> Vec<Found> {
    let q = q.trim();
    if q.is_empty() {
        return Vec::new();
    }
    let t = app.facts.table(EntityKind::Enterprise);
    let names = match t.cols.get("name") {
        Some(Col::Text(c)) => Some(c),
        _ => None,
    };
    (0..t.rows)
        .filter(|&i| {
            t.ids.value(i).contains(q)
                || names
                    .is_some_and(|n| arrow::array::Array::is_valid(n, i) && n.value(i).contains(q))
        })
        .take(limit)
        .map(|i| found(app, i))
        .collect()
}

/// One enterprise by its 统一社会信用代码, exactly.
pub fn enterprise(app: &App, uscc: &str) -> Option<Found> {
    app.facts
        .enterprise_row(uscc)
        .map(|row| found(app, row as usize))
}

/// An enterprise's facts by year: the labels of the yearly fields, and a row of values per year.
pub fn facts_by_year(app: &App, uscc: &str) -> (Vec<String>, Vec<Vec<String>>) {
    use arrow::array::{Array, AsArray};
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    let Some(batch) = app.data.table(jx555_engine::facts::ENTERPRISE_YEARS) else {
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
pub fn own_records(app: &App, uscc: &str) -> Vec<String> {
    let mut out = vec![uscc.to_string()];
    let Some(row) = app.facts.enterprise_row(uscc) else {
        return out;
    };
    let enterprises = app.facts.table(EntityKind::Enterprise);
    for kind in [
        EntityKind::Recognition,
        EntityKind::Project,
        EntityKind::LandParcel,
    ] {
        let ids = &app.facts.table(kind).ids;
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
pub fn latest_year(app: &App) -> i32 {
    app.facts.last_year().unwrap_or(2023)
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
