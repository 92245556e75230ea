//! How fast the site answers on the 10,000-enterprise demo: every page and the explanation of one
//! enterprise through the API, each request through the whole router (identification, the route's
//! rule, store reads, engine, rendering), median of 21, as the auditor (city-wide) unless said; the
//! cost of identification and authorization alone (the stylesheet with and without a session);
//! and logins per second (Argon2id), one at a time and as many at once as there are cores.
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
    let auditor = site.who(jx555_workflow::access::Role::Auditor).clone();
    let county = site
        .who(jx555_workflow::access::Role::CountyReviewer)
        .clone();
    let anonymous = support::Credentials {
        name: String::new(),
        password: String::new(),
        cookie: String::new(),
        csrf: String::new(),
        token: String::new(),
    };
    let requests: Vec<(&str, String, Option<String>, &support::Credentials)> = vec![
        ("样式表（匿名）", "/style.css".into(), None, &anonymous),
        ("样式表（会话+授权）", "/style.css".into(), None, &auditor),
        ("总览（匿名）", "/".into(), None, &anonymous),
        ("总览", "/".into(), None, &auditor),
        (
            "一次兑现测算（县区审核员）",
            "/runs/1".into(),
            None,
            &county,
        ),
        ("政策", "/policy".into(), None, &auditor),
        (
            "企业查询",
            format!("/enterprises?q={}", &uscc[..10]),
            None,
            &auditor,
        ),
        (
            "企业页（含全部规则的解释）",
            format!("/enterprises/{uscc}?year=2023"),
            None,
            &auditor,
        ),
        ("兑现测算列表", "/runs".into(), None, &auditor),
        ("一次兑现测算", "/runs/1".into(), None, &auditor),
        (
            "兑现清单 XLSX",
            "/runs/1/payout.xlsx".into(),
            None,
            &auditor,
        ),
        ("目标", "/targets?year=2023".into(), None, &auditor),
        (
            "参数模拟（两次测算）",
            "/whatif".into(),
            Some(form),
            &auditor,
        ),
        (
            "API：解释一家企业",
            format!("/api/v1/enterprises/{uscc}/explain?year=2023"),
            None,
            &auditor,
        ),
    ];
    for (name, uri, form, who) in &requests {
        let mut times = Vec::new();
        for _ in 0..21 {
            let mut req = Request::builder().uri(uri.as_str());
            if !who.cookie.is_empty() {
                req = req
                    .header(header::COOKIE, &who.cookie)
                    .header("x-csrf-token", &who.csrf)
                    .header(header::AUTHORIZATION, format!("Bearer {}", who.token));
            }
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
    logins(&router, &auditor).await;
}

/// Logins per second: 20 one after another, then 40 from as many tasks as there are cores.
async fn logins(router: &axum::Router, who: &support::Credentials) {
    let form = format!(
        "name={}&password={}&csrf={}",
        who.name, who.password, who.csrf
    );
    let one = |router: axum::Router, form: String, cookie: String| async move {
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(form))
            .unwrap();
        let resp = router.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "a login succeeds");
        // The session is rotated: the next login goes from the new one.
        resp.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let mut cookie = who.cookie.clone();
    let mut csrf_form = form.clone();
    let t = Instant::now();
    for _ in 0..20 {
        cookie = one(router.clone(), csrf_form.clone(), cookie).await;
        // A signed-in session's token differs; a login form needs the token of the session it
        // comes from, so each step reads it back from the store through /account.
        csrf_form = format!(
            "name={}&password={}&csrf={}",
            who.name,
            who.password,
            csrf_of(router, &cookie).await
        );
    }
    let sequential = 20.0 / t.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut starts = Vec::new();
    for _ in 0..cores {
        let c = cookie.clone();
        starts.push((c.clone(), csrf_of(router, &c).await));
    }
    let t = Instant::now();
    let mut tasks = Vec::new();
    for (c, csrf) in starts {
        let router = router.clone();
        let name = who.name.clone();
        let password = who.password.clone();
        tasks.push(tokio::spawn(async move {
            let mut cookie = c;
            let mut csrf = csrf;
            for _ in 0..40 / cores {
                let form = format!("name={name}&password={password}&csrf={csrf}");
                cookie = one(router.clone(), form, cookie).await;
                csrf = csrf_of(&router, &cookie).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let parallel = (40 / cores * cores) as f64 / t.elapsed().as_secs_f64();
    println!(
        "登录（Argon2id m=19MiB t=2 p=1）：逐个 {sequential:.1} 次/秒；{cores} 路并发 {parallel:.1} 次/秒"
    );
}

/// The CSRF token of a session, read from the logout form of a page.
async fn csrf_of(router: &axum::Router, cookie: &str) -> String {
    let req = Request::get("/account")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let html = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let pat = "name=\"csrf\" value=\"";
    let at = html.find(pat).unwrap() + pat.len();
    html[at..at + 64].to_string()
}
