//! What one request may take: a body past the limit is 413, a what-if of too many settings is
//! refused, and evaluations past the line get 503 with Retry-After while the rest of the site answers.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_server::{Limits, shared_router};
use jx555_workflow::access::Role;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

mod support;

async fn post_whatif(
    router: &axum::Router,
    token: &str,
    body: String,
) -> (StatusCode, Value, Option<String>) {
    let req = Request::post("/api/v1/whatif")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let retry = resp
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap(), retry)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_takes_only_its_share() {
    let site = support::site();
    let limits = Limits {
        max_body: 4096,
        max_settings: 3,
        evaluations: 1,
        queue_wait: Duration::from_millis(50),
        request_timeout: Duration::from_secs(60),
    };
    let app = Arc::new(site.app().with_limits(limits));
    let router = shared_router(app.clone());
    let token = &site.who(Role::Finance).token;

    let huge = format!(r#"{{"year":2023,"set":["{}"]}}"#, "x".repeat(10_000));
    let (s, v, _) = post_whatif(&router, token, huge).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")),
        "{v}"
    );

    let many = r#"{"year":2023,"set":["小微园补助上限=800万","小微园补助上限=700万","小微园补助上限=600万","小微园补助上限=500万"]}"#;
    let (s, v, _) = post_whatif(&router, token, many.into()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["message"].as_str().unwrap().contains("最多调整 3 项"),
        "{v}"
    );

    // The one evaluation slot is taken: the next what-if waits its 50 ms and is told to come back;
    // pages that do not evaluate answer as ever.
    let held = app.evaluation_slot().await.unwrap();
    let one = r#"{"year":2023,"set":["小微园补助上限=800万"]}"#;
    let (s, v, retry) = post_whatif(&router, token, one.into()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("busy")),
        "{v}"
    );
    assert_eq!(retry.as_deref(), Some("5"));
    let page = router
        .clone()
        .oneshot(Request::get("/policy").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    drop(held);
    let (s, v, _) = post_whatif(&router, token, one.into()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Clients that open connections and never finish their headers are cut off at the header
/// deadline, and while they hold every slot a new client waits, then is served: loopback only,
/// a few connections, seconds at most.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_hold_the_server() {
    use jx555_server::listen::{Connections, serve};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = Connections {
        max: 4,
        header_timeout: Duration::from_millis(500),
        lifetime: Duration::from_secs(30),
    };
    tokio::spawn(serve(
        listener,
        jx555_server::router(support::app()),
        limits,
    ));
    // Six half-open connections: more than the server keeps open.
    let mut slow = Vec::new();
    for _ in 0..6 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .unwrap();
        slow.push(s);
    }
    let started = std::time::Instant::now();
    let mut fresh = tokio::net::TcpStream::connect(addr).await.unwrap();
    fresh
        .write_all(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), fresh.read_to_end(&mut answer))
        .await
        .expect("a new client is served once the slow ones are cut off")
        .unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // Every slow connection was closed by the server (end of stream, or a 408 and then the end).
    for mut s in slow {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "a half-open connection was left open");
    }
}

/// With allowed hosts set, a request for another host name is refused before anything else.
#[tokio::test]
async fn only_the_allowed_hosts_are_answered() {
    let app = support::app().with_allowed_hosts(jx555_server::AllowedHosts(vec![
        "jx555.jiaxing.example".into(),
    ]));
    let router = jx555_server::router(app);
    let status = |host: &'static str| {
        let router = router.clone();
        async move {
            let req = Request::get("/policy")
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        }
    };
    assert_eq!(status("jx555.jiaxing.example:5555").await, StatusCode::OK);
    assert_eq!(status("evil.example").await, StatusCode::BAD_REQUEST);
}
