//! 兑现: the stored runs.

use super::layout::layout;
use super::{AppState, Page, render};
use crate::auth::Visitor;
use axum::extract::State;
use jx555_report::wan;
use jx555_workflow::access::Action;
use maud::html;

/// 兑现: the stored runs, their downloads, and a form to compare two.
pub async fn page(State(app): AppState, v: Visitor) -> Page {
    render(move || {
    let list = crate::queries::runs_for(&app, v.principal()?)?;
    Ok(layout(
&v,         "兑现",
        html! {
            @if v.may(Action::WhatIf) { p { a href="/whatif" { "参数模拟（what-if）" } } }
            table {
                tr { th { "编号" } th { "年度" } th { "明细" } th { "可兑现合计" } th { "参数模拟 / 设定" } th { "审定" } th { "创建时间" } th { "下载" } }
                @for r in list.iter().rev() {
                    tr {
                        td { a href=(format!("/runs/{}", r.id)) { "第 " (r.id) " 号" } }
                        td { (r.year) }
                        td class="n" { (r.lines) }
                        td class="n" { (wan(r.total)) }
                        td {
                            (r.overrides.iter().map(|o| o.param.clone()).collect::<Vec<_>>().join("、"))
                            @if !r.settings.is_empty() {
                                span class="muted" { "设定：" (r.settings.iter().map(|o| format!("{}{}={}", o.param, o.key.as_ref().map(|k| format!("[{k}]")).unwrap_or_default(), o.value)).collect::<Vec<_>>().join("、")) }
                            }
                        }
                        td { (r.approved_at.clone().unwrap_or_else(|| "未审定".into())) }
                        td { (r.created_at) }
                        td { a href=(format!("/runs/{}/payout.xlsx", r.id)) { "XLSX" } " " a href=(format!("/runs/{}/payout.csv", r.id)) { "CSV" } }
                    }
                }
            }
            @if list.len() >= 2 && v.may(Action::CompareRuns) {
                form method="get" action="/compare" {
                    "比较 第 " input type="number" name="a" value=(list[list.len() - 2].id) class="run";
                    " 号 与 第 " input type="number" name="b" value=(list[list.len() - 1].id) class="run";
                    " 号 " button type="submit" { "比较" }
                }
            }
        },
    ))
    })
    .await
}
