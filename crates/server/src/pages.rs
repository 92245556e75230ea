//! The pages: 总览, 政策, 企业, 兑现, 目标. Server-rendered HTML in Chinese; a form posts the what-if;
//! no script is needed.

use crate::svg::{self, Bar, Group};
use crate::{App, PageError, ServerError, blocking};
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use jx555_engine::summary::{self, By, Change, CostShare};
use jx555_engine::targets::TargetStatus;
use jx555_engine::whatif::what_if;
use jx555_engine::{AwardLine, Override, Run, Status};
use jx555_lang::types::Value;
use jx555_report::{by_title, key_label, standing_name, target_value, wan};
use jx555_store::Store;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use std::sync::Arc;

type AppState = State<Arc<App>>;
type Page = Result<Html<String>, PageError>;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(dashboard))
        .route("/policy", get(policy))
        .route("/enterprises", get(enterprises))
        .route("/enterprises/{uscc}", get(enterprise))
        .route("/runs", get(runs))
        .route("/runs/{id}", get(run))
        .route("/runs/{id}/payout.xlsx", get(payout_xlsx))
        .route("/runs/{id}/payout.csv", get(payout_csv))
        .route("/compare", get(compare))
        .route("/whatif", get(whatif_form).post(whatif_result))
        .route("/targets", get(targets))
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:0;color:#1d2733}\
header{background:#1f4e79;color:#fff;padding:.6em 1.2em;display:flex;gap:1.4em;align-items:center}\
header a{color:#fff;text-decoration:none}header strong{font-size:1.2em;margin-right:1em}\
main{padding:1em 1.6em;max-width:75em}table{border-collapse:collapse;margin:.6em 0}\
td,th{border:1px solid #c9d2dc;padding:.25em .6em;text-align:left;vertical-align:top}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.card{border:1px solid #9cb3c9;background:#f4f8fb;\
padding:.5em .9em;margin:.6em 0 1.2em}.note{border-left:4px solid #d98c2b;background:#fcf6ee;padding:.4em .8em}\
.ok{color:#3c9a5f}.no{color:#b23b3b}.muted{color:#66737f}section{margin-bottom:1.6em}";

fn layout(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="zh-CN" {
                head {
                    meta charset="utf-8";
                    title { (title) " · jx555" }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    header {
                        strong { "嘉兴新制造“555”政策兑现" }
                        a href="/" { "总览" }
                        a href="/policy" { "政策" }
                        a href="/enterprises" { "企业" }
                        a href="/runs" { "兑现" }
                        a href="/targets" { "目标" }
                    }
                    main { h1 { (title) } (body) }
                }
            }
        }
        .into_string(),
    )
}

/// The page shown for an error.
pub fn error_page(status: StatusCode, message: &str) -> String {
    layout(
        &format!("出错了（{}）", status.as_u16()),
        html! { p class="no" { (message) } p { a href="/" { "返回总览" } } },
    )
    .0
}

fn rule_title(l: &AwardLine) -> String {
    l.rule.title.clone().unwrap_or_else(|| l.rule.id.clone())
}

fn fen_f64(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// A run's totals by one key as a bar chart, largest first; keys that pay nothing are left out.
fn totals_chart(run: &Run, by: By) -> Markup {
    let mut rows = summary::totals(run, by);
    rows.retain(|t| t.payable > 0);
    rows.sort_by_key(|t| std::cmp::Reverse(t.payable));
    let bars: Vec<Bar> = rows
        .iter()
        .map(|t| Bar {
            label: key_label(&t.key),
            value: fen_f64(t.payable),
            text: wan(t.payable),
        })
        .collect();
    let title = by_title(by);
    html! {
        h3 { (title) }
        (svg::bars(title, &bars))
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Decimal(d) | Value::Money(d) | Value::Percent(d) => d.to_f64(),
        _ => None,
    }
}

fn targets_table(ts: &[TargetStatus]) -> Markup {
    html! {
        table {
            tr { th { "条款" } th { "目标" } th { "目标值" } th { "基期" } th { "当前" } th { "进度" } th { "状态" } }
            @for t in ts {
                tr {
                    td { (t.clause) }
                    td { (t.title.clone().unwrap_or_else(|| t.id.clone())) }
                    td { (t.op.replace(">=", "≥").replace("<=", "≤")) " "
                        @match (t.relative_to, &t.goal) {
                            (None, Some(g)) => (target_value(g)),
                            (_, Some(g)) => { (t.goal_stated) "（即 " (target_value(g)) "）" },
                            (_, None) => (t.goal_stated),
                        }
                        "（" (t.by) "年）" }
                    td { (t.baseline.as_ref().map(|(v, y)| format!("{}（{y}年）", target_value(v))).unwrap_or_default()) }
                    td { (t.value.as_ref().map(target_value).unwrap_or_else(|| "待录入".into())) }
                    td { @if let Some(p) = t.progress.and_then(|p| p.to_f64()) { (svg::progress(p)) " " (format!("{:.0}%", p * 100.0)) } }
                    td { @match t.met { Some(true) => span class="ok" { "已达成" }, Some(false) => span class="no" { "未达成" }, None => span class="muted" { "—" } } }
                }
            }
        }
    }
}

async fn dashboard(State(app): AppState) -> Page {
    let page = blocking(move || {
        let latest = app.latest_run()?;
        let year = latest.as_ref().map_or(app.latest_year(), |(i, _)| i.year);
        let ts = jx555_engine::targets::targets(&app.pack_refs(), &app.facts, year)?;
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
                            a href=(format!("/runs/{}", info.id)) { "查看兑现清单" } }
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
        Ok(layout("总览", body))
    })
    .await?;
    Ok(page)
}

/// Figures of the latest run for one rule: payable lines, their total, superseded and flagged lines.
fn rule_figures(run: Option<&Run>, rule: &str) -> Markup {
    let Some(run) = run else {
        return html! { span class="muted" { "尚无兑现测算" } };
    };
    let lines: Vec<&AwardLine> = run.lines.iter().filter(|l| l.rule.id == rule).collect();
    let paid: Vec<&&AwardLine> = lines.iter().filter(|l| l.payable > 0).collect();
    let superseded = lines
        .iter()
        .filter(|l| matches!(l.status, Status::Superseded { .. }))
        .count();
    let flagged = lines.iter().filter(|l| l.status == Status::Flagged).count();
    html! {
        span { "最新测算：" (paid.len()) " 家/项获兑现，合计 " (wan(paid.iter().map(|l| l.payable).sum()))
            "；就高不重复被取代 " (superseded) " 条；待审核或待定 " (flagged) " 条" }
    }
}

async fn policy(State(app): AppState) -> Page {
    let page = blocking(move || {
        let latest = app.latest_run()?;
        let run = latest.as_ref().map(|(_, r)| r);
        let mut body = String::new();
        for lp in &app.packs {
            let text = &lp.policy;
            let mut events = Vec::new();
            let mut block: Option<(String, usize)> = None;
            for (event, range) in pulldown_cmark::Parser::new(text).into_offset_iter() {
                use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};
                match &event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                        if matches!(info.split_whitespace().next(), Some("rule" | "note")) =>
                    {
                        let kind = info
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_string();
                        let line = text[..range.start].matches('\n').count() + 2;
                        block = Some((kind, line));
                    }
                    Event::End(TagEnd::CodeBlock) if block.is_some() => {
                        if let Some((kind, line)) = block.take() {
                            events.push(Event::Html(
                                block_card(lp, &kind, line, &text[range.clone()], run)
                                    .into_string()
                                    .into(),
                            ));
                        }
                    }
                    _ if block.is_some() => {}
                    _ => events.push(event),
                }
            }
            pulldown_cmark::html::push_html(&mut body, events.into_iter());
        }
        Ok(layout("政策", html! { (PreEscaped(body)) }))
    })
    .await?;
    Ok(page)
}

