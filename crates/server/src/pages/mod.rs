//! The pages: server-rendered HTML in Chinese, one file per page; no script is needed (and the
//! Content-Security-Policy allows none).
//!
//! Adding a page is one file here, one route in [`routes`] with the [`Action`] it takes (the access
//! table decides who may) and, when it belongs in the navigation, one entry in [`NAV`].

mod account;
mod audit;
pub(crate) mod cases;
mod compare;
mod dashboard;
mod enterprise;
mod enterprises;
mod files;
mod layout;
mod login;
mod parts;
mod payments;
mod policy;
mod publications;
pub(crate) mod requests;
mod review;
mod run;
mod runs;
mod service;
mod targets;
mod whatif;

use crate::auth::Routes;
use crate::{App, PageError, ServerError, blocking};
use axum::response::{Html, IntoResponse, Response};
use jx555_workflow::access::Action;
use std::sync::Arc;

pub use layout::error_page;

type AppState = axum::extract::State<Arc<App>>;
type Page = Result<Html<String>, PageError>;

/// The navigation bar: path, label and the action it takes (a visitor sees only what it may open).
pub const NAV: &[(&str, &str, Action)] = &[
    ("/", "总览", Action::ViewCityTotals),
    ("/policy", "政策", Action::ViewPolicy),
    ("/enterprises", "企业", Action::FindEnterprises),
    ("/runs", "兑现", Action::ViewRuns),
    ("/cases", "奖补事项", Action::ViewCases),
    ("/messages", "消息", Action::ViewCases),
    ("/targets", "目标", Action::ViewTargets),
    ("/review", "终期评估", Action::ViewCityTotals),
    ("/publications", "公示", Action::ViewPublications),
    ("/payments", "拨付", Action::ViewPayments),
    ("/requests", "诉求", Action::ViewRequests),
    ("/service-levels", "服务水平", Action::ViewServiceLevels),
    ("/service", "企业服务", Action::ViewServiceSummary),
    ("/desk", "服务台管理", Action::ManageServiceDesk),
    ("/accounts", "账号管理", Action::ManageOfficialAccounts),
    ("/staff", "经办人", Action::ManageEnterpriseStaff),
    ("/audit", "审计日志", Action::ViewAudit),
];

/// Every page's route, with the action it takes.
pub fn routes() -> Routes {
    use Action::*;
    Routes::default()
        .get("/", ViewCityTotals, dashboard::page)
        .get("/style.css", SignIn, layout::stylesheet)
        .get("/policy", ViewPolicy, policy::page)
        .get("/enterprises", FindEnterprises, enterprises::page)
        .get("/enterprises/{uscc}", ViewEnterprise, enterprise::page)
        .get("/runs", ViewRuns, runs::page)
        .get("/runs/{id}", ViewRuns, run::page)
        .get("/runs/{id}/payout.xlsx", ViewRuns, run::xlsx)
        .get("/runs/{id}/payout.csv", ViewRuns, run::csv)
        .get("/compare", CompareRuns, compare::page)
        .get("/whatif", WhatIf, whatif::form)
        .post("/whatif", WhatIf, whatif::result)
        .get("/targets", ViewTargets, targets::page)
        .get("/review", ViewCityTotals, review::page)
        .get("/review.xlsx", ViewCityTotals, review::xlsx)
        .get("/login", SignIn, login::form)
        .post("/login", SignIn, login::submit)
        .post("/logout", SignIn, login::logout)
        .get("/account", OwnAccount, account::own)
        .post("/account/password", OwnAccount, account::change_password)
        .get("/accounts", ManageOfficialAccounts, account::officials)
        .post("/accounts", ManageOfficialAccounts, account::add)
        .post("/accounts/{name}", ManageOfficialAccounts, account::change)
        .get("/staff", ManageEnterpriseStaff, account::staff)
        .post("/staff", ManageEnterpriseStaff, account::add)
        .post("/staff/{name}", ManageEnterpriseStaff, account::change)
        .get("/audit", ViewAudit, audit::page)
        .get("/cases", ViewCases, cases::list)
        .get("/cases.xlsx", ViewCases, cases::export)
        .get("/messages", ViewCases, cases::messages)
        .post("/cases/bulk", ActOnCase, cases::bulk)
        .get("/cases/{id}", ViewCases, cases::page)
        .post("/cases/{id}", ActOnCase, cases::act)
        .upload(
            "/cases/{id}/attachments",
            ActOnCase,
            cases::upload,
            jx555_workflow::case::MAX_ATTACHMENT + 64 * 1024,
        )
        .get("/cases/{id}/attachments/{file}", ViewCases, cases::download)
        .get("/publications", ViewPublications, publications::list)
        .get("/publications/{id}", ViewPublications, publications::page)
        .post("/publications", Publish, publications::publish)
        .get("/payments", ViewPayments, payments::list)
        .post("/payments", Pay, payments::make)
        .get("/payments/{id}", ViewPayments, payments::page)
        .post("/payments/{id}", Pay, payments::settle)
        .upload(
            "/payments/{id}/return",
            Pay,
            payments::settle_return,
            20 << 20,
        )
        .get(
            "/payments/{id}/bank.xlsx",
            ViewPayments,
            payments::bank_xlsx,
        )
        .get("/payments/{id}/bank.csv", ViewPayments, payments::bank_csv)
        .get("/requests", ViewRequests, requests::list)
        .get("/requests/new", RaiseRequest, requests::new_form)
        .post("/requests", RaiseRequest, requests::raise)
        .get("/requests/{id}", ViewRequests, requests::page)
        .post("/requests/{id}", ActOnRequest, requests::act)
        .upload(
            "/requests/{id}/attachments",
            ActOnRequest,
            requests::upload,
            jx555_workflow::case::MAX_ATTACHMENT + 64 * 1024,
        )
        .get(
            "/requests/{id}/attachments/{file}",
            ViewRequests,
            requests::download,
        )
        .get("/service-levels", ViewServiceLevels, service::levels)
        .get(
            "/service-levels.xlsx",
            ViewServiceLevels,
            service::levels_xlsx,
        )
        .get("/service", ViewServiceSummary, service::summary)
        .get("/desk", ManageServiceDesk, service::desk)
        .post("/desk/provider", ManageServiceDesk, service::save_provider)
        .upload(
            "/desk/providers",
            ManageServiceDesk,
            service::import_providers,
            20 << 20,
        )
        .upload(
            "/desk/connections",
            ManageServiceDesk,
            service::import_connections,
            20 << 20,
        )
        .upload(
            "/desk/approvals",
            ManageServiceDesk,
            service::import_approvals,
            20 << 20,
        )
}

/// Renders a page on the blocking pool: store reads and evaluations never hold up the async threads.
async fn render(f: impl FnOnce() -> Result<Html<String>, ServerError> + Send + 'static) -> Page {
    Ok(blocking(f).await?)
}

/// What a page's address or query asked that cannot be read, said in Chinese (axum's own words
/// follow, for whoever debugs).
fn bad_request(e: impl axum::response::IntoResponse + std::fmt::Display) -> PageError {
    PageError(ServerError::BadRequest(format!(
        "请求的地址或参数无效：{e}"
    )))
}

/// The page for an address that is no page (JSON under `/api/`).
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::api::error(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "no such endpoint; see /api/v1/openapi.json",
        );
    }
    PageError(ServerError::NotFound("没有这个页面".into())).into_response()
}
