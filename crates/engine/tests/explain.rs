//! Explanations and what-if, on cases from the policy text.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use jx555_engine::explain::{explain, explain_enterprise};
use jx555_engine::run::Status;
use jx555_engine::whatif::what_if;
use jx555_engine::{Ledger, Override, Request};
use jx555_lang::types::{EntityKind, Value};
use rust_decimal::Decimal;
use support::*;

fn world() -> World {
    let years = |u: &'static str, tax: &'static str| {
        vec![
            ("uscc", text(&[u, u])),
            ("year", ints(&[2020, 2021])),
            ("above_scale", flags(&[true, true])),
            ("revenue", money(&["4000000000", "5200000000"])),
            ("tax_paid", money(&["100000000", tax])),
            ("local_contribution", money(&["25000000", "30000000"])),
            ("private500_rank", ints(&[0, 0])),
        ]
    };
    let mut e1 = years("E1", "120000000");
    for (c, more) in e1.iter_mut().zip(years("E2", "108200000")) {
        c.1 = arrow::compute::concat(&[c.1.as_ref(), more.1.as_ref()]).unwrap();
    }
    World::default()
        .with("enterprises", enterprises(&["E1", "E2"]))
        .with("enterprise_years", e1)
        .with(
            "recognitions",
            vec![
                ("id", text(&["R1", "R2"])),
                ("uscc", text(&["E2", "E2"])),
                ("kind", text(&["单项冠军", "单项冠军"])),
                ("level", text(&["provincial", "national"])),
                ("year", ints(&[2021, 2021])),
            ],
        )
        .with(
            "parks",
            vec![
                ("id", text(&["P1"])),
                ("county", text(&["海宁市"])),
                ("year", ints(&[2021])),
                ("land_area", dec(&[Some("10000")])),
                ("floor_area_before", dec(&[Some("15000")])),
                ("floor_area_after", dec(&[Some("60000")])),
            ],
        )
}

/// A failed comparison says how far it is: 实缴税收增速 8.2%，需 ≥ 10%.
#[test]
fn a_failed_condition_names_its_distance_and_the_facts_it_read() {
    let facts = world().facts();
    let p = example();
    let req = Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    };
    let x = explain(&req, EntityKind::Enterprise, "E2", "强链企业地方贡献奖励").unwrap();
    assert!(!x.eligible);
    assert_eq!(x.citation.clause, "（六）");
    let names: Vec<_> = x
        .conditions
        .iter()
        .map(|c| (c.name.as_str(), c.holds))
        .collect();
    assert_eq!(
        names,
        vec![
            ("制造业", Some(true)),
            ("首次入围或首次突破", Some(true)),
            ("税收增速达标", Some(false))
        ]
    );
    let growth = &x.conditions[2];
    assert_eq!(growth.gaps[0].message, "实缴税收增速 8.2%，需 ≥ 10%");
    let reads: Vec<_> = growth
        .reads
        .iter()
        .map(|r| (r.field.as_str(), r.year, r.value.as_deref()))
        .collect();
    assert!(
        reads.contains(&("tax_paid", Some(2021), Some("10820万元"))),
        "{reads:?}"
    );
    assert!(
        reads.contains(&("tax_paid", Some(2020), Some("10000万元"))),
        "{reads:?}"
    );
    assert!(x.line.is_none());

    let ok = explain(&req, EntityKind::Enterprise, "E1", "强链企业地方贡献奖励").unwrap();
    assert!(ok.eligible);
    assert_eq!(ok.line.unwrap().payable, 250 * WAN);
}

/// 就高不重复: the explanation says which line won.
#[test]
fn a_superseded_line_points_at_the_winner() {
    let facts = world().facts();
    let p = example();
    let req = Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    };
    let x = explain(&req, EntityKind::Recognition, "R1", "单项冠军等认定奖励").unwrap();
    assert!(x.eligible);
    assert!(matches!(
        x.line.as_ref().unwrap().status,
        Status::Superseded { .. }
    ));
    let winner = x.superseded_by.unwrap();
    assert_eq!((winner.subject.as_str(), winner.payable), ("R2", 150 * WAN));
}

