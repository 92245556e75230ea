//! How fast the site answers on the 10,000-enterprise demo: every page and the explanation of one
//! enterprise through the API, each request through the whole router (routing, store reads, engine,
//! rendering), median of 21.
//!
//! ```sh
//! cargo bench -p jx555-server --bench pages
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let t = Instant::now();
    let site = support::build(10_000);
    println!(
        "demo store of 10,000 enterprises with the 2023 run: {:?}",
        t.elapsed()
    );
    let router = jx555_server::router(site.app());
    let uscc = &site.uscc;
    let form = format!(
        "year=2023&set={}",
        "强链认定奖励[national]=300万"
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let requests: Vec<(&str, String, Option<String>)> = vec![
        ("总览", "/".into(), None),
        ("政策", "/policy".into(), None),
        ("企业查询", format!("/enterprises?q={}", &uscc[..10]), None),
        (
            "企业页（含全部规则的解释）",
            format!("/enterprises/{uscc}?year=2023"),
            None,
        ),
        ("兑现测算列表", "/runs".into(), None),
        ("一次兑现测算", "/runs/1".into(), None),
        ("兑现清单 XLSX", "/runs/1/payout.xlsx".into(), None),
        ("目标", "/targets?year=2023".into(), None),
        ("参数模拟（两次测算）", "/whatif".into(), Some(form)),
        (
            "API：解释一家企业",
            format!("/api/v1/enterprises/{uscc}/explain?year=2023"),
            None,
        ),
    ];
    for (name, uri, form) in &requests {
        let mut times = Vec::new();
        for _ in 0..21 {
            let mut req = Request::builder().uri(uri.as_str());
            let body = match form {
                Some(f) => {
                    req = req
                        .method(Method::POST)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                    Body::from(f.clone())
                }
                None => Body::empty(),
            };
            let t = Instant::now();
            let resp = router
                .clone()
                .oneshot(req.body(body).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{uri}");
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            times.push(t.elapsed());
            assert!(!bytes.is_empty());
        }
        println!("{name:<28} {uri:<60} {:>10.2?}", median(times));
    }
}
