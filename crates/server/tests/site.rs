//! Every endpoint of the API and every page, with the router in process (no socket), over a small demo
//! Jiaxing evaluated under the bundled pack; bad input answers 4xx with `{code, message}`.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_server::router;
use jx555_store::Store;
use jx555_workflow::access::Role;
use serde_json::Value;
use support::{app, site};
use tower::ServiceExt;

mod support;

async fn call(
    method: Method,
    uri: &str,
    body: Option<(&str, String)>,
) -> (StatusCode, Vec<u8>, String) {
    call_on(app(), site().who(Role::Auditor), method, uri, body).await
}

/// A request as `who` (the auditor by default: city-wide, sees every figure): its session for pages
/// (with the CSRF token a form carries), its token for the API. Who may see what is `access.rs`'s
/// subject.
async fn call_on(
    app: jx555_server::App,
    who: &support::Credentials,
    method: Method,
    uri: &str,
    body: Option<(&str, String)>,
) -> (StatusCode, Vec<u8>, String) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, &who.cookie)
        .header("x-csrf-token", &who.csrf)
        .header(header::AUTHORIZATION, format!("Bearer {}", who.token));
    let body = match body {
        Some((ct, b)) => {
            req = req.header(header::CONTENT_TYPE, ct);
            Body::from(b)
        }
        None => Body::empty(),
    };
    let resp = router(app).oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes, ct)
}

