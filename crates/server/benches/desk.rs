//! The service desk at the issue's scale: 100,000 requests in a year (the demo's generator, every
//! step by the rules), loaded with their histories, then the pages timed through the router — the
//! service-level report of the whole city, a county hub's queue, a provider's queue and the public
//! summary — medians of 5.
//!
//! ```sh
//! cargo bench -p jx555-server --bench desk
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_store::desk::Desk;
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::{Role, Scope};
use jx555_workflow::clock::Moment;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[tokio::main]
async fn main() {
    let site = support::build(10_000);
    let mut store = SqliteStore::open(&site.db).unwrap();
    let enterprises: Vec<(String, Option<String>)> = {
        let f = jx555_store::Store::facts(&store).unwrap().unwrap().0;
        let index = jx555_engine::FactIndex::from_batches(&f.tables).unwrap();
        let t = index.table(jx555_lang::types::EntityKind::Enterprise);
        (0..t.rows)
            .map(|i| {
                (
                    t.ids.value(i).to_string(),
                    t.text("county", i).map(str::to_string),
                )
            })
            .collect()
    };
    let cal = jx555_workflow::calendar::Calendar::bundled().unwrap();
    let end = Moment::parse("2026-12-01 15:00").unwrap();
    let t = Instant::now();
    let year = jx555_store::desk_demo::year(
        &enterprises,
        &["市经信局".to_string(), "市科技局".to_string()],
        100_000,
        end,
        &cal,
        555,
    );
    let steps: usize = year.requests.iter().map(|h| h.steps.len()).sum();
    println!(
        "100,000 requests generated ({steps} steps, each by request::step): {:.1?}",
        t.elapsed()
    );
    let t = Instant::now();
    store.save_providers(&year.providers).unwrap();
    store.load_history(&year.requests).unwrap();
    store.add_connections(&year.connections).unwrap();
    store.add_approvals(&year.approvals).unwrap();
    println!(
        "stored with {} audit entries in one transaction: {:.1?}",
        year.requests.len() + steps,
        t.elapsed()
    );
    let provider = year.providers[20].uscc.clone();
    let county_hub = support::sign_in(
        &mut store,
        "bench-hub",
        Role::Hub,
        Scope::County(site.county.clone()),
    );
    let auditor = site.who(Role::Auditor).clone();
    let provider = support::sign_in(
        &mut store,
        "bench-provider",
        Role::Provider,
        Scope::Provider(provider),
    );
    let router = jx555_server::router(site.app().with_now(end));
    let time = |who: Option<support::Credentials>, uri: &'static str| {
        let router = router.clone();
        async move {
            let mut times = Vec::new();
            let mut size = 0;
            for _ in 0..5 {
                let mut req = Request::get(uri);
                if let Some(w) = &who {
                    req = req.header(header::COOKIE, &w.cookie);
                }
                let t = Instant::now();
                let resp = router
                    .clone()
                    .oneshot(req.body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::OK, "{uri}");
                size = resp.into_body().collect().await.unwrap().to_bytes().len();
                times.push(t.elapsed());
            }
            times.sort();
            (times[2], size)
        }
    };
    let show = |what: &str, (t, size): (Duration, usize)| {
        println!("{what}: {t:.1?} ({} KB)", size / 1024);
    };
    show(
        "the city's service-level report of 2026 (/service-levels, 审计)",
        time(Some(auditor.clone()), "/service-levels?year=2026").await,
    );
    show(
        "its XLSX",
        time(Some(auditor), "/service-levels.xlsx?year=2026").await,
    );
    show(
        "a county hub's queue (/requests, open ones)",
        time(Some(county_hub.clone()), "/requests").await,
    );
    show(
        "a county hub's queue with the answered and closed",
        time(Some(county_hub), "/requests?show=all").await,
    );
    show(
        "a provider's queue",
        time(Some(provider), "/requests").await,
    );
    show(
        "the public summary (/service)",
        time(None, "/service?year=2026").await,
    );
    show(
        "the targets page with the desk's measures (/targets?year=2026)",
        time(None, "/targets?year=2026").await,
    );
}
