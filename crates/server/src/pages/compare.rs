//! Two runs side by side: totals by rule, lead department, county and fund.

use super::layout::layout;
use super::parts::diff_table;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jx555_engine::summary::{self, By};
use jx555_report::wan;
use maud::html;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CompareQuery {
    a: i64,
    b: i64,
}

/// 比较: what changed between two runs, by every additive key.
pub async fn page(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<CompareQuery>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let store = app.store()?;
        let (ia, a) = store.run(q.a)?;
        let (ib, b) = store.run(q.b)?;
        Ok(layout(
&v,             &format!("第 {} 号 与 第 {} 号 比较", ia.id, ib.id),
            html! {
                p { (ia.year) "年度 " (wan(a.total())) " → " (ib.year) "年度 " (wan(b.total())) "（" (jx555_report::signed(b.total() - a.total())) "）" }
                @for by in [By::Rule, By::LeadDepartment, By::County, By::Fund] {
                    (diff_table(by, &summary::compare(&a, &b, by)))
                }
            },
        ))
    })
    .await
}
