//! 服务水平: the desk's service-level report (by hub, assignee, category, with the monthly trend and
//! its XLSX), the public summary (no enterprise named), and the city hub's 服务台管理 — the provider
//! registry and clause （二十）'s connection and approval events, imported all or none, with their
//! compliance and breaches.

use super::layout::layout;
use super::requests::visible;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::svg::{Bar, bars};
use crate::{App, ServerError};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use jx555_workflow::access::{Principal, Role, Scope};
use jx555_workflow::service::{
    Compliance, DayReading, Report, Tally, approval_days, comply, connection_minutes, report,
    targets,
};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

const TALLY_HEADERS: [&str; 10] = [
    "",
    "诉求",
    "按时受理率",
    "按时办结率",
    "办理中",
    "临近超时",
    "已超时",
    "督办",
    "重新打开",
    "平均评分",
];

fn tally_row(name: &str, t: &Tally) -> Vec<String> {
    vec![
        name.to_string(),
        t.requests.to_string(),
        Tally::percent(t.accepted_in_time, t.acceptance_decided),
        Tally::percent(t.resolved_in_time, t.resolution_decided),
        t.open.to_string(),
        t.at_risk.to_string(),
        t.breached.to_string(),
        t.escalated.to_string(),
        t.reopened.to_string(),
        t.mean_rating(),
    ]
}

fn tally_table(
    first: &str,
    rows: &BTreeMap<String, Tally>,
    label: impl Fn(&str) -> String,
) -> Markup {
    html! {
        table {
            tr { th { (first) } @for h in &TALLY_HEADERS[1..] { th { (h) } } }
            @for (k, t) in rows {
                tr { @for c in tally_row(&label(k), t) { td { (c) } } }
            }
        }
    }
}

/// The report of `year`'s requests (raised that year) that `p` sees, as of now.
fn year_report(app: &App, p: &Principal, year: i32) -> Result<Report, ServerError> {
    let all = visible(app, p)?;
    let now = app.now();
    report(
        all.iter()
            .map(|s| &s.request)
            .filter(|r| r.submitted.date.year == year),
        &app.levels,
        &app.calendar,
        now,
    )
    .map_err(|e| ServerError::BadRequest(e.to_string()))
}

fn year_of(app: &App, q: &YearQuery) -> i32 {
    q.year.unwrap_or_else(|| app.now().date.year)
}

fn provider_names(app: &App) -> Result<BTreeMap<String, String>, ServerError> {
    Ok(app
        .store()?
        .providers()?
        .into_iter()
        .map(|p| (p.uscc, p.name))
        .collect())
}

/// The monthly trend as bars: requests raised, with the on-time answer rate.
fn trend(r: &Report) -> Markup {
    let months: Vec<Bar> = r
        .by_month
        .iter()
        .map(|(m, t)| Bar {
            label: m.clone(),
            value: t.requests as f64,
            text: format!(
                "{} 件，按时办结 {}",
                t.requests,
                Tally::percent(t.resolved_in_time, t.resolution_decided)
            ),
        })
        .collect();
    bars("每月诉求量与按时办结率", &months)
}

/// The service-level report of a year for the visitor's scope.
pub async fn levels(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        let year = year_of(&app, &q);
        let r = year_report(&app, p, year)?;
        let names = provider_names(&app)?;
        let body = html! {
            form method="get" action="/service-levels" { "年度 " input type="number" name="year" value=(year) class="year"; " " button { "查看" } " " a href=(format!("/service-levels.xlsx?year={year}")) { "导出 XLSX" } }
            p class="muted" { "受理时限 1 个工作日；办结时限按四帮分别设定；工作日按国务院办公厅公布的节假日和调休安排，每个工作日 "
                (app.levels.day.minutes / 60) " 小时；待企业补充期间暂停计时；用去 " (app.levels.warn) "% 即为临近超时。截至 " (app.now()) "。" }
            (tally_table("合计", &BTreeMap::from([("全部".to_string(), r.total.clone())]), str::to_string))
            h2 { "按枢纽" } (tally_table("枢纽", &r.by_hub, str::to_string))
            h2 { "按承办单位" } (tally_table("承办", &r.by_assignee, |k| names.get(k).cloned().unwrap_or_else(|| k.to_string())))
            h2 { "按四帮" } (tally_table("四帮", &r.by_category, str::to_string))
            h2 { "每月" } (trend(&r))
            (tally_table("月份", &r.by_month, str::to_string))
        };
        Ok(layout(&v, &format!("{year}年服务水平"), body))
    })
    .await
}

