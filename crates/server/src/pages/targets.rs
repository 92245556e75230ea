//! 目标: the targets of a year with the value the facts give.

use super::layout::layout;
use super::parts::targets_table;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::queries;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use maud::html;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// The targets of a year (the latest the facts cover unless asked).
pub async fn page(
    State(app): AppState,
    v: Visitor,
    y: Result<Query<YearQuery>, QueryRejection>,
) -> Page {
    let Query(y) = y.map_err(bad_request)?;
    render(move || {
        let year = y.year.unwrap_or_else(|| queries::latest_year(&app.facts()));
        let ts = app.targets(year)?;
        Ok(layout(
&v,             "目标",
            html! {
                form method="get" action="/targets" { "年度 " input type="number" name="year" value=(year) class="year"; " " button { "查看" } }
                (targets_table(&ts))
            },
        ))
    })
    .await
}