/// For one enterprise: what it gets, what it nearly gets, what it lacks.
#[test]
fn an_enterprise_report_sorts_rules_by_how_close_they_are() {
    let facts = world().facts();
    let p = example();
    let req = Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    };
    let r = explain_enterprise(&req, "E2").unwrap();
    let rules = |xs: &[jx555_engine::explain::Explanation]| {
        xs.iter()
            .map(|x| format!("{}:{}", x.rule, x.subject))
            .collect::<Vec<_>>()
    };
    assert!(
        rules(&r.gets).contains(&"单项冠军等认定奖励:R2".to_string()),
        "{:?}",
        rules(&r.gets)
    );
    assert!(
        rules(&r.nearly).contains(&"强链企业地方贡献奖励:E2".to_string()),
        "{:?}",
        rules(&r.nearly)
    );
    assert!(
        rules(&r.lacks).contains(&"首台套首批次首版次奖励:R1".to_string()),
        "{:?}",
        rules(&r.lacks)
    );
    assert!(explain_enterprise(&req, "E9").is_err());
}

/// What-if: 小巨人 150万 → 200万 and the 500万 cap → 800万, by rule, department, county and fund.
#[test]
fn what_if_shows_the_difference_by_rule_department_county_and_fund() {
    let facts = world().facts();
    let p = example();
    let req = Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    };
    let changes = [
        Override {
            param: "强链认定奖励".into(),
            key: Some("national".into()),
            value: Value::Money(Decimal::from(2_000_000)),
        },
        Override {
            param: "小微园补助上限".into(),
            key: None,
            value: Value::Money(Decimal::from(8_000_000)),
        },
    ];
    let w = what_if(&req, &changes).unwrap();
    let rule = |k: &str| {
        w.by_rule
            .iter()
            .find(|d| d.key.id().ends_with(k))
            .map(|d| d.change)
    };
    assert_eq!(rule("单项冠军等认定奖励"), Some(50 * WAN));
    assert_eq!(
        rule("小微企业园增容补助"),
        Some(100 * WAN),
        "600万 no longer capped at 500万"
    );
    assert_eq!(w.variant.total() - w.baseline.total(), 150 * WAN);
    let county = |k: &str| {
        w.by_county
            .iter()
            .find(|d| d.key.id() == k)
            .map(|d| d.change)
    };
    assert_eq!(county("海宁市"), Some(100 * WAN));
    assert_eq!(county("南湖区"), Some(50 * WAN));
    let fund = w
        .by_fund
        .iter()
        .find(|d| d.key.id() == "工信专项资金")
        .unwrap();
    assert_eq!(fund.change, 150 * WAN);
    let dept = w
        .by_lead_department
        .iter()
        .find(|d| d.key.id() == "市经信局")
        .unwrap();
    assert_eq!(dept.change, 150 * WAN);
}

/// A what-if of a parameter no pack has, or of the wrong type, is refused.
#[test]
fn a_wrong_override_is_refused() {
    let facts = world().facts();
    let p = example();
    let req = Request {
        packs: &[&p],
        facts: &facts,
        ledger: &Ledger::default(),
        year: 2021,
        overrides: &[],
    };
    let unknown = Override {
        param: "没有这个参数".into(),
        key: None,
        value: Value::Money(Decimal::ONE),
    };
    assert!(
        what_if(&req, &[unknown])
            .unwrap_err()
            .to_string()
            .contains("没有这个参数")
    );
    let wrong = Override {
        param: "小微园补助上限".into(),
        key: None,
        value: Value::Percent(Decimal::ONE),
    };
    assert!(
        what_if(&req, &[wrong])
            .unwrap_err()
            .to_string()
            .contains("money")
    );
    // A negative amount, and a key its enum does not have (the error lists the keys).
    let negative = Override {
        param: "小微园补助上限".into(),
        key: None,
        value: Value::Money(Decimal::NEGATIVE_ONE),
    };
    assert!(
        what_if(&req, &[negative])
            .unwrap_err()
            .to_string()
            .contains("cannot be negative")
    );
    let key = Override {
        param: "强链认定奖励".into(),
        key: Some("world".into()),
        value: Value::Money(Decimal::ONE),
    };
    let e = what_if(&req, &[key]).unwrap_err().to_string();
    assert!(e.contains("no key world") && e.contains("national"), "{e}");
}
