//! A year of award cases at scale: the demo run with at least 10,000 released lines taken through
//! confirmation (or application, first review and decision, and one decision's re-evaluation), 公示
//! per department, payment batches per fund and payer and their settlement into the ledger — each step timed — then the queue page of every
//! case and one batch's bank file through the router.
//!
//! ```sh
//! cargo bench -p jx555-server --bench cases
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../tests/support/mod.rs"]
mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jx555_lang::types::Date;
use jx555_store::Store;
use jx555_store::cases::{CaseFilter, Cases, NewPart, NewPublication, Step};
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::{Principal, Role, Scope};
use jx555_workflow::case::{Account, Action, Path, State, step};
use std::collections::BTreeMap;
use std::time::Instant;
use tower::ServiceExt;

fn who(role: Role, scope: Scope) -> Principal {
    Principal {
        name: "bench".into(),
        role,
        scope,
    }
}

#[tokio::main]
async fn main() {
    let t = Instant::now();
    let site = support::build(300_000);
    let mut store = SqliteStore::open(&site.db).unwrap();
    let cases = store.cases(&CaseFilter::default()).unwrap();
    println!(
        "demo of 300,000 enterprises, its 2023 run released into {} cases: {:.1?}",
        cases.len(),
        t.elapsed()
    );
    let day = |d: i32| Date::from_days(20_500 + d);

    // Each pushed award confirmed by its enterprise; each review line applied for, passed and
    // decided at its cap (or 1万 without one), by its enterprise, county and department.
    let t = Instant::now();
    let mut steps = 0;
    for c in &cases {
        let payee = match &c.case.enterprise {
            Some(u) => who(Role::EnterpriseStaff, Scope::Enterprise(u.clone())),
            None => who(
                Role::DepartmentReviewer,
                Scope::Department(c.case.department.clone()),
            ),
        };
        let first = match &c.case.county {
            Some(county) => who(Role::CountyReviewer, Scope::County(county.clone())),
            None => who(
                Role::DepartmentReviewer,
                Scope::Department(c.case.department.clone()),
            ),
        };
        let dept = who(
            Role::DepartmentReviewer,
            Scope::Department(c.case.department.clone()),
        );
        let account = Account {
            bank: "中国工商银行嘉兴分行".into(),
            number: "1204060009000123456".into(),
            holder: c.case.payee.clone(),
        };
        let plan: Vec<(&Principal, Action)> = match (&c.case.state, &c.case.path) {
            (State::Pushed, _) => vec![(&payee, Action::Confirm(account))],
            (State::Open, Path::Review { cap, case_by_case }) => vec![
                (&payee, Action::Apply(account)),
                (&first, Action::PassFirstReview),
                (
                    &dept,
                    Action::Decide {
                        amount: cap.unwrap_or(1_000_000),
                        reason: "按条款核定".into(),
                        meeting: case_by_case.then(|| "纪要1号".to_string()),
                    },
                ),
            ],
            _ => vec![],
        };
        let mut now = c.case.clone();
        for (p, a) in plan {
            let next = step(&now, p, &a, day(0)).unwrap();
            store.record_step(c.id, now.state, &a, &next).unwrap();
            now = next;
            steps += 1;
        }
    }
    println!(
        "{steps} confirmations, applications, first reviews and decisions: {:.1?}",
        t.elapsed()
    );
    // What the pages do besides for each decision: the year evaluated again with every decided
    // amount of the run, so the rule's multipliers and caps apply to it (median of 5).
    let app = site.app();
    let facts = app.facts();
    let packs = [&site.pack.pack];
    let decided = store
        .cases(&CaseFilter::default())
        .unwrap()
        .into_iter()
        .find(|c| c.case.decided.is_some())
        .unwrap();
    let mut times: Vec<_> = (0..5)
        .map(|_| {
            let t = Instant::now();
            jx555_store::cases::steps::decided_payable(
                &store,
                &packs,
                &facts.index,
                &decided,
                decided.case.decided.unwrap(),
            )
            .unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "one decision re-evaluated with the run's {} decided amounts (median of 5): {:.1?}",
        store
            .cases(&CaseFilter::default())
            .unwrap()
            .iter()
            .filter(|c| c.case.decided.is_some())
            .count(),
        times[2]
    );

    // 公示 per lead department.
    let t = Instant::now();
    let ready = store
        .cases(&CaseFilter {
            state: Some(State::Ready),
            ..CaseFilter::default()
        })
        .unwrap();
    let mut by_dept: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    let ends = day(7);
    for c in &ready {
        let dept = who(
            Role::DepartmentReviewer,
            Scope::Department(c.case.department.clone()),
        );
        let a = Action::Publicize(ends);
        let next = step(&c.case, &dept, &a, day(0)).unwrap();
        by_dept
            .entry(c.case.department.clone())
            .or_default()
            .push((c.id, State::Ready, a, next));
    }
    for (department, steps) in &by_dept {
        store
            .publish(
                &NewPublication {
                    department: department.clone(),
                    ends,
                    contact: "bench".into(),
                },
                steps,
            )
            .unwrap();
    }
    println!(
        "{} cases in {} 公示: {:.1?}",
        ready.len(),
        by_dept.len(),
        t.elapsed()
    );

    // Payment batches per fund and payer, after the period, then settled into the ledger.
    let t = Instant::now();
    let finance = who(Role::Finance, Scope::City);
    let mut by_fund: BTreeMap<String, (Vec<NewPart>, Vec<Step>)> = BTreeMap::new();
    let (_, run) = store.run(cases[0].run).unwrap();
    let published = store
        .cases(&CaseFilter {
            state: Some(State::Publicized),
            ..CaseFilter::default()
        })
        .unwrap();
    for c in &published {
        if let Ok(next) = step(&c.case, &finance, &Action::AddToBatch, day(8)) {
            let (parts, steps) = by_fund
                .entry(jx555_store::cases::fund_of(&packs, c))
                .or_default();
            let line = run.lines.get(c.line);
            parts.extend(jx555_store::cases::steps::parts_for(&store, c, line).unwrap());
            steps.push((c.id, State::Publicized, Action::AddToBatch, next));
        }
    }
    let mut batches = Vec::new();
    for (fund, (parts, steps)) in &by_fund {
        batches.extend(store.make_batches(fund, parts, steps).unwrap());
    }
    println!(
        "{} cases in {} payment batches: {:.1?}",
        published.len(),
        batches.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let before = store.ledger().unwrap().entries().len();
    for id in &batches {
        let (_, cases) = store.batch(*id).unwrap().unwrap();
        let steps: Vec<Step> = cases
            .iter()
            .map(|c| {
                let next = step(&c.case, &finance, &Action::RecordPaid, day(9)).unwrap();
                (c.id, State::InBatch, Action::RecordPaid, next)
            })
            .collect();
        store
            .settle_batch(*id, "财拨〔2026〕1号", &BTreeMap::new(), &steps)
            .unwrap();
    }
    let paid = store.ledger().unwrap().entries().len() - before;
    println!(
        "{} batches settled, {paid} payments into the ledger: {:.1?}",
        batches.len(),
        t.elapsed()
    );

    // The pages: every case in 财政's queue, and the largest batch's bank file.
    let router = jx555_server::router(site.app());
    let finance = site.who(Role::Finance);
    let get = |uri: String| {
        let router = router.clone();
        let cookie = finance.cookie.clone();
        async move {
            let t = Instant::now();
            let resp = router
                .oneshot(
                    Request::get(uri)
                        .header(header::COOKIE, cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            (t.elapsed(), bytes.len())
        }
    };
    let mut times = Vec::new();
    for _ in 0..5 {
        times.push(get("/cases".into()).await);
    }
    times.sort();
    println!(
        "the queue of all {} cases (/cases, median of 5): {:.1?}, {} KB",
        cases.len(),
        times[2].0,
        times[2].1 / 1024
    );
    let largest = batches
        .iter()
        .max_by_key(|id| store.batch(**id).unwrap().unwrap().1.len())
        .copied()
        .unwrap();
    let lines = store.batch(largest).unwrap().unwrap().1.len();
    let (t, size) = get(format!("/payments/{largest}/bank.xlsx")).await;
    println!(
        "the bank file (XLSX) of a batch of {lines} lines: {t:.1?}, {} KB",
        size / 1024
    );
    // A bank file as long as the whole year (every paid case in one file), made directly.
    let all: Vec<jx555_report::BankLine> = store
        .cases(&CaseFilter::default())
        .unwrap()
        .into_iter()
        .filter(|c| c.case.paid.is_some())
        .map(|c| jx555_report::BankLine {
            payee: c.case.payee.clone(),
            uscc: c.case.enterprise.clone().unwrap_or_default(),
            bank: "中国工商银行嘉兴分行".into(),
            number: "1204060009000123456".into(),
            amount: c.case.paid.unwrap(),
            purpose: c.rule.clone(),
            case: c.id,
        })
        .collect();
    let t = Instant::now();
    let bytes = jx555_report::bank_xlsx(&all).unwrap();
    println!(
        "a bank file (XLSX) of all {} paid lines: {:.1?}, {} KB",
        all.len(),
        t.elapsed(),
        bytes.len() / 1024
    );
}