/// What a block of the policy encodes, with the latest run's figures for its rules.
fn block_card(
    lp: &crate::LoadedPack,
    kind: &str,
    line: usize,
    raw: &str,
    run: Option<&Run>,
) -> Markup {
    let text: String = raw
        .lines()
        .filter(|l| !l.trim_start().starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    if kind == "note" {
        return html! { aside class="note" { "说明：" (text.trim()) } };
    }
    let p = &lp.pack;
    let rules: Vec<_> = p.rules.iter().filter(|r| r.citation.line == line).collect();
    let targets: Vec<_> = p
        .targets
        .iter()
        .filter(|t| t.citation.line == line)
        .collect();
    let params: Vec<_> = p
        .params
        .iter()
        .filter(|x| x.citation.as_ref().is_some_and(|c| c.line == line))
        .collect();
    html! {
        div class="card" {
            @for r in &rules {
                div class="rule" data-rule=(r.id) {
                    strong { "规则 " (r.title.clone().unwrap_or_else(|| r.id.clone())) }
                    " " span class="muted" { (r.id) " · " (mode_name(r.mode.name())) " · " (r.departments.join("、")) }
                    br;
                    (rule_figures(run, &r.id))
                }
            }
            @for t in &targets {
                div { strong { "目标 " (t.title.clone().unwrap_or_else(|| t.id.clone())) } " "
                    span class="muted" { (t.op.symbol().replace(">=", "≥").replace("<=", "≤")) " "
                        @match t.relative_to { Some(y) => { (y) "年的" (t.goal) }, None => (target_value(&t.goal)) }
                        " · " (t.by) "年" } }
            }
            @for x in &params {
                div { "参数 " (x.name) "：" (param_value(&x.value)) }
            }
            @for x in p.principles.iter().filter(|x| x.citation.line == line) {
                div { strong { "原则 " (x.title.clone().unwrap_or_else(|| x.id.clone())) } }
            }
            details { summary { "规则原文" } pre { (text.trim()) } }
        }
    }
}

fn mode_name(mode: &str) -> &'static str {
    match mode {
        "automatic" => "自动计算",
        "review" => "审核定额（有上限）",
        "case_by_case" => "一事一议",
        _ => "金额待定",
    }
}

