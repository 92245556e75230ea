//! 终期评估 over a period: the money paid adds up the same way by year, county, department and fund
//! as in total, each target is followed year by year, repeat recipients are counted, and the rules
//! that never paid are named, and the lines nobody decided are counted where they stopped.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use jx555_engine::Ledger;
use jx555_engine::review::{Open, review};
use jx555_engine::summary::Standing;
use support::*;

#[test]
fn a_period_reviewed_from_its_ledger() {
    // E1 crosses into scale in 2019 and stays three years (30万 in 2021); E2 is a national
    // 小巨人 in 2021 and 2022 (150万, then nothing more: the same honour).
    let facts = World::default()
        .with("enterprises", enterprises(&["E1", "E2"]))
        .with(
            "enterprise_years",
            vec![
                ("uscc", text(&["E1", "E1", "E1", "E1", "E2", "E2"])),
                ("year", ints(&[2018, 2019, 2020, 2021, 2021, 2022])),
                ("above_scale", flags(&[false, true, true, true, true, true])),
            ],
        )
        .with(
            "recognitions",
            vec![
                ("id", text(&["R1"])),
                ("uscc", text(&["E2"])),
                ("kind", text(&["专精特新小巨人"])),
                ("level", text(&["national"])),
                ("year", ints(&[2021])),
            ],
        )
        .facts();
    let p = example();
    let runs = run_years(&[&p], &facts, 2021..=2022);
    let ledger = Ledger::new(runs.iter().flat_map(Ledger::entries_of).collect());
    // Two applications for one rule stopped at 待初审 in 2022; one of 2020 lies outside the period.
    let open = |year, state: &str| Open {
        year,
        pack: p.manifest.id.clone(),
        rule: "单项冠军等认定奖励".into(),
        standing: Standing::Review,
        state: Some(state.into()),
    };
    let r = review(
        &[&p],
        &facts,
        &ledger,
        &[
            open(2022, "待初审"),
            open(2022, "待初审"),
            open(2020, "待申报"),
        ],
        2021,
        2022,
    )
    .unwrap();
    assert_eq!(r.undecided.len(), 1, "{:?}", r.undecided);
    let u = &r.undecided[0];
    assert_eq!(
        (u.year, u.count, u.state.as_deref(), u.clause.is_empty()),
        (2022, 2, Some("待初审"), false)
    );
    let paid: i64 = ledger.entries().iter().map(|e| e.amount).sum();
    assert!(paid > 0);
    assert_eq!(r.total, paid);
    for by in [
        r.by_year.values().sum::<i64>(),
        r.by_county.values().sum::<i64>(),
        r.by_department.values().sum::<i64>(),
        r.by_fund.values().sum::<i64>(),
        r.by_rule.iter().map(|x| x.amount).sum::<i64>(),
    ] {
        assert_eq!(by, paid, "every view adds up to the total");
    }
    assert_eq!(r.by_county.get(&Some("南湖区".to_string())), Some(&paid));
    assert_eq!(
        (r.enterprises_reached, r.repeat_recipients),
        (2, 0),
        "E1 by its own award, E2 by its recognition's; each paid in one year"
    );
    assert!(
        r.targets.iter().all(|(_, years)| years.len() == 2),
        "each target in each year"
    );
    assert!(
        r.never_paid
            .iter()
            .any(|(_, rule, ..)| rule == "小微企业园增容补助"),
        "{:?}",
        r.never_paid
    );
    assert!(
        !r.never_paid
            .iter()
            .any(|(_, rule, ..)| rule == "单项冠军等认定奖励")
    );
    assert_eq!(r.principles.len(), p.principles.len());
}
