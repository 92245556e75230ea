//! One truth for a run's figures: for one run, every view that adds up (rule, lead department, county,
//! fund, standing) gives the run's total, and so do the XLSX 汇总, the CSV, the API and the dashboard;
//! city + county + unassigned shares give it too. Over several demo seeds and sizes, with a year
//! approved into the ledger before and a what-if run beside.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use jx555_engine::summary::{By, CostShare, totals};
use jx555_engine::{FactIndex, Override, Run};
use jx555_report::{key_label, wan};
use jx555_store::sqlite::SqliteStore;
use jx555_store::{NewRun, Store};
use jx555_workflow::access::{Role, Scope};
use std::ops::ControlFlow;
use support::{Credentials, sign_in};
use tower::ServiceExt;

mod support;

/// Every additive view of a run and its cost share add up to its total.
fn check_views(run: &Run) -> Result<(), String> {
    let total = run.total();
    for by in By::ALL {
        let sum: i64 = totals(run, by).iter().map(|t| t.payable).sum();
        if by.additive() && sum != total {
            return Err(format!("{by:?} adds up to {sum}, the run to {total}"));
        }
    }
    let s = CostShare::of(run);
    if s.city + s.county + s.unassigned != total {
        return Err(format!("cost share {s:?} does not add up to {total}"));
    }
    Ok(())
}

/// The XLSX 汇总: its rows add up to 合计, which is the run's total.
fn check_xlsx(run: &Run, bytes: &[u8]) -> Result<(), String> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("汇总").unwrap();
    let fen = |c: &calamine::Data| match c {
        calamine::Data::Float(f) => (f * 100.0).round() as i64,
        other => panic!("not an amount: {other:?}"),
    };
    let (mut rows, mut total) = (0i64, None);
    for r in sheet.rows().skip(2) {
        match r.first().map(|c| c.to_string()).as_deref() {
            Some("合计") => total = Some(fen(&r[2])),
            Some("") | None => break,
            Some(_) => rows += fen(&r[2]),
        }
    }
    let total = total.ok_or("no 合计 row")?;
    if rows != total || total != run.total() {
        return Err(format!(
            "XLSX rows {rows}, 合计 {total}, run {}",
            run.total()
        ));
    }
    Ok(())
}

/// The CSV's 兑现金额（元） adds up to the run's total.
fn check_csv(run: &Run, bytes: &[u8]) -> Result<(), String> {
    let mut r = csv::Reader::from_reader(bytes);
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "兑现金额（元）")
        .unwrap();
    let mut sum = 0i64;
    for rec in r.records() {
        let yuan = rec.unwrap()[col].replace('.', "");
        sum += yuan.parse::<i64>().unwrap();
    }
    if sum != run.total() {
        return Err(format!("CSV sums to {sum}, run {}", run.total()));
    }
    Ok(())
}

async fn get(app: &axum::Router, who: &Credentials, uri: &str) -> Vec<u8> {
    let req = Request::get(uri)
        .header("cookie", &who.cookie)
        .header("authorization", format!("Bearer {}", who.token));
    let resp = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{uri}: {}", resp.status());
    resp.into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

/// The API's total and each of its additive views.
fn check_api(run: &Run, v: &serde_json::Value) -> Result<(), String> {
    let total = v["total"].as_i64().unwrap();
    if total != run.total() {
        return Err(format!("API total {total}, run {}", run.total()));
    }
    for view in [
        "by_rule",
        "by_lead_department",
        "by_county",
        "by_fund",
        "by_standing",
    ] {
        let sum: i64 = v["summary"][view]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["payable"].as_i64().unwrap())
            .sum();
        if sum != total {
            return Err(format!("API {view} sums to {sum}, total {total}"));
        }
    }
    let s = &v["summary"]["cost_share"];
    let parts: i64 = ["city", "county", "unassigned"]
        .iter()
        .map(|k| s[k].as_i64().unwrap())
        .sum();
    if parts != total {
        return Err(format!("API cost share {parts}, total {total}"));
    }
    Ok(())
}

/// The dashboard shows the run's total, each lead department's figure and the cost share.
fn check_dashboard(run: &Run, html: &str) -> Result<(), String> {
    let mut want = vec![wan(run.total())];
    for t in totals(run, By::LeadDepartment)
        .iter()
        .filter(|t| t.payable > 0)
    {
        want.push(key_label(&t.key));
        want.push(wan(t.payable));
    }
    let s = CostShare::of(run);
    want.push(format!(
        "市级 {}，县级 {}，分担比例未定 {}",
        wan(s.city),
        wan(s.county),
        wan(s.unassigned)
    ));
    match want.iter().find(|w| !html.contains(w.as_str())) {
        Some(w) => Err(format!("the dashboard does not show {w}")),
        None => Ok(()),
    }
}

