//! 企业: find an enterprise by name or 统一社会信用代码.

use super::layout::layout;
use super::{AppState, bad_request};
use crate::PageError;
use crate::auth::Visitor;
use crate::queries;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jx555_workflow::access::Scope;
use maud::html;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
}

/// 企业: search by name or 统一社会信用代码; an enterprise's own accounts go to its page.
pub async fn page(
    State(app): AppState,
    v: Visitor,
    s: Result<Query<Search>, QueryRejection>,
) -> Result<Response, PageError> {
    if let Scope::Enterprise(uscc) = &v.principal()?.scope {
        return Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response());
    }
    let Query(s) = s.map_err(bad_request)?;
    let q = s.q.unwrap_or_default();
    let found = queries::search(&app.facts(), v.principal()?, &q, 50);
    Ok(layout(
        &v,
        "企业",
        html! {
            form method="get" action="/enterprises" {
                input type="search" name="q" value=(q) placeholder="企业名称或统一社会信用代码" size="40";
                " " button type="submit" { "查询" }
            }
            @if !q.is_empty() {
                p { "找到 " (found.len()) " 家" @if found.len() == 50 { "（只列前50家）" } }
                table {
                    tr { th { "企业名称" } th { "统一社会信用代码" } th { "县（市、区）" } }
                    @for f in &found {
                        tr { td { a href=(format!("/enterprises/{}", f.uscc)) { (f.name) } } td { (f.uscc) } td { (f.county) } }
                    }
                }
            }
        },
    )
    .into_response())
}