#[derive(Deserialize)]
struct Search {
    q: Option<String>,
}

/// Enterprises whose name or uscc contains the query, at most `limit`.
pub(crate) fn search(app: &App, q: &str, limit: usize) -> Vec<(String, String, String)> {
    use arrow::array::{Array, AsArray};
    let Some(batch) = app.data.table("enterprises") else {
        return Vec::new();
    };
    let col = |n: &str| {
        batch
            .column_by_name(n)
            .and_then(|c| c.as_string_opt::<i32>())
    };
    let (Some(uscc), Some(name)) = (col("uscc"), col("name")) else {
        return Vec::new();
    };
    let county = col("county");
    let q = q.trim();
    (0..batch.num_rows())
        .filter(|i| !q.is_empty() && (uscc.value(*i).contains(q) || name.value(*i).contains(q)))
        .take(limit)
        .map(|i| {
            (
                uscc.value(i).to_string(),
                name.value(i).to_string(),
                county
                    .filter(|c| c.is_valid(i))
                    .map(|c| c.value(i).to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

async fn enterprises(State(app): AppState, Query(s): Query<Search>) -> Page {
    let q = s.q.unwrap_or_default();
    let found = search(&app, &q, 50);
    Ok(layout(
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
                    @for (u, n, c) in &found {
                        tr { td { a href=(format!("/enterprises/{u}")) { (n) } } td { (u) } td { (c) } }
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// An enterprise's facts by year: each column of its enterprise-year rows.
fn facts_by_year(app: &App, uscc: &str) -> (Vec<String>, Vec<Vec<String>>) {
    use arrow::array::{Array, AsArray};
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    let Some(batch) = app.data.table("enterprise_years") else {
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
            jx555_lang::schema::field(jx555_lang::types::EntityKind::Enterprise, f.name())
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

/// The ids of an enterprise's own records (recognitions, projects, parcels): the subjects its
/// awards may be granted for besides the enterprise itself.
fn own_records(app: &App, uscc: &str) -> Vec<String> {
    use arrow::array::{Array, AsArray};
    let mut out = vec![uscc.to_string()];
    for table in ["recognitions", "projects", "land_parcels"] {
        let Some(batch) = app.data.table(table) else {
            continue;
        };
        let col = |n: &str| {
            batch
                .column_by_name(n)
                .and_then(|c| c.as_string_opt::<i32>())
        };
        if let (Some(ids), Some(owners)) = (col("id"), col("uscc")) {
            out.extend(
                (0..batch.num_rows())
                    .filter(|i| owners.is_valid(*i) && owners.value(*i) == uscc)
                    .map(|i| ids.value(i).to_string()),
            );
        }
    }
    out
}

async fn enterprise(
    State(app): AppState,
    Path(uscc): Path<String>,
    Query(y): Query<YearQuery>,
) -> Page {
    let page = blocking(move || {
        let found = search(&app, &uscc, 1);
        let Some((_, name, county)) = found.into_iter().find(|(u, _, _)| *u == uscc) else {
            return Err(ServerError::NotFound(format!("没有统一社会信用代码为 {uscc} 的企业")));
        };
        let year = y.year.unwrap_or_else(|| app.latest_year());
        let report = app.with_request(year, |req| {
            Ok(jx555_engine::explain::explain_enterprise(req, &uscc)?)
        })?;
        let (headers, rows) = facts_by_year(&app, &uscc);
        let mine = own_records(&app, &uscc);
        let received: Vec<_> = app
            .store()?
            .ledger()?
            .entries()
            .iter()
            .filter(|e| mine.contains(&e.subject))
            .cloned()
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
                        tr { th { "年度" } th { "奖补项目" } th { "对象" } th { "金额" } }
                        @for e in &received {
                            tr { td { (e.year) } td { (title_of(&e.pack, &e.rule)) } td { (e.subject) } td class="n" { (wan(e.amount)) } }
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
        Ok(layout(&name, body))
    })
    .await?;
    Ok(page)
}

async fn runs(State(app): AppState) -> Page {
    let list = app.store()?.runs()?;
    Ok(layout(
        "兑现",
        html! {
            p { a href="/whatif" { "参数模拟（what-if）" } }
            table {
                tr { th { "编号" } th { "年度" } th { "明细" } th { "可兑现合计" } th { "参数调整" } th { "审定" } th { "创建时间" } th { "下载" } }
                @for r in list.iter().rev() {
                    tr {
                        td { a href=(format!("/runs/{}", r.id)) { "第 " (r.id) " 号" } }
                        td { (r.year) }
                        td class="n" { (r.lines) }
                        td class="n" { (wan(r.total)) }
                        td { (r.overrides.iter().map(|o| o.param.clone()).collect::<Vec<_>>().join("、")) }
                        td { (r.approved_at.clone().unwrap_or_else(|| "未审定".into())) }
                        td { (r.created_at) }
                        td { a href=(format!("/runs/{}/payout.xlsx", r.id)) { "XLSX" } " " a href=(format!("/runs/{}/payout.csv", r.id)) { "CSV" } }
                    }
                }
            }
            @if list.len() >= 2 {
                form method="get" action="/compare" {
                    "比较 第 " input type="number" name="a" value=(list[list.len() - 2].id) style="width:5em";
                    " 号 与 第 " input type="number" name="b" value=(list[list.len() - 1].id) style="width:5em";
                    " 号 " button type="submit" { "比较" }
                }
            }
        },
    ))
}

async fn run(State(app): AppState, Path(id): Path<i64>) -> Page {
    let (info, run) = app.store()?.run(id)?;
    let shown = 500;
    Ok(layout(
        &format!("第 {id} 号兑现测算（{}年度）", info.year),
        html! {
            p { "可兑现合计 " strong { (wan(run.total())) } "，明细 " (run.lines.len()) " 条。"
                a href=(format!("/runs/{id}/payout.xlsx")) { "下载兑现清单（XLSX）" } " · "
                a href=(format!("/runs/{id}/payout.csv")) { "CSV" } }
            @if run.lines.len() > shown { p class="muted" { "下表只列前 " (shown) " 条；完整清单请下载。" } }
            table {
                tr { th { "条款" } th { "奖补项目" } th { "对象" } th { "企业" } th { "县（市、区）" } th { "状态" } th { "金额" } }
                @for l in run.lines.iter().take(shown) {
                    tr {
                        td { (l.rule.citation.clause) }
                        td { (rule_title(l)) }
                        td { (l.subject) }
                        td { @if let Some(e) = &l.enterprise { a href=(format!("/enterprises/{e}?year={}", info.year)) { (e) } } }
                        td { (l.county.clone().unwrap_or_default()) }
                        td { (standing_name(l.standing())) }
                        td class="n" { (wan(l.payable)) }
                    }
                }
            }
        },
    ))
}

fn download(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    let disposition = format!(
        "attachment; filename=\"payout.{}\"; filename*=UTF-8''{}",
        name.rsplit('.').next().unwrap_or("bin"),
        percent(&name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 5987 encoding of a file name.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn payout_xlsx(State(app): AppState, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (info, run) = app.store()?.run(id)?;
    let bytes =
        jx555_report::payout_xlsx(&run).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}.xlsx", jx555_report::payout_file_stem(info.year, id)),
    ))
}

async fn payout_csv(State(app): AppState, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (info, run) = app.store()?.run(id)?;
    let bytes = jx555_report::payout_csv(&run).map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "text/csv; charset=utf-8",
        format!("{}.csv", jx555_report::payout_file_stem(info.year, id)),
    ))
}

#[derive(Deserialize)]
struct CompareQuery {
    a: i64,
    b: i64,
}

async fn compare(State(app): AppState, Query(q): Query<CompareQuery>) -> Page {
    let store = app.store()?;
    let (ia, a) = store.run(q.a)?;
    let (ib, b) = store.run(q.b)?;
    Ok(layout(
        &format!("第 {} 号 与 第 {} 号 比较", ia.id, ib.id),
        html! {
            p { (ia.year) "年度 " (wan(a.total())) " → " (ib.year) "年度 " (wan(b.total())) "（" (jx555_report::signed(b.total() - a.total())) "）" }
            @for by in [By::Rule, By::LeadDepartment, By::County, By::Fund] {
                (diff_table(by, &summary::compare(&a, &b, by)))
            }
        },
    ))
}

fn diff_table(by: By, rows: &[Change]) -> Markup {
    html! {
        h3 { (by_title(by)) }
        table {
            tr { th { "项目" } th { "调整前" } th { "调整后" } th { "变化" } }
            @for d in rows.iter().filter(|d| d.change != 0) {
                tr { td { (key_label(&d.key)) } td class="n" { (wan(d.baseline)) } td class="n" { (wan(d.variant)) } td class="n" { (jx555_report::signed(d.change)) } }
            }
        }
    }
}

async fn whatif_form(State(app): AppState) -> Page {
    let year = app.latest_year();
    Ok(layout("参数模拟", whatif_body(&app, year, "", None)))
}

fn whatif_body(app: &App, year: i32, set: &str, result: Option<Markup>) -> Markup {
    html! {
        form method="post" action="/whatif" {
            p { "年度 " input type="number" name="year" value=(year) style="width:6em"; }
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

fn param_value(v: &jx555_lang::ir::ParamValue) -> String {
    use jx555_lang::ir::ParamValue;
    match v {
        ParamValue::Const(v) => v.to_string(),
        ParamValue::Table { entries, default } => {
            let mut parts: Vec<String> =
                entries.iter().map(|(k, v)| format!("{k} → {v}")).collect();
            if let Some(d) = default {
                parts.push(format!("其他 → {d}"));
            }
            parts.join("，")
        }
        ParamValue::Pending(why) => format!("待定：{why}"),
    }
}

/// The what-if form as posted.
#[derive(Deserialize)]
pub(crate) struct WhatIfForm {
    pub year: i32,
    #[serde(default)]
    pub set: String,
}

/// Runs a what-if: the year's evaluation with and without the overrides.
pub(crate) fn run_what_if(
    app: &App,
    year: i32,
    set: &[String],
) -> Result<jx555_engine::whatif::WhatIf, ServerError> {
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

async fn whatif_result(State(app): AppState, Form(f): Form<WhatIfForm>) -> Page {
    let page = blocking(move || {
        let set: Vec<String> = f
            .set
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let result = match run_what_if(&app, f.year, &set) {
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
        Ok(layout("参数模拟", whatif_body(&app, f.year, &f.set, Some(result))))
    })
    .await?;
    Ok(page)
}

async fn targets(State(app): AppState, Query(y): Query<YearQuery>) -> Page {
    let year = y.year.unwrap_or_else(|| app.latest_year());
    let ts = jx555_engine::targets::targets(&app.pack_refs(), &app.facts, year)?;
    Ok(layout(
        "目标",
        html! {
            form method="get" action="/targets" { "年度 " input type="number" name="year" value=(year) style="width:6em"; " " button { "查看" } }
            (targets_table(&ts))
        },
    ))
}