/// The same report as XLSX: a sheet per grouping.
pub async fn levels_xlsx(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Result<axum::response::Response, crate::PageError> {
    use axum::response::IntoResponse;
    let Query(q) = q.map_err(bad_request)?;
    let (year, bytes) = crate::blocking(move || {
        let p = v.principal()?;
        let year = year_of(&app, &q);
        let r = year_report(&app, p, year)?;
        let names = provider_names(&app)?;
        let rows = |m: &BTreeMap<String, Tally>, label: &dyn Fn(&str) -> String| {
            m.iter()
                .map(|(k, t)| tally_row(&label(k), t))
                .collect::<Vec<_>>()
        };
        let same = |k: &str| k.to_string();
        let named = |k: &str| names.get(k).cloned().unwrap_or_else(|| k.to_string());
        let head = |first: &'static str| {
            let mut h = TALLY_HEADERS.to_vec();
            h[0] = first;
            h
        };
        let sheets = vec![
            ("合计", head("合计"), vec![tally_row("全部", &r.total)]),
            ("按枢纽", head("枢纽"), rows(&r.by_hub, &same)),
            ("按承办单位", head("承办"), rows(&r.by_assignee, &named)),
            ("按四帮", head("四帮"), rows(&r.by_category, &same)),
            ("每月", head("月份"), rows(&r.by_month, &same)),
        ];
        jx555_report::sheets_xlsx(&sheets)
            .map(|b| (year, b))
            .map_err(|e| ServerError::Internal(e.to_string()))
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
                format!("attachment; filename=\"service-levels-{year}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The （二十） events of `year` measured against their limits: connections in working minutes
/// against the target's 8 working hours, approvals in days (as the pack reads them) against 80.
pub(crate) struct Promises {
    pub connections: Compliance<jx555_workflow::service::Connection>,
    pub approvals: Compliance<jx555_workflow::service::Approval>,
    pub reading: DayReading,
}

pub(crate) fn promises(app: &App, year: i32) -> Result<Promises, ServerError> {
    let (conns, apprs) = {
        let store = app.store()?;
        (store.connections(Some(year))?, store.approvals(Some(year))?)
    };
    let reading = DayReading::of(&app.pack_refs());
    let limit = |id: &str, default: u64| {
        app.pack_refs()
            .iter()
            .flat_map(|p| &p.targets)
            .find(|t| t.id == id)
            .and_then(|t| match &t.goal {
                jx555_lang::types::Value::Int(n) => u64::try_from(*n).ok(),
                jx555_lang::types::Value::Decimal(d) => {
                    rust_decimal::prelude::ToPrimitive::to_u64(d)
                }
                _ => None,
            })
            .unwrap_or(default)
    };
    let bad = |e: jx555_workflow::calendar::NotLoaded| ServerError::BadRequest(e.to_string());
    Ok(Promises {
        connections: comply(&conns, limit(targets::CONNECTION_HOURS, 8) * 60, |c| {
            connection_minutes(c, &app.levels, &app.calendar)
        })
        .map_err(bad)?,
        approvals: comply(&apprs, limit(targets::APPROVAL_DAYS, 80), |a| {
            approval_days(a, reading, &app.calendar).map(u64::from)
        })
        .map_err(bad)?,
        reading,
    })
}

fn hours(minutes: u64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The public summary: how the desk and the （二十） promises did, with no enterprise named.
pub async fn summary(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let year = year_of(&app, &q);
        let city = Principal {
            name: "public".into(),
            role: Role::Auditor,
            scope: Scope::City,
        };
        let r = year_report(&app, &city, year)?;
        let pr = promises(&app, year)?;
        let body = html! {
            form method="get" action="/service" { "年度 " input type="number" name="year" value=(year) class="year"; " " button { "查看" } }
            p { "「一九千万」企业服务体系：1 个市级枢纽、9 个县级枢纽、服务供给机构和 96871 热线，受理企业的政策帮、事务帮、诉求帮、服务帮诉求。" }
            (tally_table("合计", &BTreeMap::from([("全部".to_string(), r.total.clone())]), str::to_string))
            h2 { "按枢纽" } (tally_table("枢纽", &r.by_hub, str::to_string))
            h2 { "按四帮" } (tally_table("四帮", &r.by_category, str::to_string))
            h2 { "每月" } (trend(&r))
            h2 { "水电气报装接通（确认报装后 1 个工作日内）" }
            p { (pr.connections.events) " 件，按时 " (pr.connections.within) " 件（" (Tally::percent(pr.connections.within as u64, pr.connections.events as u64)) "），最长 "
                (pr.connections.longest.map(hours).unwrap_or_else(|| "—".into())) " 个工作时。" }
            h2 { "一般企业投资项目竣工验收前审批（最多 80 天）" }
            p { (pr.approvals.events) " 个项目，按时 " (pr.approvals.within) " 个（" (Tally::percent(pr.approvals.within as u64, pr.approvals.events as u64)) "），最长 "
                (pr.approvals.longest.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) (day_unit(pr.reading)) "。" }
        };
        Ok(layout(&v, &format!("{year}年企业服务水平"), body))
    })
    .await
}

fn day_unit(r: DayReading) -> &'static str {
    match r {
        DayReading::Calendar => " 天（自然日）",
        DayReading::Working => " 个工作日",
    }
}

/// Only the city hub keeps the registry and the events.
fn city_hub(p: &Principal) -> Result<(), ServerError> {
    if p.role == Role::Hub && p.scope == Scope::City {
        Ok(())
    } else {
        Err(ServerError::Forbidden(
            "服务供给机构名录和（二十）事件由市级枢纽维护".into(),
        ))
    }
}

/// 服务台管理: the registry, the import forms, and the year's （二十） compliance with its breaches.
pub async fn desk(
    State(app): AppState,
    v: Visitor,
    q: Result<Query<YearQuery>, QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(bad_request)?;
    render(move || desk_page(&app, &v, year_of(&app, &q), None)).await
}

fn desk_page(
    app: &App,
    v: &Visitor,
    year: i32,
    note: Option<Markup>,
) -> Result<axum::response::Html<String>, ServerError> {
    let p = v.principal()?;
    city_hub(p)?;
    let providers = app.store()?.providers()?;
    let pr = promises(app, year)?;
    let upload = |what: &str, action: &str, columns: &[(&str, &str)]| {
        html! {
            form method="post" enctype="multipart/form-data" action=(format!("{action}?csrf={}", v.csrf())) class="login" {
                input type="hidden" name="csrf" value=(v.csrf());
                h3 { (what) }
                p class="muted" { "CSV（UTF-8）或 XLSX 的第一个工作表，列：" (columns.iter().map(|c| format!("{}（{}）", c.1, c.0)).collect::<Vec<_>>().join("、")) "。有一处错误则整份不导入。" }
                input type="file" name="file" accept=".csv,.xlsx" required;
                button type="submit" { "导入" }
            }
        }
    };
    let body = html! {
        @if let Some(n) = note { (n) }
        h2 { "服务供给机构名录（" (providers.len()) " 家）" }
        (upload("导入或更新服务供给机构", "/desk/providers", &jx555_facts::desk::PROVIDER_COLUMNS))
        table {
            tr { th { "名称" } th { "统一社会信用代码" } th { "四帮" } th { "服务县区" } th { "登记日期" } }
            @for x in &providers {
                tr { td { (x.name) } td { (x.uscc) } td { (x.categories.iter().map(|c| c.name()).collect::<Vec<_>>().join("、")) }
                     td { (if x.counties.is_empty() { "全市".to_string() } else { x.counties.join("、") }) } td { (x.registered) } }
            }
        }
        form method="post" action="/desk/provider" class="login" {
            input type="hidden" name="csrf" value=(v.csrf());
            h3 { "新增或修改一家服务供给机构" }
            label { "统一社会信用代码 " input type="text" name="uscc" required; }
            label { "名称 " input type="text" name="name" required; }
            fieldset { legend { "服务类别" }
                @for c in jx555_workflow::request::Category::ALL { label { input type="checkbox" name="categories" value=(c.name()); " " (c.name()) } " " }
            }
            label { "服务县区（以“、”分隔；空为全市） " input type="text" name="counties"; }
            button type="submit" { "保存" }
        }
        h2 { "（二十）服务时限 · " (year) "年" }
        form method="get" action="/desk" { "年度 " input type="number" name="year" value=(year) class="year"; " " button { "查看" } }
        (upload("导入水电气报装接通记录", "/desk/connections", &jx555_facts::desk::CONNECTION_COLUMNS))
        (upload("导入投资项目审批记录", "/desk/approvals", &jx555_facts::desk::APPROVAL_COLUMNS))
        h3 { "水电气报装接通：" (pr.connections.events) " 件，按时 " (pr.connections.within) " 件" }
        @if !pr.connections.breaches.is_empty() {
            table {
                tr { th { "企业" } th { "类别" } th { "确认报装" } th { "接通" } th { "用时（工作时）" } }
                @for (c, m) in &pr.connections.breaches {
                    tr class="no" { td { (c.enterprise) } td { (c.utility.name()) } td { (c.confirmed) } td { (c.connected) } td { (hours(*m)) } }
                }
            }
        }
        h3 { "投资项目审批：" (pr.approvals.events) " 个，按时 " (pr.approvals.within) " 个（" (day_unit(pr.reading).trim()) "）" }
        @if !pr.approvals.breaches.is_empty() {
            table {
                tr { th { "项目代码" } th { "企业" } th { "开始" } th { "完成" } th { "用时" } }
                @for (a, d) in &pr.approvals.breaches {
                    tr class="no" { td { (a.project) } td { (a.enterprise) } td { (a.started) } td { (a.approved) } td { (d) } }
                }
            }
        }
    };
    Ok(layout(v, "服务台管理", body))
}

/// An import of the city hub: the uploaded file read as one table, kept by `keep` (which says the
/// year to show and what was done), then the desk page; a problem anywhere keeps nothing.
async fn import(
    app: std::sync::Arc<App>,
    v: Visitor,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    keep: impl FnOnce(&App, &Principal, &jx555_facts::RawTable) -> Result<(i32, Markup), ServerError>
    + Send
    + 'static,
) -> Page {
    city_hub(v.principal()?)?;
    let (name, bytes) = super::files::field(multipart).await?;
    render(move || {
        let p = v.principal()?;
        let t = super::files::table(&name, &bytes)?;
        let (year, note) = keep(&app, p, &t)?;
        desk_page(&app, &v, year, Some(note))
    })
    .await
}

/// Imports providers (added, or updated by 统一社会信用代码).
pub async fn import_providers(
    State(app): AppState,
    v: Visitor,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Page {
    import(app, v, multipart, |app, p, t| {
        let list = jx555_facts::desk::read_providers(t, app.now().date)
            .map_err(|ps| super::files::problems(&ps))?;
        let (added, updated) = app.store_as(p)?.save_providers(&list)?;
        let note =
            html! { p class="ok" { "已导入：新增 " (added) " 家，更新 " (updated) " 家。" } };
        Ok((app.now().date.year, note))
    })
    .await
}

/// Adds or edits one provider from the form, validated as a row of the registry's import.
pub async fn save_provider(State(app): AppState, v: Visitor, body: axum::body::Bytes) -> Page {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| ServerError::BadRequest(format!("表单无法识别：{e}")))?;
    render(move || {
        let p = v.principal()?;
        city_hub(p)?;
        let field = |k: &str| -> Vec<&str> {
            pairs
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, x)| x.as_str())
                .collect()
        };
        let row = [
            field("uscc").join(""),
            field("name").join(""),
            field("categories").join("、"),
            field("counties").join("、"),
        ];
        let table = jx555_facts::RawTable {
            source: "表单".into(),
            name: "providers".into(),
            headers: jx555_facts::desk::PROVIDER_COLUMNS
                .iter()
                .map(|c| c.0.to_string())
                .collect(),
            rows: vec![row.to_vec()].into(),
        };
        let list = jx555_facts::desk::read_providers(&table, app.now().date)
            .map_err(|ps| super::files::problems(&ps))?;
        let (added, _) = app.store_as(p)?.save_providers(&list)?;
        let note = html! { p class="ok" { (list[0].name) (if added == 1 { " 已登记。" } else { " 已修改。" }) } };
        desk_page(&app, &v, app.now().date.year, Some(note))
    })
    .await
}