async fn get_json(uri: &str) -> (StatusCode, Value) {
    let (status, bytes, ct) = call(Method::GET, uri, None).await;
    assert!(ct.starts_with("application/json"), "{uri}: {ct}");
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn get_page(uri: &str) -> (StatusCode, String) {
    let (status, bytes, ct) = call(Method::GET, uri, None).await;
    assert!(ct.starts_with("text/html"), "{uri}: {ct}");
    (status, String::from_utf8(bytes).unwrap())
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn packs_and_rules() {
    let (s, v) = get_json("/api/v1/packs").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["id"], "jiaxing-555-2020");
    assert_eq!(v[0]["document"], "嘉政发〔2020〕8号");
    assert_eq!(v[0]["effective_until"], "2025-12-31");
    let (s, v) = get_json("/api/v1/packs/jiaxing-555-2020/rules").await;
    assert_eq!(s, StatusCode::OK);
    let rule = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "升规连续三年奖励")
        .unwrap();
    assert_eq!(rule["clause"], "（六）");
    assert_eq!(rule["mode"], "automatic");
    let (s, v) = get_json("/api/v1/packs/nope/rules").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn enterprises_and_explanations() {
    let uscc = &site().uscc;
    let (s, v) = get_json(&format!("/api/v1/enterprises?q={uscc}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["uscc"], uscc.as_str());
    let (s, v) = get_json(&format!("/api/v1/enterprises/{uscc}/explain?year=2023")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["uscc"], uscc.as_str());
    assert!(!v["gets"].as_array().unwrap().is_empty(), "{v}");
    let (s, v) = get_json(&format!(
        "/api/v1/enterprises/{uscc}/explain?year=2023&rule={}",
        enc("升规连续三年奖励")
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["rule"], "升规连续三年奖励");
    assert!(v["conditions"].is_array());
    // Bad input: a missing query, a year outside the pack, an enterprise that does not exist.
    let (s, v) = get_json("/api/v1/enterprises").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    let (s, v) = get_json(&format!("/api/v1/enterprises/{uscc}/explain?year=2030")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("2025-12-31"), "{v}");
    let (s, _) = get_json("/api/v1/enterprises/NOPE/explain?year=2023").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get_json(&format!("/api/v1/enterprises/{uscc}/explain?year=abc")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn runs_whatif_and_targets() {
    let (s, v) = get_json("/api/v1/runs").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v[0]["id"], 1);
    let (s, v) = get_json("/api/v1/runs/1?limit=3").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["lines"].as_array().unwrap().len(), 3);
    assert!(v["line_count"].as_u64().unwrap() > 3);
    let (s, _) = get_json("/api/v1/runs/99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get_json("/api/v1/runs/abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let post = |body: &str| {
        call(
            Method::POST,
            "/api/v1/whatif",
            Some(("application/json", body.to_string())),
        )
    };
    let (s, bytes, _) = post(r#"{"year":2023,"set":["升规连续三年奖励金额=1元"]}"#).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let (s, bytes, _) = post(r#"{"year":2023,"set":["强链认定奖励[national]=300万"]}"#).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        v["variant_total"].as_i64() >= v["baseline_total"].as_i64(),
        "{v}"
    );
    // A city share over 100% (the county's would be negative) and a key that is no county.
    let over: Vec<String> = jx555_facts::model::COUNTIES
        .iter()
        .map(|c| format!("\"市级承担比例[{c}]=150%\""))
        .collect();
    let (s, bytes, _) = post(&format!(r#"{{"year":2023,"set":[{}]}}"#, over.join(","))).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(s, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("outside 0%–100%"), "{text}");
    let (s, bytes, _) = post(r#"{"year":2023,"set":["市级承担比例[北京市]=50%"]}"#).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(s, StatusCode::BAD_REQUEST, "{text}");
    assert!(
        text.contains("no key 北京市") && text.contains("南湖区"),
        "{text}"
    );
    let (s, _, _) = post("not json").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, _) = post(r#"{"year":2023,"set":[]}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, v) = get_json("/api/v1/targets?year=2023").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "规上工业总产值")
    );
    let (s, _) = get_json("/api/v1/targets?year=x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = get_json("/api/v1/nothing/here").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let (s, v) = get_json("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["openapi"], "3.0.3");
    let paths = v["paths"].as_object().unwrap();
    for p in [
        "/packs",
        "/packs/{id}/rules",
        "/enterprises",
        "/enterprises/{uscc}/explain",
        "/runs",
        "/runs/{id}",
        "/whatif",
        "/targets",
        "/openapi.json",
        "/publications",
        "/publications/{id}",
        "/payments",
        "/payments/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} is not in the OpenAPI document");
    }
    // What needs a token says so, as the access table does.
    assert_eq!(
        v["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for rule in jx555_server::route_rules() {
        let Some(p) = rule.path.strip_prefix("/api/v1") else {
            continue;
        };
        let op = &paths[p][rule.method.as_str().to_lowercase()];
        let public = jx555_workflow::access::permits(None, rule.action);
        assert_eq!(
            op["security"].is_array(),
            !public,
            "{p}: security as the table says"
        );
    }
}

#[tokio::test]
async fn the_pages_show_what_a_person_needs() {
    let (s, home) = get_page("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("最新兑现测算：第 1 号（2023年度）"), "{home}");
    assert!(
        home.contains("按县（市、区）") && home.contains("<svg"),
        "{home}"
    );
    assert!(home.contains("全市规上工业总产值"));
    // Every clause's rule is listed under 按条款, those with no line this year too.
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/jiaxing-555-2020/policy.md"
    ))
    .unwrap();
    let by_rule = &home[home.find("<h3>按条款</h3>").expect("按条款")..];
    let by_rule = &by_rule[..by_rule.find("</table>").unwrap()];
    let rules = policy.lines().filter(|l| l.starts_with("rule ")).count();
    assert_eq!(by_rule.matches("<tr").count(), rules + 1, "{by_rule}");
    assert!(
        by_rule.contains("2019年以后升规且连续三年在规"),
        "{by_rule}"
    );
    assert!(
        home.contains("市区共担：市级 0.00万元") && home.contains("产业链资金占比"),
        "{home}"
    );

    let (_, policy) = get_page("/policy").await;
    assert!(
        policy.contains("“就高不重复”的口径") && policy.contains("投资项目"),
        "the reading of 就高不重复 and its groups"
    );
    assert!(policy.contains("（六）培育强链企业"));
    assert!(policy.contains("data-rule=\"升规连续三年奖励\""));
    assert!(policy.contains("最新测算："));
    assert!(
        policy.contains("规则原文") && policy.contains("rule 升规连续三年奖励 for enterprise e")
    );
    assert!(
        policy.contains("说明：有效期"),
        "notes are shown under their sentence"
    );

    let uscc = &site().uscc;
    let (_, found) = get_page(&format!("/enterprises?q={uscc}")).await;
    assert!(found.contains(&format!("/enterprises/{uscc}")), "{found}");
    let (s, page) = get_page(&format!("/enterprises/{uscc}?year=2023")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("可享受") && page.contains("不具备") && page.contains("依据："));
    assert!(page.contains("分年度数据") && page.contains("营业收入"));

    let (_, runs) = get_page("/runs").await;
    assert!(runs.contains("/runs/1/payout.xlsx"));
    let (_, run) = get_page("/runs/1").await;
    assert!(run.contains("第 1 号兑现测算（2023年度）"));
    let (_, cmp) = get_page("/compare?a=1&b=1").await;
    assert!(cmp.contains("第 1 号 与 第 1 号 比较"));
    let (_, t) = get_page("/targets?year=2023").await;
    assert!(t.contains("规上企业数量（倍增）") && t.contains("2019年的200%"));

    let (_, form) = get_page("/whatif").await;
    assert!(form.contains("市级承担比例") && form.contains("待定"));
    let (s, bytes, _) = call(
        Method::POST,
        "/whatif",
        Some((
            "application/x-www-form-urlencoded",
            format!("year=2023&set={}", enc("强链认定奖励[national]=300万")),
        )),
    )
    .await;
    let result = String::from_utf8(bytes).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(
        result.contains("模拟结果") && result.contains("按奖补项目"),
        "{result}"
    );
    let (_, bytes, _) = call(
        Method::POST,
        "/whatif",
        Some((
            "application/x-www-form-urlencoded",
            format!("year=2023&set={}", enc("没有=1")),
        )),
    )
    .await;
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("no parameter 没有")
    );

    let (s, missing) = get_page("/enterprises/NOPE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(missing.contains("没有统一社会信用代码为 NOPE 的企业"));
    let (s, _) = get_page("/runs/99").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_payout_list_downloads_as_xlsx_and_csv() {
    let (s, bytes, ct) = call(Method::GET, "/runs/1/payout.xlsx", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");
    let (s, bytes, ct) = call(Method::GET, "/runs/1/payout.csv", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("text/csv"));
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .starts_with("序号,政策条款")
    );
}

#[tokio::test]
async fn an_enterprise_page_lists_what_the_ledger_granted_it() {
    let own = support::build(300);
    let page = |app| async {
        let uri = format!("/enterprises/{}?year=2023", own.uscc);
        String::from_utf8(
            call_on(app, own.who(Role::Auditor), Method::GET, &uri, None)
                .await
                .1,
        )
        .unwrap()
    };
    let before = page(own.app()).await;
    assert!(before.contains("台账中尚无已审定的奖补"), "{before}");
    // Its case is paid: the payment goes into the ledger.
    support::pay(&own.db, own.case_id);
    let after = page(own.app()).await;
    assert!(!after.contains("台账中尚无已审定的奖补"), "{after}");
    assert!(after.contains("<td>2023</td>"), "{after}");
}

/// A run's page shows one page of its lines and links to the others; the lines of all pages are the
/// run's lines, in order.
#[tokio::test]
async fn a_run_is_paged() {
    let (_, v) = get_json("/api/v1/runs/1?limit=1").await;
    let count = v["line_count"].as_u64().unwrap() as usize;
    let (_, first) = get_page("/runs/1").await;
    let rows = |html: &str| html.matches("<td class=\"n\">").count();
    assert_eq!(rows(&first), count.min(200));
    let (_, v) = get_json("/api/v1/runs/1?limit=2&page=2").await;
    let (_, all) = get_json("/api/v1/runs/1?limit=4").await;
    assert_eq!(
        v["lines"][0], all["lines"][2],
        "page 2 of 2 starts at the third line"
    );
    assert_eq!(v["pages"].as_u64().unwrap() as usize, count.div_ceil(2));
    let (s, _) = get_json("/api/v1/runs/1?page=0").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, past) = get_page("/runs/1?page=999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(past.contains("页明细"), "{past}");
}

/// Bad addresses and queries on pages get a Chinese page, not axum's English text.
#[tokio::test]
async fn bad_page_requests_are_answered_in_chinese() {
    for uri in [
        "/runs/abc",
        "/targets?year=x",
        "/compare?a=1",
        "/runs/1?page=x",
    ] {
        let (s, page) = get_page(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        assert!(page.contains("请求的地址或参数无效"), "{uri}: {page}");
    }
    let (s, page) = get_page("/nowhere").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(page.contains("没有这个页面"), "{page}");
}

/// After an import replaces the facts, the running server serves the new ones (reloaded in the
/// background; requests meanwhile get the old ones whole), without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_is_seen_without_a_restart() {
    let own = support::build(200);
    let router = router(own.app());
    let who = own.who(Role::Auditor);
    let ask = |uri: String| {
        let router = router.clone();
        async move {
            let req = Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {}", who.token))
                .body(Body::empty())
                .unwrap();
            let resp = router.oneshot(req).await.unwrap();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }
    };
    let data = jx555_facts::demo::generate(250, 7).unwrap();
    let ids = data
        .table("enterprises")
        .unwrap()
        .column_by_name("uscc")
        .unwrap()
        .clone();
    let ids = arrow::array::AsArray::as_string::<i32>(ids.as_ref());
    let before = ask("/api/v1/enterprises?q=9&limit=200".into()).await;
    let known: Vec<&str> = before
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uscc"].as_str().unwrap())
        .collect();
    let new = (0..arrow::array::Array::len(ids))
        .map(|i| ids.value(i))
        .find(|u| !known.contains(u))
        .unwrap()
        .to_string();
    jx555_store::sqlite::SqliteStore::open(&own.db)
        .unwrap()
        .replace_facts(&data, &mut |_, _| std::ops::ControlFlow::Continue(()))
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let found = ask(format!("/api/v1/enterprises?q={new}")).await;
        if found.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the new facts were not loaded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// A database moved away while the server runs is not created again at its old path: the server
/// keeps the one handle it opened, and goes on reading and writing the moved file.
#[tokio::test]
async fn a_moved_database_is_not_created_again() {
    let own = support::build(100);
    let router = router(own.app());
    let moved = own.db.with_extension("moved");
    std::fs::rename(&own.db, &moved).unwrap();
    let who = own.who(Role::Finance);
    for uri in ["/policy", "/runs"] {
        let req = Request::get(uri)
            .header(header::COOKIE, &who.cookie)
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
    }
    // A write (an API token's use is audited) goes to the moved file.
    let req = Request::get("/api/v1/runs")
        .header(header::AUTHORIZATION, format!("Bearer {}", who.token))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        router.clone().oneshot(req).await.unwrap().status(),
        StatusCode::OK
    );
    assert!(!own.db.exists(), "no new database at the old path");
}

/// 终期评估 counts what the ledger paid: nothing before the year's case is paid, its amount after —
/// in the total, the year's row and the county's row; draws each target year by year, counts the
/// review lines nobody decided; public, as an XLSX too.
#[tokio::test]
async fn the_review_counts_what_the_ledger_paid() {
    use jx555_store::cases::Cases;
    let own = support::build(300);
    let page = |app| async {
        let router = jx555_server::router(app);
        let resp = tower::ServiceExt::oneshot(
            router,
            axum::http::Request::get("/review?from=2020&to=2025")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "public");
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    let before = page(own.app()).await;
    assert!(
        before.contains("合计 <strong>0.00万元</strong>"),
        "{before}"
    );
    // Every target drawn year by year.
    let policy = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/jiaxing-555-2020/policy.md"
    ))
    .unwrap();
    let targets = policy.lines().filter(|l| l.starts_with("target ")).count();
    assert_eq!(before.matches("<figure>").count(), targets);
    assert_eq!(before.matches("<svg").count(), targets);
    // The released year's review lines nobody has applied for yet are counted, where they stopped.
    let store = jx555_store::sqlite::SqliteStore::open(&own.db).unwrap();
    let waiting = store
        .cases(&jx555_store::cases::CaseFilter {
            state: Some(jx555_workflow::case::State::Open),
            ..Default::default()
        })
        .unwrap()
        .len();
    assert!(waiting > 0);
    let open = jx555_store::cases::undecided(&store, 2020, 2025).unwrap();
    assert_eq!(open.len(), waiting);
    assert!(
        open.iter()
            .all(|o| o.year == 2023 && o.state.as_deref() == Some("待申报"))
    );
    assert!(
        before.contains("<h2>未决事项</h2>") && before.contains("<td>待申报</td>"),
        "{before}"
    );
    assert!(
        jx555_store::cases::undecided(&store, 2024, 2025)
            .unwrap()
            .is_empty()
    );
    support::pay(&own.db, own.case_id);
    let (c, _) = jx555_store::sqlite::SqliteStore::open(&own.db)
        .unwrap()
        .case(own.case_id)
        .unwrap()
        .unwrap();
    let paid = jx555_report::wan(c.case.paid.unwrap());
    let after = page(own.app()).await;
    assert!(
        after.contains(&format!("合计 <strong>{paid}</strong>，惠及企业 1 家")),
        "{after}"
    );
    assert!(
        after.contains(&format!("<td>2023</td><td>{paid}</td>")),
        "{after}"
    );
    assert!(
        after.contains(&format!("<td>{}</td><td>{paid}</td>", own.county)),
        "{after}"
    );
    let (s, bytes, _) = call(Method::GET, "/review.xlsx?from=2020&to=2025", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&bytes[..2], b"PK");
    let (s, _, _) = call(Method::GET, "/review?from=2025&to=2020", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// A 公示 states its basis as the pack names it: the opinion's title and 文号, not another's.
#[tokio::test]
async fn a_publication_cites_the_opinion_by_its_title() {
    let (s, page) = get_page(&format!("/publications/{}", support::site().publication_id)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(
            "依据《嘉兴市人民政府关于实施嘉兴新制造“555”行动的若干意见》（嘉政发〔2020〕8号）"
        ),
        "{page}"
    );
}
