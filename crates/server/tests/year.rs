//! One year of the award path on a small hand-worked dataset, by the people of the policy through
//! the API with their own tokens: an automatic award confirmed, publicized, paid and in the ledger;
//! a review line applied for, returned, applied for again, decided above the cap (refused) and
//! within it, objected to, the objection dismissed, paid; an 一事一议 decision (refused without its
//! meeting number); an award declined; a payment the bank returned, the account corrected, paid in
//! a later batch; and the next year's run topping up (补差) from what was actually paid.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use axum::http::StatusCode;
use jx555_engine::FactIndex;
use jx555_facts::RawTable;
use jx555_store::Store;
use jx555_store::cases::{CaseFilter, Cases};
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::{Role, Scope};
use jx555_workflow::case::State;
use serde_json::{Value, json};
use std::ops::ControlFlow;

const WAN: i64 = 1_000_000;

/// Three manufacturers: E1 (南湖区) above scale since 2021 with a 强链 project under way; E2 (秀洲区) a
/// provincial 小巨人 in 2023 and a national one in 2024; E3 (嘉善县) a national 隐形冠军 in 2023 and a
/// world leader's 强链 project with 12亿 arrived.
fn hand_worked() -> jx555_facts::Dataset {
    let u = |s: &str| jx555_facts::cell::with_check_char(s);
    let (e1, e2, e3) = (
        u("91330402MA2B00011"),
        u("91330411MA2B00022"),
        u("91330421MA2B00033"),
    );
    let t = |name: &str, headers: &[&str], rows: Vec<Vec<String>>| RawTable {
        source: name.into(),
        name: name.into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows.into(),
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut years = Vec::new();
    for y in 2018..=2024 {
        for (e, above) in [(&e1, y >= 2021), (&e2, false), (&e3, false)] {
            years.push(vec![
                e.clone(),
                y.to_string(),
                if above { "是" } else { "否" }.into(),
            ]);
        }
    }
    jx555_facts::validate(
        &[
            t(
                "enterprises",
                &["uscc", "name", "county", "industry"],
                vec![
                    vec![
                        e1.clone(),
                        "嘉兴甲纺织有限公司".into(),
                        "南湖区".into(),
                        "1711".into(),
                    ],
                    vec![
                        e2.clone(),
                        "嘉兴乙新能源有限公司".into(),
                        "秀洲区".into(),
                        "3825".into(),
                    ],
                    vec![
                        e3.clone(),
                        "嘉兴丙新材料有限公司".into(),
                        "嘉善县".into(),
                        "2614".into(),
                    ],
                ],
            ),
            t("enterprise_years", &["uscc", "year", "above_scale"], years),
            t(
                "recognitions",
                &["id", "uscc", "kind", "level", "year"],
                vec![
                    s(&["R1", &e2, "专精特新小巨人", "provincial", "2023"]),
                    s(&["R2", &e3, "隐形冠军", "national", "2023"]),
                    s(&["R3", &e2, "专精特新小巨人", "national", "2024"]),
                ],
            ),
            t(
                "projects",
                &[
                    "id",
                    "uscc",
                    "name",
                    "kind",
                    "year",
                    "investment",
                    "funds_arrived",
                    "global_leader",
                    "progress",
                ],
                vec![
                    s(&[
                        "P1",
                        &e1,
                        "智能纺机扩产",
                        "强链项目",
                        "2023",
                        "500000000",
                        "200000000",
                        "否",
                        "50%",
                    ]),
                    s(&[
                        "P2",
                        &e3,
                        "新材料基地",
                        "强链项目",
                        "2023",
                        "3000000000",
                        "1200000000",
                        "是",
                        "30%",
                    ]),
                ],
            ),
        ],
        None,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_awards_from_release_to_the_next_years_top_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("year.db");
    let pack = support::site().pack.clone();
    let mut store = SqliteStore::open(&db).unwrap();
    let data = hand_worked();
    let info = store
        .replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))
        .unwrap();
    let facts = FactIndex::from_batches(&data.tables).unwrap();
    let run = jx555_engine::evaluate(&jx555_engine::Request {
        packs: &[&pack.pack],
        facts: &facts,
        ledger: &jx555_engine::Ledger::default(),
        year: 2023,
        overrides: &[],
    })
    .unwrap();
    let run_id = store
        .save_run(&jx555_store::NewRun {
            packs: vec![],
            facts_hash: info.hash,
            overrides: vec![],
            settings: vec![],
            ledger: &jx555_engine::Ledger::default(),
            run: &run,
        })
        .unwrap();
    store
        .release(run_id, &jx555_store::cases::release_plan(&run, &facts))
        .unwrap();
    let uscc = |i: usize| {
        data.table("enterprises")
            .and_then(|b| {
                b.column_by_name("uscc").map(|c| {
                    arrow::array::AsArray::as_string::<i32>(c)
                        .value(i)
                        .to_string()
                })
            })
            .unwrap()
    };
    let mut who = |name: &str, role: Role, scope: Scope| {
        support::sign_in(&mut store, name, role, scope).token
    };
    let staff = [0, 1, 2].map(|i| {
        who(
            &format!("staff-{i}"),
            Role::EnterpriseStaff,
            Scope::Enterprise(uscc(i)),
        )
    });
    let county = ["南湖区", "秀洲区", "嘉善县"].map(|c| {
        who(
            &format!("county-{c}"),
            Role::CountyReviewer,
            Scope::County(c.into()),
        )
    });
    let dept = who(
        "dept",
        Role::DepartmentReviewer,
        Scope::Department("市经信局".into()),
    );
    let finance = who("finance", Role::Finance, Scope::City);
    let case_of = |store: &SqliteStore, rule: &str, subject: &str| {
        store
            .cases(&CaseFilter::default())
            .unwrap()
            .into_iter()
            .find(|c| {
                c.rule == rule
                    && (c.subject == subject || c.case.enterprise.as_deref() == Some(subject))
            })
            .unwrap_or_else(|| panic!("a case of {rule} for {subject}"))
    };
    let upgrade = case_of(&store, "升规连续三年奖励", &uscc(0));
    let giant = case_of(&store, "单项冠军等认定奖励", "R1");
    let champion = case_of(&store, "单项冠军等认定奖励", "R2");
    let invest = case_of(&store, "强链投资项目综合奖补", "P1");
    let leader = case_of(&store, "强链项目一事一议", "P2");
    assert_eq!(
        (upgrade.case.amount, giant.case.amount, champion.case.amount),
        (Some(30 * WAN), Some(50 * WAN), Some(150 * WAN))
    );
    assert_eq!(
        (invest.case.state, leader.case.state),
        (State::Open, State::Open)
    );

    let api = |today: &str, token: &str, method: &'static str, uri: String, body: Value| {
        let app = jx555_server::App::open(vec![pack.clone()], db.clone())
            .unwrap()
            .with_today(jx555_lang::types::Date::parse(today).unwrap());
        let token = token.to_string();
        let body = (method != "GET").then(|| body.to_string());
        async move {
            support::call_json(jx555_server::router(app), Some(&token), method, &uri, body).await
        }
    };
    let act = |today: &'static str, token: &str, id: i64, body: Value| {
        api(today, token, "POST", format!("/api/v1/cases/{id}"), body)
    };
    let account = |holder: &str, number: &str| json!({ "bank": "中国农业银行嘉兴分行", "number": number, "holder": holder });
    let with = |mut a: Value, kind: &str| {
        a["kind"] = json!(kind);
        a
    };
    let ok = |(s, v): (StatusCode, Value)| {
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    };
    let refused = |(s, v): (StatusCode, Value), says: &str| {
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert!(
            v["message"].as_str().unwrap_or_default().contains(says),
            "{v}"
        );
    };
    let state = |id: i64| {
        SqliteStore::open(&db)
            .unwrap()
            .case(id)
            .unwrap()
            .unwrap()
            .0
            .case
            .state
    };
    let day = "2026-03-02";

    // The enterprises: E1 confirms its award, E2 too (to an account that will turn out closed), E3
    // declines its own.
    ok(act(
        day,
        &staff[0],
        upgrade.id,
        with(account(&upgrade.case.payee, "12040600090001111"), "Confirm"),
    )
    .await);
    ok(act(
        day,
        &staff[1],
        giant.id,
        with(account(&giant.case.payee, "12040600090002222"), "Confirm"),
    )
    .await);
    ok(act(
        day,
        &staff[2],
        champion.id,
        json!({ "kind": "Decline", "reason": "本年度不申请" }),
    )
    .await);

    // The review line: applied for, returned by the county, applied for again, passed, decided.
    let apply = with(account(&invest.case.payee, "12040600090001111"), "Apply");
    ok(act(day, &staff[0], invest.id, apply.clone()).await);
    ok(act(
        day,
        &county[0],
        invest.id,
        json!({ "kind": "Return", "reason": "请补充投资进度凭证" }),
    )
    .await);
    ok(act(day, &staff[0], invest.id, apply).await);
    // Another county's reviewer does not see the case at all.
    let (s, _) = act(
        day,
        &county[1],
        invest.id,
        json!({ "kind": "PassFirstReview" }),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    ok(act(
        day,
        &county[0],
        invest.id,
        json!({ "kind": "PassFirstReview" }),
    )
    .await);
    refused(
        act(
            day,
            &dept,
            invest.id,
            json!({ "kind": "Decide", "amount": "2000.01万", "reason": "x" }),
        )
        .await,
        "上限",
    );
    let decided = ok(act(
        day,
        &dept,
        invest.id,
        json!({ "kind": "Decide", "amount": "800万", "reason": "按投资进度核定" }),
    )
    .await);
    assert_eq!(decided["case"]["amount"], 800 * WAN);

    // 一事一议: decided only with the meeting's number, and with no cap.
    ok(act(
        day,
        &staff[2],
        leader.id,
        with(account(&leader.case.payee, "12040600090003333"), "Apply"),
    )
    .await);
    ok(act(
        day,
        &county[2],
        leader.id,
        json!({ "kind": "PassFirstReview" }),
    )
    .await);
    refused(
        act(
            day,
            &dept,
            leader.id,
            json!({ "kind": "Decide", "amount": "3000万", "reason": "x" }),
        )
        .await,
        "会议纪要",
    );
    ok(act(day, &dept, leader.id, json!({ "kind": "Decide", "amount": "3000万", "reason": "一事一议", "meeting": "市政府专题会议纪要〔2026〕3号" })).await);

    // 公示 for five working days; an objection from another county, dismissed by the department.
    let (s, published) = api(
        day,
        &dept,
        "POST",
        "/api/v1/publications".into(),
        json!({ "contact": "市经信局 0573-82000000" }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{published}");
    assert_eq!(published["cases"], 4, "{published}");
    ok(act(
        "2026-03-04",
        &county[1],
        invest.id,
        json!({ "kind": "Object", "reason": "投资进度与现场不符" }),
    )
    .await);
    // Finance refused before the period ends; after it, the fund's batches, one per county's
    // treasury, hold every cleared case but the one under objection.
    refused(
        api(
            "2026-03-06",
            &finance,
            "POST",
            "/api/v1/payments".into(),
            json!({ "fund": "工信专项资金" }),
        )
        .await,
        "没有可拨付",
    );
    let batch = |today: &'static str| {
        api(
            today,
            &finance,
            "POST",
            "/api/v1/payments".into(),
            json!({ "fund": "工信专项资金" }),
        )
    };
    let (s, made) = batch("2026-03-20").await;
    assert_eq!(
        (s, made["cases"].clone()),
        (StatusCode::CREATED, json!(3)),
        "{made}"
    );
    assert_eq!(state(invest.id), State::Publicized);
    // The objection dismissed, the line is batched too.
    ok(act(
        "2026-03-20",
        &dept,
        invest.id,
        json!({ "kind": "Dismiss", "reason": "经现场核实，进度无误" }),
    )
    .await);
    let (s, more) = batch("2026-03-20").await;
    assert_eq!(
        (s, more["cases"].clone()),
        (StatusCode::CREATED, json!(1)),
        "{more}"
    );
    let all: Vec<Value> = made["batches"]
        .as_array()
        .unwrap()
        .iter()
        .chain(more["batches"].as_array().unwrap())
        .cloned()
        .collect();

    // Each batch recorded paid; the bank returns E2's payment (a closed account).
    for b in &all {
        let id = b.as_i64().unwrap();
        let batch = ok(api(
            "2026-03-20",
            &finance,
            "GET",
            format!("/api/v1/payments/{id}"),
            Value::Null,
        )
        .await);
        let failed = if batch["parts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["case"] == giant.id)
        {
            json!({ giant.id.to_string(): "账户已销户" })
        } else {
            json!({})
        };
        ok(api(
            "2026-03-21",
            &finance,
            "POST",
            format!("/api/v1/payments/{id}"),
            json!({ "voucher": format!("财拨〔2026〕{id}号"), "failed": failed }),
        )
        .await);
    }
    assert_eq!(state(giant.id), State::PaymentFailed);
    ok(act(
        "2026-03-23",
        &staff[1],
        giant.id,
        with(
            account(&giant.case.payee, "12040600090009999"),
            "CorrectAccount",
        ),
    )
    .await);
    let (s, again) = batch("2026-03-24").await;
    assert_eq!(
        (s, again["cases"].clone()),
        (StatusCode::CREATED, json!(1)),
        "{again}"
    );
    let id = again["batches"][0].as_i64().unwrap();
    ok(api(
        "2026-03-25",
        &finance,
        "POST",
        format!("/api/v1/payments/{id}"),
        json!({ "voucher": "财拨〔2026〕99号" }),
    )
    .await);

    // Paid and in the ledger: what was paid, once each; nothing for the declined award.
    for c in [&upgrade, &giant, &invest, &leader] {
        assert_eq!(state(c.id), State::Paid, "{}", c.rule);
    }
    assert_eq!(state(champion.id), State::Declined);
    let store = SqliteStore::open(&db).unwrap();
    let ledger = store.ledger().unwrap();
    let mut paid: Vec<(String, i64)> = ledger
        .entries()
        .iter()
        .map(|e| (e.subject.clone(), e.amount))
        .collect();
    paid.sort();
    let mut expected = vec![
        ("P1".to_string(), 800 * WAN),
        ("P2".to_string(), 3000 * WAN),
        ("R1".to_string(), 50 * WAN),
        (uscc(0), 30 * WAN),
    ];
    expected.sort();
    assert_eq!(paid, expected);

    // 2024: E2's national 小巨人 tops up from the 50万 actually paid.
    let next = jx555_engine::evaluate(&jx555_engine::Request {
        packs: &[&pack.pack],
        facts: &facts,
        ledger: &ledger,
        year: 2024,
        overrides: &[],
    })
    .unwrap();
    let r3 = next.lines.iter().find(|l| l.subject == "R3").unwrap();
    assert_eq!((r3.payable, r3.topped_up_from), (100 * WAN, Some(50 * WAN)));
}