fn exists(app: &App) -> impl Fn(&str) -> bool + '_ {
    let facts = app.facts();
    move |u: &str| facts.index.enterprise_row(u).is_some()
}

/// Imports utility connections, all or none.
pub async fn import_connections(
    State(app): AppState,
    v: Visitor,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Page {
    import(app, v, multipart, |app, p, t| {
        let list = jx555_facts::desk::read_connections(t, &exists(app))
            .map_err(|ps| super::files::problems(&ps))?;
        let n = app.store_as(p)?.add_connections(&list)?;
        let year = list
            .first()
            .map_or(app.now().date.year, |c| c.confirmed.date.year);
        Ok((
            year,
            html! { p class="ok" { "已导入报装接通记录 " (n) " 件。" } },
        ))
    })
    .await
}

/// Imports project approvals, all or none.
pub async fn import_approvals(
    State(app): AppState,
    v: Visitor,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Page {
    import(app, v, multipart, |app, p, t| {
        let list = jx555_facts::desk::read_approvals(t, &exists(app))
            .map_err(|ps| super::files::problems(&ps))?;
        let n = app.store_as(p)?.add_approvals(&list)?;
        let year = list
            .first()
            .map_or(app.now().date.year, |a| a.approved.year);
        Ok((
            year,
            html! { p class="ok" { "已导入项目审批记录 " (n) " 个。" } },
        ))
    })
    .await
}
