//! An enterprise's page: facts by year, awards granted, and the explanation of every rule.

use super::layout::layout;
use super::parts::rule_title;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{ServerError, queries};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use jx555_report::{standing_name, wan};
use maud::html;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// An enterprise: its facts by year, the awards the ledger granted it, and for every rule what it
/// gets, nearly gets and lacks, with the clause.
pub async fn page(
    State(app): AppState,
    v: Visitor,
    Path(uscc): Path<String>,
    y: Result<Query<YearQuery>, QueryRejection>,
) -> Page {
    let Query(y) = y.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let facts = app.facts();
        let Some(found) = queries::enterprise(&facts, p, &uscc) else {
            return Err(ServerError::NotFound(format!("没有统一社会信用代码为 {uscc} 的企业")));
        };
        let (name, county) = (found.name, found.county);
        let year = y.year.unwrap_or_else(|| queries::latest_year(&facts));
        let report = app.with_request(year, |req| {
            Ok(jx555_engine::explain::explain_enterprise(req, &uscc)?)
        })?;
        let report = queries::explanation_for(&app, p, report);
        let (headers, rows) = queries::facts_by_year(&facts, &uscc);
        let mine = queries::own_records(&facts, &uscc);
        let received: Vec<_> = app
            .store()?
            .payments()?
            .into_iter()
            .filter(|(e, _)| {
                mine.contains(&e.subject) && queries::sees_rule(&app, p, &e.pack, &e.rule)
            })
            .collect();
        let title_of = |pack: &str, rule: &str| {
            app.packs
                .iter()
                .find(|p| p.pack.manifest.id == pack)
                .and_then(|p| p.pack.rule(rule))
                .and_then(|r| r.title.clone())
                .unwrap_or_else(|| rule.to_string())
        };
        let body = html! {
            p { (uscc) " · " (county) " · " (year) "年度" }
            section {
                h2 { "分年度数据" }
                table {
                    tr { @for h in &headers { th { (h) } } }
                    @for r in &rows { tr { @for c in r { td { (c) } } } }
                }
            }
            section {
                h2 { "已获奖补（台账）" }
                @if received.is_empty() { p class="muted" { "台账中尚无已审定的奖补。" } }
                @else {
                    table {
                        tr { th { "年度" } th { "奖补项目" } th { "对象" } th { "金额" } th { "来源" } }
                        @for (e, from) in &received {
                            tr { td { (e.year) } td { (title_of(&e.pack, &e.rule)) } td { (e.subject) } td class="n" { (wan(e.amount)) } td { (from) } }
                        }
                    }
                }
            }
            @for (title, xs) in [("可享受", &report.gets), ("差一点", &report.nearly), ("不具备", &report.lacks)] {
                section {
                    h2 { (title) "（" (xs.len()) " 项）" }
                    @for x in xs.iter() {
                        div class="card explanation" {
                            strong { (x.citation.clause) " " (x.title.clone().unwrap_or_else(|| x.rule.clone())) }
                            @if let Some(l) = &x.line {
                                " · " (wan(l.payable)) "（" (standing_name(l.standing())) "）"
                            }
                            @if let Some(w) = &x.superseded_by {
                                " · 就高不重复：由 " (rule_title(w)) "（" (wan(w.payable)) "）取代"
                            }
                            br;
                            span class="muted" { "依据：" (x.citation.sentence) }
                            ul {
                                @for c in &x.conditions {
                                    li {
                                        @match c.holds { Some(true) => span class="ok" { "✓ " }, Some(false) => span class="no" { "✗ " }, None => span class="muted" { "？ " } }
                                        (c.name)
                                        @for g in &c.gaps { "：" (g.message) }
                                        @if c.holds.is_none() { "（缺少数据）" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        Ok(layout(&v, &name, body))
    })
    .await
}
