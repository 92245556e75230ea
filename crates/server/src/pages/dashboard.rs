//! 总览: the latest run's figures (one summary: by lead department, county, fund, 市区共担), the 5+5
//! industries and every 2025 target.

use super::layout::layout;
use super::parts::{number, targets_table, totals_chart};
use super::{AppState, Page, render};
use crate::auth::Visitor;
use crate::queries;
use crate::svg::{self, Group};
use axum::extract::State;
use jx555_engine::Status;
use jx555_engine::summary::{By, CostShare};
use jx555_lang::types::Value;
use jx555_report::wan;
use jx555_workflow::access::Action;
use maud::html;

/// 总览: the latest run by lead department, county and fund, the 5+5, every target.
pub async fn page(State(app): AppState, v: Visitor) -> Page {
    render(move || {
        let latest = queries::latest_run(&app)?;
        let year = latest.as_ref().map_or(queries::latest_year(&app.facts()), |(i, _)| i.year);
        let ts = app.targets(year)?;
        let groups: Vec<Group> = ts
            .iter()
            .filter(|t| t.clause == "附件2")
            .filter_map(|t| {
                let yi = |v: &Value| number(v).map(|x| x / 100_000_000.0);
                Some(Group {
                    label: t.title.clone().unwrap_or_else(|| t.id.clone()),
                    baseline: t.baseline.as_ref().and_then(|(b, _)| yi(b)),
                    goal: t.goal.as_ref().and_then(yi)?,
                    latest: t.value.as_ref().and_then(yi),
                })
            })
            .collect();
        let body = html! {
            @match &latest {
                None => p { "还没有兑现测算。运行 " code { "jx555 evaluate --year 2023" } " 后刷新。" },
                Some((info, run)) => {
                    section {
                        h2 { "最新兑现测算：第 " (info.id) " 号（" (info.year) "年度）" }
                        p { "可兑现合计 " strong { (wan(run.total())) } "，明细 " (run.lines.len()) " 条，其中待审核或待定 "
                            (run.lines.iter().filter(|l| l.status == Status::Flagged).count()) " 条。"
                            @if v.may(Action::ViewRuns) { a href=(format!("/runs/{}", info.id)) { "查看兑现清单" } } }
                        (by_rule(&app, run))
                        (totals_chart(run, By::LeadDepartment))
                        (totals_chart(run, By::County))
                        (totals_chart(run, By::Fund))
                        @let share = CostShare::of(run);
                        p { "市区共担：市级 " (wan(share.city)) "，县级 " (wan(share.county)) "，分担比例未定 "
                            (wan(share.unassigned)) "。" }
                        h3 { "原则" }
                        ul {
                            @for c in &run.principles {
                                li { (c.principle) "：" (wan(c.tagged)) " / " (wan(c.fund_total)) " "
                                    @match c.holds { Some(true) => span class="ok" { "满足" }, Some(false) => span class="no" { "不满足" }, None => span class="muted" { "无支出" } } }
                            }
                        }
                    }
                }
            }
            section {
                h2 { "“5+5”产业集群布局（亿元）" }
                (svg::groups("5+5 产业：2019年、2025年目标与最新值", "亿", &groups))
            }
            section {
                h2 { "2025年目标（" (year) "年数据）" }
                (targets_table(&ts))
            }
        };
        Ok(layout(&v, "总览", body))
    })
    .await
}

/// Every rule of the packs in their order, with the run's lines under it: which clauses reached
/// someone this year, and which none (shown, not left out).
fn by_rule(app: &crate::App, run: &jx555_engine::Run) -> maud::Markup {
    let totals: std::collections::BTreeMap<(String, String), jx555_engine::summary::Total> =
        jx555_engine::summary::totals(run, By::Rule)
            .into_iter()
            .filter_map(|t| match &t.key {
                jx555_engine::summary::Key::Rule { pack, id, .. } => {
                    Some(((pack.clone(), id.clone()), t))
                }
                _ => None,
            })
            .collect();
    html! {
        h3 { "按条款" }
        table {
            tr { th { "条款" } th { "奖补项目" } th { "明细" } th { "其中有金额" } th { "金额" } }
            @for pack in app.pack_refs() {
                @for r in &pack.rules {
                    @let title = r.title.clone().unwrap_or_else(|| r.id.clone());
                    @match totals.get(&(pack.manifest.id.clone(), r.id.clone())) {
                        Some(t) => tr { td { (r.citation.clause) } td { (title) } td class="n" { (t.lines) }
                            td class="n" { (t.paying) } td class="n" { (wan(t.payable)) } },
                        None => tr class="muted" { td { (r.citation.clause) } td { (title) } td class="n" { "0" }
                            td class="n" { "0" } td class="n" { "—" } },
                    }
                }
            }
        }
    }
}