fn pack() -> jx555_server::LoadedPack {
    support::site().pack.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_figure_of_a_run_agrees() {
    let pack = pack();
    for (seed, n) in [(555u64, 600usize), (1, 1500), (2026, 3000)] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("figures.db");
        let mut store = SqliteStore::open(&db).unwrap();
        let data = jx555_facts::demo::generate(n, seed).unwrap();
        let info = store
            .replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))
            .unwrap();
        let facts = FactIndex::from_batches(&data.tables).unwrap();
        let save = |store: &mut SqliteStore, year: i32, overrides: Vec<Override>| {
            let ledger = store.ledger().unwrap();
            let run = jx555_engine::evaluate(&jx555_engine::Request {
                packs: &[&pack.pack],
                facts: &facts,
                ledger: &ledger,
                year,
                overrides: &overrides,
            })
            .unwrap();
            store
                .save_run(&NewRun {
                    packs: vec![pack.reference.clone()],
                    facts_hash: info.hash.clone(),
                    overrides,
                    settings: vec![],
                    ledger: &ledger,
                    run: &run,
                })
                .unwrap()
        };
        let prior = save(&mut store, 2022, vec![]);
        store.approve(prior).unwrap();
        let current = save(&mut store, 2023, vec![]);
        let shares = [
            "市级承担比例[南湖区]=50%",
            "市级承担比例[海宁市]=30%",
            "小微园补助上限=800万",
        ]
        .map(|s| Override::parse(s).unwrap());
        let whatif = save(&mut store, 2023, shares.to_vec());
        let finance = sign_in(&mut store, "finance", Role::Finance, Scope::City);
        let nanhu = sign_in(
            &mut store,
            "nanhu",
            Role::CountyReviewer,
            Scope::County("南湖区".into()),
        );
        drop(store);
        let app =
            jx555_server::router(jx555_server::App::open(vec![pack.clone()], db.clone()).unwrap());
        for id in [prior, current, whatif] {
            let (_, run) = SqliteStore::open(&db).unwrap().run(id).unwrap();
            let what = format!("seed {seed}, {n} enterprises, run {id}");
            check_views(&run)
                .map_err(|e| format!("{what}: {e}"))
                .unwrap();
            let xlsx = get(&app, &finance, &format!("/runs/{id}/payout.xlsx")).await;
            check_xlsx(&run, &xlsx)
                .map_err(|e| format!("{what}: {e}"))
                .unwrap();
            let csv = get(&app, &finance, &format!("/runs/{id}/payout.csv")).await;
            check_csv(&run, &csv)
                .map_err(|e| format!("{what}: {e}"))
                .unwrap();
            let api: serde_json::Value = serde_json::from_slice(
                &get(&app, &finance, &format!("/api/v1/runs/{id}?limit=1")).await,
            )
            .unwrap();
            check_api(&run, &api)
                .map_err(|e| format!("{what}: {e}"))
                .unwrap();
            // A county reviewer's download and API figures are its county's, and add up the same way.
            let mut county = run.clone();
            county
                .lines
                .retain(|l| l.county.as_deref() == Some("南湖区"));
            let csv = get(&app, &nanhu, &format!("/runs/{id}/payout.csv")).await;
            check_csv(&county, &csv)
                .map_err(|e| format!("{what}, 南湖区: {e}"))
                .unwrap();
            let api: serde_json::Value = serde_json::from_slice(
                &get(&app, &nanhu, &format!("/api/v1/runs/{id}?limit=1")).await,
            )
            .unwrap();
            assert_eq!(api["total"].as_i64(), Some(county.total()), "{what}");
            let by_county = totals(&run, By::County);
            let nanhu_total = by_county
                .iter()
                .find(|t| key_label(&t.key) == "南湖区")
                .map_or(0, |t| t.payable);
            assert_eq!(county.total(), nanhu_total, "{what}");
            if id == current {
                let html = String::from_utf8(get(&app, &finance, "/").await).unwrap();
                check_dashboard(&run, &html)
                    .map_err(|e| format!("{what}: {e}"))
                    .unwrap();
            }
        }
    }
}

/// The checks find a planted double count: a line counted twice in the CSV, and the participating
/// departments (a line under each) taken as if they added up.
#[test]
fn a_planted_double_count_is_found() {
    let site = support::site();
    let (_, run) = SqliteStore::open(&site.db).unwrap().run(1).unwrap();
    let mut csv = jx555_report::payout_csv(&run).unwrap();
    let paying = run.lines.iter().position(|l| l.payable > 0).unwrap();
    let row = jx555_report::cells(paying, &run.lines[paying]).join(",");
    csv.extend_from_slice(format!("{row}\n").as_bytes());
    assert!(check_csv(&run, &csv).is_err());
    let participating: i64 = totals(&run, By::Participating)
        .iter()
        .map(|t| t.payable)
        .sum();
    assert_ne!(
        participating,
        run.total(),
        "31 of 33 rules name two or more departments"
    );
    let xlsx = jx555_report::payout_xlsx(&run).unwrap();
    check_xlsx(&run, &xlsx).unwrap();
    let mut doubled = run.clone();
    doubled.lines.push(run.lines[paying].clone());
    assert!(check_xlsx(&run, &jx555_report::payout_xlsx(&doubled).unwrap()).is_err());
}
