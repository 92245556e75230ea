//! 参数模拟 (what-if): change parameters and see the difference, computed by the engine's what-if.

use super::layout::layout;
use super::parts::{diff_table, param_value};
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{App, ServerError, queries};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use jx555_engine::summary::By;
use jx555_report::wan;
use maud::{Markup, html};
use serde::Deserialize;

/// The what-if form, for the latest year.
pub async fn form(State(app): AppState, v: Visitor) -> Page {
    let year = queries::latest_year(&app.facts());
    Ok(layout(&v, "参数模拟", body(&v, &app, year, "", None)))
}

fn body(v: &Visitor, app: &App, year: i32, set: &str, result: Option<Markup>) -> Markup {
    html! {
        form method="post" action="/whatif" {
            input type="hidden" name="csrf" value=(v.csrf());
            p { "年度 " input type="number" name="year" value=(year) class="year"; }
            p { "调整（每行一项，如 " code { "小微园补助上限=800万" } "、" code { "市级承担比例[南湖区]=50%" } "）" }
            textarea name="set" rows="4" cols="60" { (set) }
            p { button type="submit" { "模拟" } }
        }
        @if let Some(r) = result { section id="result" { (r) } }
        h2 { "可调整的参数" }
        table {
            tr { th { "参数" } th { "现值" } }
            @for lp in &app.packs { @for p in &lp.pack.params {
                tr { td { (p.name) } td { (param_value(&p.value)) } }
            } }
        }
    }
}

/// The what-if form as posted.
#[derive(Deserialize)]
pub struct WhatIfForm {
    year: i32,
    #[serde(default)]
    set: String,
}

/// The what-if's result under the form: the engine's comparison by rule, lead department, county
/// and fund.
pub async fn result(
    State(app): AppState,
    v: Visitor,
    f: Result<Form<WhatIfForm>, FormRejection>,
) -> Page {
    let Form(f) = f.map_err(bad_request)?;
    let _slot = app.evaluation_slot().await?;
    let app = app.clone();
    render(move || {
        let set: Vec<String> = f
            .set
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let result = match queries::run_what_if(&app, f.year, &set) {
            Ok(w) => html! {
                h2 { "模拟结果" }
                p { "可兑现合计 " (wan(w.baseline.total())) " → " strong { (wan(w.variant.total())) }
                    "（" (jx555_report::signed(w.variant.total() - w.baseline.total())) "）" }
                (diff_table(By::Rule, &w.by_rule))
                (diff_table(By::LeadDepartment, &w.by_lead_department))
                (diff_table(By::County, &w.by_county))
                (diff_table(By::Fund, &w.by_fund))
            },
            Err(ServerError::BadRequest(m)) => html! { p class="no" { (m) } },
            Err(e) => return Err(e),
        };
        Ok(layout(&v, "参数模拟", body(&v, &app, f.year, &f.set, Some(result))))
    })
    .await
}
