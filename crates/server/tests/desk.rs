//! The 「一九千万」 service desk through the pages and the API, by the people of clause （二十一）: an
//! enterprise raises a request the day before 国庆, its county's hub is late to accept it and the
//! supervisor escalates it, a provider works it (asking the enterprise for more, the clock paused),
//! answers, is reopened, answers again and is rated. Another county's hub and a provider it was not
//! sent to do not see it. The hotline and the API raise requests; the city hub imports the registry
//! and the （二十） events, a bad file keeping nothing; the report, the public summary and the targets
//! show what happened.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_store::Store;
use jx555_store::audit::AuditFilter;
use jx555_store::desk::{Desk, RequestFilter};
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::{Role, Scope};
use jx555_workflow::clock::Moment;
use jx555_workflow::request::State;
use support::{Credentials, Site};
use tower::ServiceExt;

mod support;

async fn send(
    router: &axum::Router,
    who: Option<&Credentials>,
    uri: &str,
    form: Option<String>,
) -> (StatusCode, String) {
    let mut req = Request::builder().uri(uri);
    if let Some(w) = who {
        req = req
            .header(header::COOKIE, &w.cookie)
            .header("x-csrf-token", &w.csrf);
    }
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

fn at(s: &str) -> Moment {
    Moment::parse(s).unwrap()
}

/// A multipart upload of one file as the page's form sends it.
async fn upload(
    router: &axum::Router,
    who: &Credentials,
    uri: &str,
    name: &str,
    content: &str,
) -> (StatusCode, String) {
    let boundary = "XjX555bOuNdArY";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
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

struct DeskSite {
    site: Site,
    city_hub: Credentials,
    other_hub: Credentials,
    supervisor: Credentials,
    other_provider: Credentials,
    provider: String,
}

fn desk() -> DeskSite {
    let site = support::build(600);
    let mut store = SqliteStore::open(&site.db).unwrap();
    let other_county = jx555_facts::model::COUNTIES
        .into_iter()
        .find(|c| *c != site.county)
        .unwrap();
    let provider = store.providers().unwrap()[0].uscc.clone();
    let second = jx555_facts::cell::with_check_char("91330402MA2B0PRC1");
    store
        .save_providers(&[jx555_workflow::service::Provider {
            uscc: second.clone(),
            name: "另一家服务机构".into(),
            categories: vec![jx555_workflow::request::Category::Policy],
            counties: vec![],
            registered: jx555_lang::types::Date::parse("2025-01-02").unwrap(),
        }])
        .unwrap();
    let city_hub = support::sign_in(&mut store, "city-hub", Role::Hub, Scope::City);
    let other_hub = support::sign_in(
        &mut store,
        "other-hub",
        Role::Hub,
        Scope::County(other_county.into()),
    );
    let supervisor = support::sign_in(
        &mut store,
        "supervisor",
        Role::HubSupervisor,
        Scope::County(site.county.clone()),
    );
    let other_provider = support::sign_in(
        &mut store,
        "other-provider",
        Role::Provider,
        Scope::Provider(second),
    );
    DeskSite {
        site,
        city_hub,
        other_hub,
        supervisor,
        other_provider,
        provider,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_lives_its_whole_life() {
    let d = desk();
    let site = &d.site;
    let router_at = |m: &str| jx555_server::router(site.app().with_now(at(m)));
    let store = || SqliteStore::open(&site.db).unwrap();
    let enterprise = site.who(Role::EnterpriseStaff);
    let hub = site.who(Role::Hub);
    let provider = site.who(Role::Provider);

    // Raised at 16:00 on the last working day before 国庆.
    let r = router_at("2025-09-30 16:00");
    let (s, page) = send(
        &r,
        Some(enterprise),
        "/requests",
        Some(format!(
            "category={}&tags={}&tags={}&text={}",
            enc("政策帮"),
            enc("融资难"),
            enc("转型难"),
            enc("技改贷款贴息怎么申请？")
        )),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("诉求已提交"), "{page}");
    let mine = store()
        .requests(&RequestFilter {
            enterprise: Some(site.uscc.clone()),
            ..RequestFilter::default()
        })
        .unwrap();
    let id = mine.last().unwrap().id;
    let uri = format!("/requests/{id}");
    assert_eq!(mine.last().unwrap().request.hub, site.county);

    // Its county's hub sees it; another county's hub and a provider it was not sent to do not.
    let (_, queue) = send(&r, Some(hub), "/requests", None).await;
    assert!(queue.contains(&format!("href=\"{uri}\"")), "{queue}");
    for other in [&d.other_hub, provider, &d.other_provider] {
        let (s, _) = send(&r, Some(other), &uri, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", other.name);
        let (_, q) = send(&r, Some(other), "/requests", None).await;
        assert!(!q.contains(&format!("href=\"{uri}\"")), "{}", other.name);
    }
    // Not yet late: no escalation.
    let (s, no) = send(
        &r,
        Some(&d.supervisor),
        &uri,
        Some(format!("kind=Escalate&text={}", enc("催办"))),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(no.contains("尚未超过办理时限"), "{no}");

    // Its working day ends at 16:00 on 10-09, the first working day after 国庆: at 17:30 it is late.
    let r = router_at("2025-10-09 17:30");
    let (_, page) = send(&r, Some(hub), &uri, None).await;
    assert!(page.contains("2025-10-09 16:00（已超时）"), "{page}");
    let (s, _) = send(
        &r,
        Some(&d.supervisor),
        &uri,
        Some(format!(
            "kind=Escalate&text={}",
            enc("超时未受理，请当日受理")
        )),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(&r, Some(hub), &uri, Some("kind=Accept".into())).await;
    assert_eq!(s, StatusCode::OK);
    let (s, bad) = send(
        &r,
        Some(hub),
        &uri,
        Some(format!("kind=Dispatch&to={}", enc("不存在的机构"))),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(bad.contains("既不是责任单位"), "{bad}");
    let (s, _) = send(
        &r,
        Some(hub),
        &uri,
        Some(format!("kind=Dispatch&to={}", d.provider)),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // The provider works it; asks the enterprise; the enterprise answers; it is resolved.
    let steps: [(&Credentials, String); 4] = [
        (provider, "kind=Start".into()),
        (
            provider,
            format!("kind=Ask&text={}", enc("请提供技改项目备案")),
        ),
        (
            enterprise,
            format!("kind=Supplement&text={}", enc("备案号 2025-330402")),
        ),
        (
            provider,
            format!("kind=Resolve&text={}", enc("已告知申报流程")),
        ),
    ];
    for (who, form) in steps {
        let (s, page) = send(&r, Some(who), &uri, Some(form.clone())).await;
        assert_eq!(s, StatusCode::OK, "{form}: {page}");
    }
    // The enterprise attaches a PDF (a program named .pdf is refused); the provider downloads it,
    // another county's hub cannot.
    let (s, said) = upload(
        &r,
        enterprise,
        &format!("{uri}/attachments"),
        "备案.pdf",
        "MZ\u{90}program",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(said.contains("只接受 PDF"), "{said}");
    let (s, page) = upload(
        &r,
        enterprise,
        &format!("{uri}/attachments"),
        "../备案.pdf",
        "%PDF-1.4 备案",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let file = store().request_attachments(id).unwrap()[0].id;
    let (s, body) = send(
        &r,
        Some(provider),
        &format!("{uri}/attachments/{file}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with("%PDF"));
    let (s, _) = send(
        &r,
        Some(&d.other_hub),
        &format!("{uri}/attachments/{file}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The hub cannot answer for the provider.
    let (s, _) = send(
        &r,
        Some(hub),
        &uri,
        Some(format!("kind=Resolve&text={}", enc("x"))),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Reopened within 5 working days, answered again, rated.
    let r = router_at("2025-10-13 10:00");
    for (who, form) in [
        (
            enterprise,
            format!("kind=Reopen&text={}", enc("贴息比例没有说明")),
        ),
        (
            provider,
            format!("kind=Resolve&text={}", enc("贴息比例为 50%")),
        ),
        (
            enterprise,
            format!("kind=Rate&score=5&text={}", enc("满意")),
        ),
    ] {
        let (s, page) = send(&r, Some(who), &uri, Some(form.clone())).await;
        assert_eq!(s, StatusCode::OK, "{form}: {page}");
    }
    let (stored, events) = store().request(id).unwrap().unwrap();
    assert_eq!(stored.request.state, State::Closed);
    assert!(stored.request.escalated);
    assert_eq!(stored.request.reopened, 1);
    assert_eq!(events.len(), 10);
    assert_eq!(store().request_attachments(id).unwrap()[0].name, "备案.pdf");
    // Every step is in the audit log under whoever took it.
    let log = store()
        .audit(&AuditFilter {
            object: Some(format!("request:{id}")),
            ..AuditFilter::default()
        })
        .unwrap();
    let who: Vec<(String, String)> = log
        .iter()
        .map(|e| (e.action.clone(), e.actor.clone()))
        .collect();
    assert_eq!(log.len(), 12, "{who:?}");
    assert!(who.contains(&("request.attach".into(), enterprise.name.clone())));
    assert!(who.contains(&("request.raise".into(), enterprise.name.clone())));
    assert!(who.contains(&("request.Escalate".into(), "supervisor".into())));
    assert!(who.contains(&("request.Rate".into(), enterprise.name.clone())));

    // The report counts it: accepted late, answered in time (the pause not counted), rated 5.
    let (s, report) = send(&r, Some(hub), "/service-levels?year=2025", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(report.contains(&site.county), "{report}");
    assert!(report.contains("<svg"), "{report}");
    // The public summary names no enterprise.
    let (s, public) = send(&r, None, "/service?year=2025", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!public.contains(&site.uscc), "{public}");
    // The targets page shows the desk's measure: enterprises served in 2025.
    let (_, targets) = send(&r, None, "/targets?year=2025", None).await;
    assert!(targets.contains("服务台实测"), "{targets}");
    // One county hub at work in 2025, and the city hub not yet (it accepted nothing).
    let row = |title: &str| target_row(&targets, title);
    assert!(
        row("实体化县级企业服务枢纽").contains(">1<"),
        "{}",
        row("实体化县级企业服务枢纽")
    );
    assert!(
        row("市级企业服务枢纽").contains(">0<"),
        "{}",
        row("市级企业服务枢纽")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hotline_and_the_api_raise_requests() {
    let d = desk();
    let site = &d.site;
    let r = jx555_server::router(site.app().with_now(at("2025-06-09 10:00")));
    let hotline = site.who(Role::Hotline);
    let form = |caller: &str| {
        format!(
            "enterprise={}&caller={caller}&category={}&text={}",
            site.other,
            enc("诉求帮"),
            enc("货款被拖欠半年")
        )
    };
    let (s, page) = send(&r, Some(hotline), "/requests", Some(form(""))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(page.contains("请填写来电号码"), "{page}");
    let (s, page) = send(&r, Some(hotline), "/requests", Some(form("0573-96871"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("96871热线") && page.contains("0573-96871"),
        "{page}"
    );
    // An enterprise raises for itself only: another's code in the form is not taken.
    let (s, page) = send(
        &r,
        Some(site.who(Role::EnterpriseStaff)),
        "/requests",
        Some(form("")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        SqliteStore::open(&site.db)
            .unwrap()
            .requests(&RequestFilter {
                enterprise: Some(site.other.clone()),
                ..RequestFilter::default()
            })
            .unwrap()
            .len(),
        1,
        "{page}"
    );

    // Through the API with the enterprise's token: 201 and the number; read back.
    let token = &site.who(Role::EnterpriseAdmin).token;
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/requests")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({"category": "服务帮", "tags": ["融资难"], "text": "想对接银行"})
                .to_string(),
        ))
        .unwrap();
    let resp = r.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let v: serde_json::Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let id = v["id"].as_i64().unwrap();
    let (stored, _) = SqliteStore::open(&site.db)
        .unwrap()
        .request(id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.channel, jx555_store::desk::Channel::Api);
    assert_eq!(stored.request.enterprise, site.uscc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_hub_imports_the_registry_and_the_events_all_or_none() {
    let d = desk();
    let site = &d.site;
    let r = jx555_server::router(site.app().with_now(at("2025-12-01 10:00")));
    // A county hub may not keep the registry.
    let (s, _) = send(&r, Some(site.who(Role::Hub)), "/desk", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, page) = send(&r, Some(&d.city_hub), "/desk", None).await;
    assert_eq!(s, StatusCode::OK, "{page}");

    let store = || SqliteStore::open(&site.db).unwrap();
    let before = store().connections(None).unwrap().len();
    let bad = format!(
        "统一社会信用代码,报装类别,确认报装时间,接通时间\n{u},电,2025-09-30 16:00,2025-10-09 10:00\n{u},煤,2025-09-30 16:00,2025-09-30 15:00\n91330000000000000X,水,2025-11-03 09:00,2025-11-03 10:00\n",
        u = site.uscc
    );
    let (s, said) = upload(&r, &d.city_hub, "/desk/connections", "报装.csv", &bad).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        said.contains("报装.csv 第2行 列 报装类别（utility） 值 &quot;煤&quot;"),
        "{said}"
    );
    assert!(said.contains("第2行 列 接通时间（connected_at）"), "{said}");
    assert!(said.contains("第3行 列 统一社会信用代码（uscc）"), "{said}");
    assert_eq!(
        store().connections(None).unwrap().len(),
        before,
        "nothing kept"
    );

    let good = format!(
        "uscc,utility,confirmed_at,connected_at\n{u},电,2025-09-30 16:00,2025-10-09 10:00\n{u},水,2025-11-03 09:00,2025-11-04 15:00\n",
        u = site.uscc
    );
    let (s, page) = upload(&r, &d.city_hub, "/desk/connections", "ok.csv", &good).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    // The water connection took 14 working hours: a breach, listed.
    assert!(
        page.contains("按时 1 件") && page.contains("14:00"),
        "{page}"
    );
    // The same file again repeats what is stored: refused whole.
    let (s, said) = upload(&r, &d.city_hub, "/desk/connections", "ok.csv", &good).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(said.contains("已录入"), "{said}");
    assert_eq!(store().connections(None).unwrap().len(), before + 2);

    let approvals = format!(
        "项目代码,统一社会信用代码,审批开始日期,竣工验收前审批完成日期\n2025-330402-01,{u},2025-09-01,2025-11-20\n",
        u = site.uscc
    );
    let (s, page) = upload(&r, &d.city_hub, "/desk/approvals", "a.csv", &approvals).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let providers =
        "统一社会信用代码,名称,服务类别,服务县区\n91330402MA2B0PRC2X,新机构,政策帮,北京市\n";
    let (s, said) = upload(&r, &d.city_hub, "/desk/providers", "p.csv", providers).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(said.contains("北京市"), "{said}");

    // One provider edited by the form: renamed, its registration kept; a bad county refused.
    let registered = store().providers().unwrap()[0].registered;
    let edit = |counties: &str| {
        format!(
            "uscc={}&name={}&categories={}&categories={}&counties={}",
            d.provider,
            enc("嘉兴市企业综合服务中心"),
            enc("政策帮"),
            enc("服务帮"),
            enc(counties)
        )
    };
    let (s, said) = send(
        &r,
        Some(&d.city_hub),
        "/desk/provider",
        Some(edit("北京市")),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(said.contains("北京市"), "{said}");
    let (s, page) = send(&r, Some(&d.city_hub), "/desk/provider", Some(edit(""))).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("已修改"), "{page}");
    let p = store()
        .providers()
        .unwrap()
        .into_iter()
        .find(|p| p.uscc == d.provider)
        .unwrap();
    assert_eq!(
        (p.name.as_str(), p.registered, p.categories.len()),
        ("嘉兴市企业综合服务中心", registered, 2)
    );

    // The targets: the longest connection of 2025 is 14 working hours (goal ≤ 8: not met); the
    // approval took 80 calendar days (goal ≤ 80: met).
    let (_, targets) = send(&r, None, "/targets?year=2025", None).await;
    let row = |title: &str| target_row(&targets, title);
    assert!(
        row("水电气报装确认后接通").contains(">14<"),
        "{}",
        row("水电气报装确认后接通")
    );
    assert!(
        row("一般企业投资项目竣工验收前审批").contains(">80<"),
        "{}",
        row("一般企业投资项目竣工验收前审批")
    );
    // With the pack's reading turned to working days, the same approval counts its working days.
    let mut pack = site.pack.clone();
    for p in &mut pack.pack.params {
        if p.name == jx555_workflow::service::targets::APPROVAL_READING {
            p.value = jx555_lang::ir::ParamValue::Const(jx555_lang::types::Value::Bool(true));
        }
    }
    let working = jx555_workflow::service::approval_days(
        &store().approvals(None).unwrap()[0],
        jx555_workflow::service::DayReading::Working,
        &jx555_workflow::calendar::Calendar::bundled().unwrap(),
    )
    .unwrap();
    assert!(working < 80);
    let app = jx555_server::App::open(vec![pack], site.db.clone())
        .unwrap()
        .with_now(at("2025-12-01 10:00"));
    let (_, targets) = send(&jx555_server::router(app), None, "/targets?year=2025", None).await;
    let i = targets.find("一般企业投资项目竣工验收前审批").unwrap();
    assert!(
        targets[i..i + 600].contains(&format!(">{working}<")),
        "{}",
        &targets[i..i + 600]
    );
    // Each import is in the audit log under the city hub.
    let log = store()
        .audit(&AuditFilter {
            actor: Some("city-hub".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"connections.import") && actions.contains(&"approvals.import"));
}

/// The row of the targets page that names `title`.
fn target_row(page: &str, title: &str) -> String {
    let i = page.find(title).unwrap();
    let row = &page[i..];
    row[..row.find("</tr>").unwrap()].to_string()
}
