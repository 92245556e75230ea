//! One run: its total, a page of its lines, and its payout list to download.

use super::layout::layout;
use super::parts::rule_title;
use super::{AppState, Page, bad_request, render};
use crate::auth::Visitor;
use crate::{PageError, ServerError, blocking, queries};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jx555_report::{standing_name, wan};
use maud::html;
use serde::Deserialize;

/// Lines on one page of a run.
pub const PER_PAGE: usize = 200;

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<usize>,
}

/// A run's total and one page of its lines (only that page is read from the store).
pub async fn page(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Page {
    let Path(id) = id.map_err(bad_request)?;
    let Query(q) = q.map_err(bad_request)?;
    render(move || {
        let p = v.principal()?;
        // A city-wide role reads only the page asked for; a scoped one the run's lines in its scope.
        let scoped = (!p.city_wide()).then(|| queries::run_for(&app, p, id)).transpose()?;
        let info = match &scoped {
            Some((info, _)) => info.clone(),
            None => app.store()?.run_info(id)?,
        };
        let pages = info.lines.div_ceil(PER_PAGE).max(1);
        let page = q.page.unwrap_or(1);
        if page == 0 || page > pages {
            return Err(ServerError::NotFound(format!(
                "第 {id} 号测算只有 {pages} 页明细"
            )));
        }
        let lines = match scoped {
            Some((_, run)) => run
                .lines
                .into_iter()
                .skip((page - 1) * PER_PAGE)
                .take(PER_PAGE)
                .collect(),
            None => app.store()?.run_lines(id, (page - 1) * PER_PAGE, PER_PAGE)?,
        };
        Ok(layout(
&v,             &format!("第 {id} 号兑现测算（{}年度）", info.year),
            html! {
                @if !p.city_wide() { p class="note" { "仅显示" (p.scope) "范围内的明细与合计。" } }
                p { "可兑现合计 " strong { (wan(info.total)) } "，明细 " (info.lines) " 条。"
                    a href=(format!("/runs/{id}/payout.xlsx")) { "下载兑现清单（XLSX）" } " · "
                    a href=(format!("/runs/{id}/payout.csv")) { "CSV" } }
                table {
                    tr { th { "条款" } th { "奖补项目" } th { "对象" } th { "企业" } th { "县（市、区）" } th { "状态" } th { "金额" } }
                    @for l in &lines {
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
                @if pages > 1 {
                    p class="pages" {
                        "第 " (page) " / " (pages) " 页 "
                        @if page > 1 { a href=(format!("/runs/{id}?page={}", page - 1)) { "上一页" } " " }
                        @if page < pages { a href=(format!("/runs/{id}?page={}", page + 1)) { "下一页" } }
                    }
                }
            },
        ))
    })
    .await
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

/// A run's payout list in one of its forms, made on the blocking pool.
/// Only the visitor's scope is in the file.
async fn payout(
    State(app): AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
    form: Form,
) -> Result<Response, PageError> {
    let Path(id) = id.map_err(bad_request)?;
    let (year, bytes) = blocking(move || {
        let (info, run) = queries::run_for(&app, v.principal()?, id)?;
        let bytes = (form.write)(&run).map_err(|e| ServerError::Internal(e.to_string()))?;
        Ok((info.year, bytes))
    })
    .await?;
    Ok(download(
        bytes,
        form.content_type,
        format!(
            "{}.{}",
            jx555_report::payout_file_stem(year, id),
            form.extension
        ),
    ))
}

/// A form of the payout list: how it is written and served.
struct Form {
    write: fn(&jx555_engine::Run) -> Result<Vec<u8>, jx555_report::ReportError>,
    content_type: &'static str,
    extension: &'static str,
}

const XLSX: Form = Form {
    write: jx555_report::payout_xlsx,
    content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    extension: "xlsx",
};

const CSV: Form = Form {
    write: jx555_report::payout_csv,
    content_type: "text/csv; charset=utf-8",
    extension: "csv",
};

/// The payout list as XLSX.
pub async fn xlsx(
    app: AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, PageError> {
    payout(app, v, id, XLSX).await
}

/// The payout list as CSV.
pub async fn csv(
    app: AppState,
    v: Visitor,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, PageError> {
    payout(app, v, id, CSV).await
}
