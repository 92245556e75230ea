//! A year's award cases through the pages, by the people of the policy: the enterprise confirms its
//! pushed award, the lead department publicizes it, an objection is raised and dismissed, finance is
//! refused a batch before the 公示 ends; a review line is applied for, passed and decided within its
//! cap. Every step is in the audit log under the person who took it.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_store::Store;
use jx555_store::audit::AuditFilter;
use jx555_store::cases::{CaseFilter, Cases};
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::Role;
use jx555_workflow::case::State;
use support::Site;
use tower::ServiceExt;

mod support;

async fn as_(
    router: &axum::Router,
    site: &Site,
    role: Role,
    uri: &str,
    form: Option<String>,
) -> (StatusCode, String) {
    let who = site.who(role);
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, &who.cookie)
        .header("x-csrf-token", &who.csrf);
    let req = match form {
        Some(f) => req
            .method("POST")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f)),
        None => req.method("GET").body(Body::empty()),
    }
    .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_award_and_a_review_line_walk_their_paths() {
    let site = support::build(600);
    let today = jx555_lang::types::Date::parse("2026-03-02").unwrap();
    let router = jx555_server::router(site.app().with_today(today));
    let id = site.case_id;
    let uri = format!("/cases/{id}");
    let store = || SqliteStore::open(&site.db).unwrap();
    let state = || store().case(id).unwrap().unwrap().0.case.state;
    assert_eq!(state(), State::Pushed);

    // The enterprise sees its cases only, and this one with the confirmation form.
    let (s, mine) = as_(&router, &site, Role::EnterpriseStaff, "/cases", None).await;
    assert_eq!(s, StatusCode::OK);
    let all = store().cases(&CaseFilter::default()).unwrap();
    let others = all
        .iter()
        .filter(|c| c.case.enterprise.as_deref() != Some(site.uscc.as_str()));
    for c in others {
        assert!(
            !mine.contains(&format!("href=\"/cases/{}\"", c.id)),
            "case {} is another's",
            c.id
        );
    }
    let (_, page) = as_(&router, &site, Role::EnterpriseStaff, &uri, None).await;
    assert!(page.contains("value=\"Confirm\""), "{page}");
    let payee = store().case(id).unwrap().unwrap().0.case.payee;
    let confirm = |holder: &str| {
        format!(
            "kind=Confirm&bank={}&number=12040600090001234&holder={}",
            enc("工商银行嘉兴分行"),
            enc(holder)
        )
    };
    let (s, wrong) = as_(
        &router,
        &site,
        Role::EnterpriseStaff,
        &uri,
        Some(confirm("别家公司")),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(wrong.contains("户名"), "{wrong}");
    let (s, _) = as_(
        &router,
        &site,
        Role::EnterpriseStaff,
        &uri,
        Some(confirm(&payee)),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(state(), State::Ready);

    // The county reviewer may not publicize; the lead department does, for 5 working days.
    let (s, no) = as_(
        &router,
        &site,
        Role::CountyReviewer,
        &uri,
        Some("kind=Publicize&days=5".into()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(no.contains("您不能"), "{no}");
    let (s, page) = as_(
        &router,
        &site,
        Role::DepartmentReviewer,
        &uri,
        Some("kind=Publicize&days=5".into()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("公示截止") && page.contains("2026-03-09"),
        "{page}"
    );

    // An objection holds it; the department dismisses it; finance may not pay before the end.
    let (s, _) = as_(
        &router,
        &site,
        Role::CountyReviewer,
        &uri,
        Some(format!("kind=Object&reason={}", enc("疑似重复"))),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = as_(
        &router,
        &site,
        Role::DepartmentReviewer,
        &uri,
        Some(format!("kind=Dismiss&reason={}", enc("已核实"))),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, early) = as_(
        &router,
        &site,
        Role::Finance,
        &uri,
        Some("kind=AddToBatch".into()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(early.contains("公示期未满"), "{early}");
    // The auditor reads the case but is offered nothing and may not act.
    let (s, read) = as_(&router, &site, Role::Auditor, &uri, None).await;
    assert!(s == StatusCode::OK && !read.contains("name=\"kind\""));
    let (s, _) = as_(
        &router,
        &site,
        Role::Auditor,
        &uri,
        Some("kind=Object&reason=x".into()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The period over (the app's today moved on), finance batches the fund, downloads the bank
    // file and records the batch paid: the payment, and only it, goes into the ledger.
    let after = jx555_server::router(
        site.app()
            .with_today(jx555_lang::types::Date::parse("2026-03-10").unwrap()),
    );
    let ledger_before = store().ledger().unwrap().entries().len();
    let (_, payments) = as_(&after, &site, Role::Finance, "/payments", None).await;
    let pat = "name=\"fund\" value=\"";
    let at = payments.find(pat).expect("a fund to batch") + pat.len();
    let fund = payments[at..].split('"').next().unwrap().to_string();

    let (s, batch) = as_(
        &after,
        &site,
        Role::Finance,
        "/payments",
        Some(format!("fund={}", enc(&fund))),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{batch}");
    // One batch per payer: the county's treasury pays its enterprises (no share set for the run).
    assert!(batch.contains("按拨付主体生成"), "{batch}");
    let batch_id = store().batches().unwrap()[0].id;
    let (_, made) = as_(
        &after,
        &site,
        Role::Finance,
        &format!("/payments/{batch_id}"),
        None,
    )
    .await;
    assert!(
        made.contains("资金与拨付主体：工信专项资金（") && made.contains("财政）"),
        "{made}"
    );
    let resp = after
        .clone()
        .oneshot(
            Request::get(format!("/payments/{batch_id}/bank.csv"))
                .header(header::COOKIE, &site.who(Role::Finance).cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let csv = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        csv.starts_with("收款人,统一社会信用代码,开户行,账号")
            && csv.contains("12040600090001234")
            && csv.contains(&payee),
        "{csv}"
    );
    let (s, _) = as_(
        &after,
        &site,
        Role::CountyReviewer,
        &format!("/payments/{batch_id}"),
        Some("voucher=x".into()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only finance records payments");
    let (s, paid) = as_(
        &after,
        &site,
        Role::Finance,
        &format!("/payments/{batch_id}"),
        Some(format!("voucher={}", enc("财拨〔2026〕001号"))),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{paid}");
    assert_eq!(state(), State::Paid);
    let amount = store().case(id).unwrap().unwrap().0.case.amount.unwrap();
    let subject = store().case(id).unwrap().unwrap().0.subject;
    let ledger = store().ledger().unwrap();
    let paid_in_batch = store().batch(batch_id).unwrap().unwrap().1.len();
    assert_eq!(ledger.entries().len(), ledger_before + paid_in_batch);
    assert!(
        ledger
            .entries()
            .iter()
            .any(|e| e.amount == amount && e.subject == subject)
    );

    // The same through the API with the tokens: the case in the finance token's list, its history,
    // and an action the table refuses, with the reason.
    let api = |role: Role, method: &'static str, uri: String, body: Option<String>| {
        let router = after.clone();
        let token = site.who(role).token.clone();
        async move { support::call_json(router, Some(&token), method, &uri, body).await }
    };
    let (s, list) = api(
        Role::Finance,
        "GET",
        "/api/v1/cases?state=Paid".into(),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list.as_array().unwrap().iter().any(|c| c["id"] == id),
        "{list}"
    );
    let (s, one) = api(
        Role::EnterpriseStaff,
        "GET",
        format!("/api/v1/cases/{id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["events"].as_array().unwrap().len(), 6, "{one}");
    let (s, refused) = api(
        Role::EnterpriseStaff,
        "POST",
        format!("/api/v1/cases/{id}"),
        Some(r#"{"kind":"Decline","reason":"晚了"}"#.into()),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        refused["message"].as_str().unwrap().contains("已拨付"),
        "{refused}"
    );

    // The enterprise's messages tell it what happened, newest first.
    let (_, messages) = as_(&after, &site, Role::EnterpriseStaff, "/messages", None).await;
    let paid_at = messages.find("已拨付").expect("the payment is a message");
    let confirmed_at = messages.find("待确认 → ").expect("its confirmation too");
    assert!(paid_at < confirmed_at, "newest first: {messages}");

    let log = store()
        .audit(&AuditFilter {
            object: Some(format!("case:{id}")),
            ..AuditFilter::default()
        })
        .unwrap();
    // The test site put a file with the case first (as whoever runs the tests).
    assert_eq!(log[0].action, "case.attach");
    let done: Vec<(&str, &str)> = log[1..]
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        done,
        [
            ("case.Confirm", "enterprise-staff"),
            ("case.Publicize", "department-reviewer"),
            ("case.Object", "county-reviewer"),
            ("case.Dismiss", "department-reviewer"),
            ("case.AddToBatch", "finance"),
            ("case.RecordPaid", "finance"),
        ]
    );

    // A review line of the same enterprise, if its year has one: applied, passed, decided in the cap.
    let review = all.iter().find(|c| {
        c.case.state == State::Open
            && c.case.enterprise.as_deref() == Some(site.uscc.as_str())
            && c.case.department == site.department
    });
    if let Some(r) = review {
        let uri = format!("/cases/{}", r.id);
        let (s, _) = as_(
            &router,
            &site,
            Role::EnterpriseStaff,
            &uri,
            Some(confirm(&r.case.payee).replace("Confirm", "Apply")),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = as_(
            &router,
            &site,
            Role::CountyReviewer,
            &uri,
            Some("kind=PassFirstReview".into()),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        if let jx555_workflow::case::Path::Review { cap: Some(cap), .. } = r.case.path {
            let over = format!("kind=Decide&amount={}&reason=x", (cap + 1) as f64 / 100.0);
            let (s, page) = as_(&router, &site, Role::DepartmentReviewer, &uri, Some(over)).await;
            assert_eq!(s, StatusCode::BAD_REQUEST);
            assert!(page.contains("上限"), "{page}");
        }
    }
}

/// A county reviewer passes many applications at once from its queue (each case stepped and
/// audited on its own); the queue filters and exports as XLSX.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_reviewer_passes_applications_in_bulk() {
    let site = support::build(2000);
    let router = jx555_server::router(site.app());
    let mut store = SqliteStore::open(&site.db).unwrap();
    let open: Vec<_> = store
        .cases(&CaseFilter {
            state: Some(State::Open),
            county: Some(site.county.clone()),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .filter(|c| c.case.enterprise.is_some())
        .take(3)
        .collect();
    assert!(
        open.len() >= 2,
        "the demo has applications to review in {}",
        site.county
    );
    for c in &open {
        apply(&mut store, c);
    }
    let (s, queue) = as_(
        &router,
        &site,
        Role::CountyReviewer,
        &format!("/cases?state={}", enc("待初审")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for c in &open {
        assert!(
            queue.contains(&format!("name=\"ids\" value=\"{}\"", c.id)),
            "{queue}"
        );
    }
    let (s, xlsx) = as_(
        &router,
        &site,
        Role::CountyReviewer,
        &format!("/cases.xlsx?state={}", enc("待初审")),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(xlsx.starts_with("PK"), "an XLSX workbook");
    let ids: String = open.iter().map(|c| format!("&ids={}", c.id)).collect();
    let (s, done) = as_(
        &router,
        &site,
        Role::CountyReviewer,
        "/cases/bulk",
        Some(format!("kind=PassFirstReview{ids}")),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(
        done.contains(&format!("已办理 {} 件", open.len())),
        "{done}"
    );
    for c in &open {
        assert_eq!(
            store.case(c.id).unwrap().unwrap().0.case.state,
            State::FirstPassed
        );
    }
    // The enterprise cannot review: each is refused, none changes.
    let (_, none) = as_(
        &router,
        &site,
        Role::EnterpriseStaff,
        "/cases/bulk",
        Some(format!("kind=Return&reason=x{ids}")),
    )
    .await;
    assert!(none.contains("已办理 0 件"), "{none}");
}

/// The applicant uploads its 申报材料: a PDF is kept with its SHA-256 in the audit log and read back
/// by the county reviewer as a download; a program named .pdf, a file over 20 MB, an upload without
/// the CSRF token and one by a reviewer are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_carry_checked_files() {
    let site = support::build(2000);
    let router = jx555_server::router(site.app());
    let store = SqliteStore::open(&site.db).unwrap();
    let open = store
        .cases(&CaseFilter {
            state: Some(State::Open),
            enterprise: Some(site.uscc.clone()),
            ..CaseFilter::default()
        })
        .unwrap();
    let c = match open.first() {
        Some(c) => c.clone(),
        // Its enterprise has no review line: take one of its county, and act as that enterprise
        // through a session of its own.
        None => store
            .cases(&CaseFilter {
                state: Some(State::Open),
                county: Some(site.county.clone()),
                ..CaseFilter::default()
            })
            .unwrap()
            .into_iter()
            .find(|c| c.case.enterprise.is_some())
            .unwrap(),
    };
    drop(store);
    let mut store = SqliteStore::open(&site.db).unwrap();
    let applicant = support::sign_in(
        &mut store,
        "applicant",
        Role::EnterpriseStaff,
        jx555_workflow::access::Scope::Enterprise(c.case.enterprise.clone().unwrap()),
    );
    let upload = |who: support::Credentials, csrf: bool, name: &'static str, bytes: Vec<u8>| {
        let router = router.clone();
        let id = c.id;
        async move {
            let boundary = "jx555boundary";
            let mut body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .into_bytes();
            body.extend_from_slice(&bytes);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            let query = if csrf {
                format!("?csrf={}", who.csrf)
            } else {
                String::new()
            };
            let req = Request::post(format!("/cases/{id}/attachments{query}"))
                .header(header::COOKIE, &who.cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap();
            let resp = router.oneshot(req).await.unwrap();
            let status = resp.status();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let pdf = b"%PDF-1.7\n% an application\n".to_vec();
    let (s, page) = upload(applicant.clone(), false, "申请表.pdf", pdf.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token: {page}");
    let (s, page) = upload(applicant.clone(), true, "../../申请表.pdf", pdf.clone()).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("申请表.pdf") && !page.contains("../"),
        "{page}"
    );
    let (s, page) = upload(
        applicant.clone(),
        true,
        "invoice.pdf",
        b"MZ\x90\x00 a program".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("PDF、JPG、PNG"), "{page}");
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(21 * 1024 * 1024, b'x');
    let (s, _) = upload(applicant.clone(), true, "huge.pdf", huge).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let reviewer = site.who(Role::CountyReviewer).clone();
    if c.case.county.as_deref() == Some(site.county.as_str()) {
        let (s, page) = upload(reviewer, true, "x.pdf", pdf.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{page}");
        assert!(page.contains("只有申报单位"), "{page}");
    }
    let files = SqliteStore::open(&site.db)
        .unwrap()
        .attachments(c.id)
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].sha256, jx555_store::audit::digest(&pdf));
    let log = SqliteStore::open(&site.db)
        .unwrap()
        .audit(&AuditFilter {
            object: Some(format!("case:{}", c.id)),
            ..AuditFilter::default()
        })
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "case.attach" && e.digest == files[0].sha256)
    );
    // Whoever sees the case downloads it, as an attachment.
    let (s, back) = as_(
        &router,
        &site,
        Role::Finance,
        &format!("/cases/{}/attachments/{}", c.id, files[0].id),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(back.as_bytes(), pdf.as_slice());
}

/// A multipart upload of one text file, as the page's form sends it.
async fn upload(
    router: &axum::Router,
    who: &support::Credentials,
    uri: &str,
    content: &str,
) -> (StatusCode, String) {
    let boundary = "XjX555bOuNdArY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"回单.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    let req = Request::builder()
        .method("POST")
        .uri(format!("{uri}?csrf={}", who.csrf))
        .header(header::COOKIE, &who.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_recorded_paid_from_the_finance_systems_return_file() {
    let site = support::build(600);
    let router = jx555_server::router(site.app());
    let store = || SqliteStore::open(&site.db).unwrap();
    let (_, cases) = store().batch(site.batch_id).unwrap().unwrap();
    let c = &cases[0];
    let amount = rust_decimal::Decimal::new(c.case.amount.unwrap(), 2);
    let uri = format!("/payments/{}/return", site.batch_id);
    let finance = site.who(Role::Finance);
    let head = "奖补事项编号,金额（元）,支付状态,失败原因,凭证号";
    // One yuan off, a case not in the batch, a second voucher: each named by row; nothing recorded.
    let wrong = format!(
        "{head}\n{},{},成功,,财拨〔2026〕9号\n999999,1.00,成功,,财拨〔2026〕10号\n",
        c.id,
        amount + rust_decimal::Decimal::ONE
    );
    let (s, said) = upload(&router, finance, &uri, &wrong).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{said}");
    assert!(
        said.contains("第1行")
            && said.contains("不符")
            && said.contains("第2行")
            && said.contains("凭证号"),
        "{said}"
    );
    assert_eq!(
        store().case(c.id).unwrap().unwrap().0.case.state,
        State::InBatch
    );
    // Bad cells are named by row and column before anything is matched.
    let (s, said) = upload(
        &router,
        finance,
        &uri,
        &format!("{head}\n{},x,退回,,\n", c.id),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(said.contains("第1行 列 金额（元）（amount）"), "{said}");
    // The county reviewer may not record payments.
    let (s, _) = upload(&router, site.who(Role::CountyReviewer), &uri, &wrong).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The right file: paid, into the ledger with its voucher.
    let right = format!("{head}\n{},{amount},成功,,财拨〔2026〕9号\n", c.id);
    let (s, page) = upload(&router, finance, &uri, &right).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("财拨〔2026〕9号"), "{page}");
    assert_eq!(
        store().case(c.id).unwrap().unwrap().0.case.state,
        State::Paid
    );
    let paid = store().payments().unwrap();
    assert!(
        paid.iter()
            .any(|(_, how)| how.contains(&format!("case:{}", c.id))
                && how.contains("财拨〔2026〕9号")),
        "{paid:?}"
    );
}

/// 就高不重复 between cases of one run: two pushed awards of the same achievement (planted: their
/// lines given one exclusivity key) are both published; finance sees the lower held, not clear for a
/// batch; the department withdraws the lower for the higher (the other way round is refused); then
/// the higher is clear, and the lower is paid by nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_achievement_is_paid_once_the_higher() {
    let site = support::build(600);
    let store = || SqliteStore::open(&site.db).unwrap();
    let cases = store().cases(&CaseFilter::default()).unwrap();
    let a = cases.iter().find(|c| c.id == site.case_id).unwrap().clone();
    let b = cases
        .iter()
        .find(|c| {
            c.id != a.id
                && c.run == a.run
                && c.case.state == State::Pushed
                && c.case.enterprise.is_some()
                && c.case.department == a.case.department
                && c.case.amount != a.case.amount
        })
        .expect("another pushed award of the same department")
        .clone();
    let db = rusqlite::Connection::open(&site.db).unwrap();
    for c in [&a, &b] {
        db.execute(
            "UPDATE award_lines SET line = json_set(line, '$.exclusive', 'planted') WHERE run_id = ?1 AND idx = ?2",
            (c.run, c.line as i64),
        )
        .unwrap();
    }
    drop(db);
    support::walk(&site.db, a.id, false);
    support::walk(&site.db, b.id, false);
    let (higher, lower) = if a.case.amount > b.case.amount {
        (a.id, b.id)
    } else {
        (b.id, a.id)
    };
    let after = jx555_server::router(
        site.app()
            .with_today(jx555_lang::types::Date::from_days(20_000 + 8)),
    );
    let (s, page) = as_(&after, &site, Role::Finance, "/payments", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("暂缓拨付（就高不重复）")
            && page.contains(&format!("第 {lower} 号"))
            && page.contains(&format!("由第 {higher} 号奖补事项支付")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("第 {higher} 号</a>：就高不重复")),
        "{page}"
    );
    // The higher cannot be withdrawn for the lower.
    let dept = Role::DepartmentReviewer;
    let (s, no) = as_(
        &after,
        &site,
        dept,
        &format!("/cases/{higher}"),
        Some(format!(
            "kind=Supersede&by={lower}&reason={}",
            enc("同一成果")
        )),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(no.contains("金额低于本项"), "{no}");
    let (_, page) = as_(&after, &site, dept, &format!("/cases/{lower}"), None).await;
    assert!(
        page.contains("同一成果的其他奖补事项") && page.contains("value=\"Supersede\""),
        "{page}"
    );
    let (s, page) = as_(
        &after,
        &site,
        dept,
        &format!("/cases/{lower}"),
        Some(format!(
            "kind=Supersede&by={higher}&reason={}",
            enc("同一成果由较高的一项支付")
        )),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(
        store().case(lower).unwrap().unwrap().0.case.state,
        State::Withdrawn
    );
    let (_, page) = as_(&after, &site, Role::Finance, "/payments", None).await;
    assert!(!page.contains("暂缓拨付"), "{page}");
    let log = store()
        .audit(&AuditFilter {
            object: Some(format!("case:{lower}")),
            ..AuditFilter::default()
        })
        .unwrap();
    assert!(log.iter().any(|e| e.action == "case.Supersede"), "{log:?}");
}

/// A decided amount pays what the rule makes of it: 1600万 decided on a 产业基础再造 project pays
/// 1600万, or, for a 绩效评价领跑企业 (×1.5, （二十一）), 2400万 capped at the project's 2000万 —
/// the department's 核定金额 kept beside the amount paid. A decision above the clause's cap is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_pays_what_the_rule_makes_of_it() {
    use jx555_workflow::access::{Principal, Scope};
    use jx555_workflow::case::{Action, step};
    const WAN: i64 = 1_000_000;
    let site = support::build(600);
    let router = jx555_server::router(site.app());
    let mut store = SqliteStore::open(&site.db).unwrap();
    let open: Vec<_> = store
        .cases(&CaseFilter {
            state: Some(State::Open),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .filter(|c| c.rule == "产业基础再造项目补助" && c.case.enterprise.is_some())
        .collect();
    assert!(
        open.len() >= 2,
        "the demo's 2023 has such projects to review"
    );
    let today = jx555_lang::types::Date::parse("2026-03-02").unwrap();
    let mut paid = Vec::new();
    for c in &open {
        // Applied and passed by its county, as the pages would (tested elsewhere).
        let applied = apply(&mut store, c);
        let county = Principal {
            name: "county".into(),
            role: Role::CountyReviewer,
            scope: Scope::County(c.case.county.clone().unwrap()),
        };
        let passed = step(&applied, &county, &Action::PassFirstReview, today).unwrap();
        store
            .record_step(c.id, State::Applied, &Action::PassFirstReview, &passed)
            .unwrap();
        let uri = format!("/cases/{}", c.id);
        let (s, page) = as_(
            &router,
            &site,
            Role::DepartmentReviewer,
            &uri,
            Some("kind=Decide&amount=2000.01万&reason=x".into()),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{page}");
        assert!(page.contains("上限"), "{page}");
        let (s, page) = as_(
            &router,
            &site,
            Role::DepartmentReviewer,
            &uri,
            Some("kind=Decide&amount=1600万&reason=按投资进度核定".into()),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let (after, _) = store.case(c.id).unwrap().unwrap();
        assert_eq!(after.case.decided, Some(1600 * WAN));
        assert_eq!(
            page.contains("核定金额</th>"),
            after.case.amount != after.case.decided,
            "the case page shows the decision beside a different amount paid"
        );
        paid.push(after.case.amount.unwrap());
    }
    assert!(
        paid.iter().all(|a| [1600 * WAN, 2000 * WAN].contains(a)),
        "{paid:?}"
    );
    assert!(
        paid.contains(&(2000 * WAN)),
        "a performance leader's decision is raised ×1.5 and capped: {paid:?}"
    );
}

/// A review case applied for by its enterprise (recorded directly: the pages' applying is tested
/// elsewhere); the case after.
fn apply(
    store: &mut SqliteStore,
    c: &jx555_store::cases::StoredCase,
) -> jx555_workflow::case::Case {
    use jx555_workflow::access::{Principal, Scope};
    use jx555_workflow::case::{Account, Action, step};
    let applicant = Principal {
        name: "applicant".into(),
        role: Role::EnterpriseStaff,
        scope: Scope::Enterprise(c.case.enterprise.clone().unwrap()),
    };
    let apply = Action::Apply(Account {
        bank: "农业银行".into(),
        number: "12040600090001234".into(),
        holder: c.case.payee.clone(),
    });
    let today = jx555_lang::types::Date::parse("2026-03-02").unwrap();
    let next = step(&c.case, &applicant, &apply, today).unwrap();
    store.record_step(c.id, State::Open, &apply, &next).unwrap();
    next
}

/// The batch steps through the API with the officials' tokens: the department publishes its ready
/// cases as a 公示 (public, without accounts), finance batches the fund after the period (one batch
/// per payer) and records a batch paid; the case is paid and in the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_batch_steps_work_through_the_api() {
    use jx555_workflow::access::{Principal, Scope};
    use jx555_workflow::case::{Account, Action, step};
    let site = support::build(300);
    let mut store = SqliteStore::open(&site.db).unwrap();
    let c = store
        .cases(&CaseFilter {
            state: Some(State::Pushed),
            department: Some(site.department.clone()),
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .find(|c| c.case.enterprise.is_some())
        .unwrap();
    let staff = Principal {
        name: "staff".into(),
        role: Role::EnterpriseStaff,
        scope: Scope::Enterprise(c.case.enterprise.clone().unwrap()),
    };
    let confirm = Action::Confirm(Account {
        bank: "农业银行".into(),
        number: "12040600090001234".into(),
        holder: c.case.payee.clone(),
    });
    let day = |d: &str| jx555_lang::types::Date::parse(d).unwrap();
    let next = step(&c.case, &staff, &confirm, day("2026-03-02")).unwrap();
    store
        .record_step(c.id, State::Pushed, &confirm, &next)
        .unwrap();
    let api =
        |today: &str, role: Option<Role>, method: &'static str, uri: String, body: Option<&str>| {
            let router = jx555_server::router(site.app().with_today(day(today)));
            let token = role.map(|r| site.who(r).token.clone());
            let body = body.map(str::to_string);
            async move { support::call_json(router, token.as_deref(), method, &uri, body).await }
        };
    let (s, published) = api(
        "2026-03-02",
        Some(Role::DepartmentReviewer),
        "POST",
        "/api/v1/publications".into(),
        Some(r#"{"days":5,"contact":"张三 0573-82000000"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{published}");
    let pid = published["id"].as_i64().unwrap();
    // Public: the lines without accounts.
    let (s, notice) = api(
        "2026-03-02",
        None,
        "GET",
        format!("/api/v1/publications/{pid}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let text = notice.to_string();
    assert!(
        text.contains(&c.case.payee) && !text.contains("12040600090001234"),
        "{text}"
    );
    // Finance is refused before the period ends, then batches the fund.
    let (s, early) = api(
        "2026-03-03",
        Some(Role::Finance),
        "POST",
        "/api/v1/payments".into(),
        Some(r#"{"fund":"工信专项资金"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{early}");
    let (s, made) = api(
        "2026-03-20",
        Some(Role::Finance),
        "POST",
        "/api/v1/payments".into(),
        Some(r#"{"fund":"工信专项资金"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let batches: Vec<i64> = made["batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_i64().unwrap())
        .collect();
    let mut ours = None;
    for b in &batches {
        let (_, batch) = api(
            "2026-03-20",
            Some(Role::Finance),
            "GET",
            format!("/api/v1/payments/{b}"),
            None,
        )
        .await;
        if batch["parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["case"] == c.id)
        {
            ours = Some(*b);
        }
    }
    let ours = ours.expect("the case is in one of the fund's batches");
    let (s, _) = api(
        "2026-03-21",
        Some(Role::CountyReviewer),
        "POST",
        format!("/api/v1/payments/{ours}"),
        Some(r#"{"voucher":"x"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only finance records payments");
    let (s, paid) = api(
        "2026-03-21",
        Some(Role::Finance),
        "POST",
        format!("/api/v1/payments/{ours}"),
        Some(r#"{"voucher":"财拨〔2026〕7号"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{paid}");
    assert!(paid["paid"].as_u64().unwrap() >= 1);
    let (after, _) = store.case(c.id).unwrap().unwrap();
    assert_eq!(after.case.state, State::Paid);
    assert!(
        store
            .ledger()
            .unwrap()
            .entries()
            .iter()
            .any(|e| e.subject == c.subject)
    );
}
