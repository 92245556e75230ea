//! The pages: server-rendered HTML in Chinese, one file per page; no script is needed.
//!
//! Adding a page is one file here, one route in [`routes`] and, when it belongs in the navigation, one
//! entry in [`NAV`].

mod compare;
mod dashboard;
mod enterprise;
mod enterprises;
mod layout;
mod parts;
mod policy;
mod run;
mod runs;
mod targets;
mod whatif;

use crate::{App, PageError, ServerError, blocking};
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use std::sync::Arc;

pub use layout::error_page;

type AppState = axum::extract::State<Arc<App>>;
type Page = Result<Html<String>, PageError>;

/// The navigation bar: path and label, in order.
pub const NAV: &[(&str, &str)] = &[
    ("/", "总览"),
    ("/policy", "政策"),
    ("/enterprises", "企业"),
    ("/runs", "兑现"),
    ("/targets", "目标"),
];

/// Every page's route.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/policy", get(policy::page))
        .route("/enterprises", get(enterprises::page))
        .route("/enterprises/{uscc}", get(enterprise::page))
        .route("/runs", get(runs::page))
        .route("/runs/{id}", get(run::page))
        .route("/runs/{id}/payout.xlsx", get(run::xlsx))
        .route("/runs/{id}/payout.csv", get(run::csv))
        .route("/compare", get(compare::page))
        .route("/whatif", get(whatif::form).post(whatif::result))
        .route("/targets", get(targets::page))
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

/// The page for an address that is no page.
pub async fn not_found() -> PageError {
    PageError(ServerError::NotFound("没有这个页面".into()))
}
