//! The site in a real browser: Debian's chromium driven through chromedriver (WebDriver), against the
//! server on a loopback port. It opens the dashboard, searches an enterprise, opens its explanation,
//! runs a what-if and downloads the payout list, checking what a person would see.
//!
//! It needs `chromium` and `chromedriver` (Debian's `chromium` and `chromium-driver`), so `cargo test`
//! skips it; `.ci/run` installs them and runs it with `--ignored`. `CHROMEDRIVER` and `CHROMIUM` name
//! other binaries.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver, stopped when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_driver() -> (Driver, String) {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin} ({e}); install Debian's chromium-driver"));
    let driver = Driver(child);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; .ci/run installs them and runs it"]
async fn a_person_uses_the_site_in_a_browser() {
    // The server, on a loopback port of its own.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = support::app();
    tokio::spawn(async move { axum::serve(listener, jx555_server::router(app)).await });

    let (_driver, webdriver) = start_driver();
    let profile = tempfile::tempdir().unwrap();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let c = ClientBuilder::new(connector)
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&webdriver)
        .await
        .expect("a chromium session");

    // 总览: the latest run and its charts.
    c.goto(&format!("{base}/")).await.unwrap();
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "总览");
    let main = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(main.contains("最新兑现测算：第 1 号（2023年度）"), "{main}");
    assert!(
        !c.find_all(Locator::Css("svg.chart"))
            .await
            .unwrap()
            .is_empty()
    );

    // 企业: search by uscc, open the enterprise.
    let uscc = support::site().uscc.clone();
    c.find(Locator::LinkText("企业"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let q = c.find(Locator::Css("input[name=q]")).await.unwrap();
    q.send_keys(&uscc).await.unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = c
        .wait()
        .for_element(Locator::Css(&format!("a[href='/enterprises/{uscc}']")))
        .await
        .unwrap();
    link.click().await.unwrap();
    let page = c
        .wait()
        .for_element(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&uscc), "{page}");
    assert!(page.contains("可享受") && page.contains("依据："), "{page}");
    let explanations = c.find_all(Locator::Css(".explanation")).await.unwrap();
    assert!(!explanations.is_empty());

    // 兑现 → what-if: raise the national award and see the difference by rule.
    c.goto(&format!("{base}/whatif")).await.unwrap();
    let set = c.find(Locator::Css("textarea[name=set]")).await.unwrap();
    set.send_keys("强链认定奖励[national]=300万").await.unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = c
        .wait()
        .for_element(Locator::Css("#result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        result.contains("模拟结果") && result.contains("按奖补项目"),
        "{result}"
    );

    // The payout list: the link the run page shows gives an XLSX workbook.
    c.goto(&format!("{base}/runs/1")).await.unwrap();
    let href = c
        .find(Locator::LinkText("下载兑现清单（XLSX）"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(href, "/runs/1/payout.xlsx");
    let response = c
        .raw_client_for(axum::http::Method::GET, &format!("{base}{href}"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&body[..2], b"PK", "an XLSX workbook is a zip");
    c.close().await.unwrap();
}
