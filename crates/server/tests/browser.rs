//! The site in a real browser: Debian's chromium driven through chromedriver (WebDriver), against the
//! server on a loopback port. An anonymous visitor sees the public dashboard and is sent to the login
//! page for an enterprise; the enterprise's staff logs in and sees its own page only; the county
//! reviewer sees only its county; the finance bureau runs a what-if and downloads the payout list —
//! checking what each person would see.
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

    // A 公示 is public: no login needed.
    let site = support::site();
    c.goto(&format!("{base}/publications/{}", site.publication_id))
        .await
        .unwrap();
    let notice = text(&c, "main").await;
    assert!(
        notice.contains("公示期至") && notice.contains("审计校验点"),
        "{notice}"
    );

    // An enterprise page needs a login: the visitor is sent to the login page, and back after it.
    let uscc = site.uscc.clone();
    c.goto(&format!("{base}/enterprises/{uscc}")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "登录");
    log_in(&c, "enterprise-staff").await;
    let page = text(&c, "main").await;
    assert!(page.contains(&uscc), "{page}");
    assert!(page.contains("可享受") && page.contains("依据："), "{page}");
    let explanations = c.find_all(Locator::Css(".explanation")).await.unwrap();
    assert!(!explanations.is_empty());
    let header = text(&c, "header").await;
    assert!(header.contains("企业经办人"), "{header}");
    let runs = c.find_all(Locator::LinkText("兑现")).await.unwrap();
    assert!(
        runs.is_empty(),
        "the navigation offers only what the role may open"
    );
    // Its pushed award: it confirms the receiving account (the holder is filled in for it).
    c.goto(&format!("{base}/cases/{}", site.case_id))
        .await
        .unwrap();
    assert!(text(&c, "main").await.contains("待确认"));
    c.find(Locator::Css("input[name=bank]"))
        .await
        .unwrap()
        .send_keys("中国工商银行嘉兴分行")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=number]"))
        .await
        .unwrap()
        .send_keys("1204060009000123456")
        .await
        .unwrap();
    click(&c, Locator::Css("main form button")).await;
    let confirmed = text_with(&c, "main", "待公示").await;
    assert!(
        confirmed.contains("待公示") && confirmed.contains("1204060009000123456"),
        "{confirmed}"
    );
    // Another enterprise's page does not exist for it.
    c.goto(&format!("{base}/enterprises/{}", site.other))
        .await
        .unwrap();
    assert!(text(&c, "main").await.contains("没有统一社会信用代码为"));
    log_out(&c).await;

    // The county reviewer: the search and the run show its county only.
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, "county-reviewer").await;
    click(&c, Locator::LinkText("企业")).await;
    let q = c.find(Locator::Css("input[name=q]")).await.unwrap();
    q.send_keys("9").await.unwrap();
    click(&c, Locator::Css("main button[type=submit]")).await;
    wait_for(&c, "main table").await;
    let cells = c
        .find_all(Locator::Css("main table tr td:nth-child(3)"))
        .await
        .unwrap();
    assert!(!cells.is_empty());
    for cell in cells {
        assert_eq!(cell.text().await.unwrap(), site.county);
    }
    c.goto(&format!("{base}/runs/1")).await.unwrap();
    assert!(text(&c, "main").await.contains("范围内的明细与合计"));
    let cells = c
        .find_all(Locator::Css("main table tr td:nth-child(5)"))
        .await
        .unwrap();
    assert!(!cells.is_empty());
    for cell in cells {
        assert_eq!(cell.text().await.unwrap(), site.county);
    }
    log_out(&c).await;

    // A review line: its enterprise applies, the county reviewer passes the first review, the lead
    // department decides an amount within the cap.
    let (review, applicant, county, department) = review_case();
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, &applicant).await;
    c.goto(&format!("{base}/cases/{review}")).await.unwrap();
    let apply = "//form[input[@value='Apply']]";
    for (field, value) in [
        ("bank", "中国农业银行嘉兴分行"),
        ("number", "19390101040012345"),
    ] {
        c.find(Locator::XPath(&format!("{apply}//input[@name='{field}']")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(&c, Locator::XPath(&format!("{apply}//button"))).await;
    assert!(text_with(&c, "main", "待初审").await.contains("待初审"));
    log_out(&c).await;
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, &county).await;
    c.goto(&format!("{base}/cases/{review}")).await.unwrap();
    click(
        &c,
        Locator::XPath("//form[input[@value='PassFirstReview']]//button"),
    )
    .await;
    assert!(text_with(&c, "main", "待审核").await.contains("待审核"));
    log_out(&c).await;
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, &department).await;
    c.goto(&format!("{base}/cases/{review}")).await.unwrap();
    let decide = "//form[input[@value='Decide']]";
    for (field, value) in [("amount", "1万"), ("reason", "经审核，按实际投入核定")] {
        c.find(Locator::XPath(&format!("{decide}//input[@name='{field}']")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click(&c, Locator::XPath(&format!("{decide}//button"))).await;
    let decided = text_with(&c, "main", "待公示").await;
    assert!(decided.contains("1.00万元"), "{decided}");
    log_out(&c).await;

    // The enterprise raises a request (诉求) by the form; its county's hub finds it in its queue,
    // opens it and accepts it.
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, "enterprise-staff").await;
    click(&c, Locator::LinkText("诉求")).await;
    click(&c, Locator::LinkText("提出诉求")).await;
    c.find(Locator::Css("input[name=tags][value='融资难']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("textarea[name=text]"))
        .await
        .unwrap()
        .send_keys("希望对接银行办理技改贷款")
        .await
        .unwrap();
    click(&c, Locator::Css("main form button[type=submit]")).await;
    let raised = text_with(&c, "main", "诉求已提交").await;
    assert!(
        raised.contains("待受理") && raised.contains("融资难"),
        "{raised}"
    );
    // The page after the post is the request's own, headed with its number.
    let h1 = text(&c, "h1").await;
    let number: String = h1.chars().filter(char::is_ascii_digit).collect();
    log_out(&c).await;
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, "hub").await;
    click(&c, Locator::LinkText("诉求")).await;
    let queue = text(&c, "main").await;
    assert!(
        queue.contains("希望对接银行") || queue.contains("待受理"),
        "{queue}"
    );
    click(&c, Locator::LinkText(&number)).await;
    click(&c, Locator::XPath("//form[input[@value='Accept']]//button")).await;
    let accepted = text_with(&c, "main", "已办理").await;
    assert!(accepted.contains("已受理"), "{accepted}");
    log_out(&c).await;

    // The finance bureau (city-wide) runs what-ifs and downloads the payout list.
    c.goto(&format!("{base}/login")).await.unwrap();
    log_in(&c, "finance").await;

    // 兑现 → what-if: raise the national award and see the difference by rule.
    c.goto(&format!("{base}/whatif")).await.unwrap();
    let set = c.find(Locator::Css("textarea[name=set]")).await.unwrap();
    set.send_keys("强链认定奖励[national]=300万").await.unwrap();
    click(&c, Locator::Css("main button[type=submit]")).await;
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

/// A review line of the shared site waiting for its application, with accounts (made here) for its
/// enterprise, its county's reviewer and its lead department's reviewer: the case and their names.
fn review_case() -> (i64, String, String, String) {
    use jx555_store::cases::{CaseFilter, Cases};
    use jx555_workflow::access::{Role, Scope};
    use jx555_workflow::case::{Path, State};
    let mut store = jx555_store::sqlite::SqliteStore::open(&support::site().db).unwrap();
    let c = store
        .cases(&CaseFilter {
            state: Some(State::Open),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .find(|c| {
            matches!(
                c.case.path,
                Path::Review {
                    cap: Some(cap),
                    case_by_case: false
                } if cap >= 1_000_000
            ) && c.case.enterprise.is_some()
                && c.case.county.is_some()
        })
        .expect("a review line with a cap of at least 1万");
    let names = ("applicant", "review-county", "review-department");
    support::sign_in(
        &mut store,
        names.0,
        Role::EnterpriseStaff,
        Scope::Enterprise(c.case.enterprise.clone().unwrap()),
    );
    support::sign_in(
        &mut store,
        names.1,
        Role::CountyReviewer,
        Scope::County(c.case.county.clone().unwrap()),
    );
    support::sign_in(
        &mut store,
        names.2,
        Role::DepartmentReviewer,
        Scope::Department(c.case.department.clone()),
    );
    (c.id, names.0.into(), names.1.into(), names.2.into())
}

/// The text of the first element matching `css`.
async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Fills in the login form on the current page and submits it.
async fn log_in(c: &fantoccini::Client, name: &str) {
    c.find(Locator::Css("input[name=name]"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(support::PASSWORD)
        .await
        .unwrap();
    click(c, Locator::Css("main button[type=submit]")).await;
    // The logout button is there only once signed in: the new page has loaded.
    wait_for(c, "header .who form").await;
    let who = text(c, "header .who").await;
    assert!(who.contains(name), "signed in as {name}: {who}");
}

/// Clicks 退出 in the header.
async fn log_out(c: &fantoccini::Client) {
    click(c, Locator::Css("header .who button")).await;
    wait_for(c, "header .who a[href='/login']").await;
}

/// Clicks the first element `at` finds.
async fn click(c: &fantoccini::Client, at: Locator<'_>) {
    c.find(at).await.unwrap().click().await.unwrap();
}

/// Waits until an element matching `css` is on the page.
async fn wait_for(c: &fantoccini::Client, css: &str) {
    c.wait().for_element(Locator::Css(css)).await.unwrap();
}

/// The text of `css` once it contains `needle` (the page after a form's post has loaded), waiting
/// up to ten seconds.
async fn text_with(c: &fantoccini::Client, css: &str, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let now = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if now.contains(needle) || started.elapsed() > Duration::from_secs(10) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
