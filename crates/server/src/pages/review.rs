//! 终期评估: the policy's period looked back on from the facts and the ledger — each target year by
//! year, what was paid by clause, year, lead department, county and fund, reach, the principles year
//! by year, the rules that never paid. The same tables as `jx555 review` and its workbook
//! (`jx555_report::review_sheets`); public, as the city's totals are (no enterprise is named).

use super::layout::layout;
use super::parts::number;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::svg::{self, Point};
use crate::{App, ServerError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jx555_engine::targets::TargetStatus;
use jx555_report::wan;
use maud::html;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Period {
    from: Option<i32>,
    to: Option<i32>,
}

fn review_of(app: &App, q: &Period) -> Result<jx555_engine::review::Review, ServerError> {
    let (from, to) = (q.from.unwrap_or(2020), q.to.unwrap_or(2025));
    if from > to || to - from > 50 {
        return Err(ServerError::BadRequest(format!(
            "评估期 {from}–{to} 不成立：起始年不晚于结束年，至多 50 年"
        )));
    }
    let store = app.store()?;
    let ledger = store.ledger()?;
    let open = jx555_store::cases::undecided(store.as_ref(), from, to)?;
    Ok(jx555_engine::review::review(
        &app.pack_refs(),
        &app.facts().index,
        &ledger,
        &open,
        from,
        to,
    )?)
}

/// A target's values year by year (one status a year from `from`) against its goal.
fn trend_chart(name: &str, from: i32, years: &[TargetStatus]) -> maud::Markup {
    let points: Vec<Point> = (from..)
        .zip(years)
        .map(|(year, t)| Point {
            year,
            value: t.value.as_ref().and_then(number),
            text: t
                .value
                .as_ref()
                .map_or_else(|| "无数据".into(), jx555_report::target_value),
        })
        .collect();
    let goal = years.last().and_then(|t| t.goal.as_ref()).and_then(number);
    svg::trend(&format!("{name}：逐年与目标"), &points, goal)
}

/// The review of a period (2020–2025 unless asked).
pub async fn page(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<Period>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let r = review_of(&app, &q)?;
        let body = html! {
            form method="get" action="/review" {
                "评估期 " input type="number" name="from" value=(r.from) class="year"; " — " input type="number" name="to" value=(r.to) class="year";
                " " button { "查看" } " " a href=(format!("/review.xlsx?from={}&to={}", r.from, r.to)) { "导出 XLSX" }
            }
            p { "台账中已兑现的奖补合计 " strong { (wan(r.total)) } "，惠及企业 " (r.enterprises_reached) " 家，其中多年获奖 " (r.repeat_recipients) " 家。" }
            h2 { "目标逐年" }
            p class="muted" { "蓝线为各年度的值，橙色虚线为目标值；各年度的值见下表“目标”的“逐年”。" }
            div class="trends" {
                @for (_, years) in &r.targets {
                    @if let Some(last) = years.last() {
                        @let name = last.title.clone().unwrap_or_else(|| last.id.clone());
                        figure {
                            (trend_chart(&name, r.from, years))
                            figcaption { (last.clause) " " (name) }
                        }
                    }
                }
            }
            @for (name, headers, rows) in jx555_report::review_sheets(&r) {
                h2 { (name) }
                @if rows.is_empty() { p class="muted" { "无。" } }
                @else {
                    table {
                        tr { @for h in &headers { th { (h) } } }
                        @for row in &rows { tr { @for c in row { td { (c) } } } }
                    }
                }
            }
        };
        Ok(layout(&v, &format!("{}—{}年终期评估", r.from, r.to), body))
    })
    .await
}

/// The same review as a workbook, a sheet per table.
pub async fn xlsx(
    State(app): AppState,
    q: Result<Query<Period>, QueryRejection>,
) -> Result<axum::response::Response, crate::PageError> {
    use axum::response::IntoResponse;
    let Query(q) = q.map_err(bad_request)?;
    let (name, bytes) = crate::blocking(move || {
        let r = review_of(&app, &q)?;
        let bytes = jx555_report::sheets_xlsx(&jx555_report::review_sheets(&r))
            .map_err(|e| ServerError::Internal(e.to_string()))?;
        Ok((format!("review-{}-{}.xlsx", r.from, r.to), bytes))
    })
    .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
