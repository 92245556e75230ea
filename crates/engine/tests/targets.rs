//! （二）主要目标: targets measured over the facts.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use jx555_engine::targets::targets;
use jx555_lang::types::Value;
use rust_decimal::Decimal;
use support::*;

/// 全市规上工业总产值突破1.6万亿元: the sum of above-scale enterprises' output; 制造业增加值占GDP比重 is an
/// indicator the facts cannot give.
#[test]
fn output_is_summed_over_above_scale_enterprises() {
    let facts = World::default()
        .with("enterprises", enterprises(&["E1", "E2", "E3"]))
        .with(
            "enterprise_years",
            vec![
                ("uscc", text(&["E1", "E2", "E3"])),
                ("year", ints(&[2023, 2023, 2023])),
                ("above_scale", flags(&[true, true, false])),
                ("output", money(&["600000000000", "200000000000", "999"])),
            ],
        )
        .facts();
    let p = example();
    let t = targets(&[&p], &facts, 2023).unwrap();
    let output = t.iter().find(|t| t.id == "规上工业总产值").unwrap();
    assert_eq!(
        output.value,
        Some(Value::Money(Decimal::from(800_000_000_000_i64)))
    );
    assert_eq!(output.clause, "（二）");
    assert_eq!(output.met, Some(false));
    assert_eq!(
        output.progress,
        Some(Decimal::new(5, 1)),
        "8000亿 of 1.6万亿"
    );
    // Doubling in two years: about 41.4% a year.
    assert_eq!(
        output.yearly_growth_needed.map(|g| g.round_dp(3)),
        Some(Decimal::new(414, 3))
    );
    let share = t.iter().find(|t| t.id == "制造业增加值占GDP比重").unwrap();
    assert_eq!((share.value.clone(), share.met), (None, None));
    // A year the facts do not cover has no value: not 0元 and 未达成.
    let later = targets(&[&p], &facts, 2024).unwrap();
    let output = later.iter().find(|t| t.id == "规上工业总产值").unwrap();
    assert_eq!(
        (output.value.clone(), output.progress, output.met),
        (None, None, None)
    );
}

/// 制造业增加值占GDP比重在40%以上: the facts cannot give it, an indicator entered for the year does.
#[test]
fn an_indicator_gives_what_the_facts_cannot() {
    let mut batches = World::default()
        .with("enterprises", enterprises(&["E1"]))
        .batches();
    let indicators = jx555_engine::facts::batch(vec![
        (
            "target",
            text(&["制造业增加值占GDP比重", "制造业增加值占GDP比重"]),
        ),
        ("year", ints(&[2022, 2023])),
        ("value", dec(&[Some("0.38"), Some("0.42")])),
    ])
    .unwrap();
    batches.push(("indicators", indicators));
    let facts = jx555_engine::FactIndex::from_batches(&batches).unwrap();
    let p = example();
    let of = |year| {
        targets(&[&p], &facts, year)
            .unwrap()
            .into_iter()
            .find(|t| t.id == "制造业增加值占GDP比重")
            .unwrap()
    };
    assert_eq!(
        (of(2022).value, of(2022).met),
        (Some(Value::Percent(Decimal::new(38, 2))), Some(false))
    );
    assert_eq!(
        (of(2023).value, of(2023).met),
        (Some(Value::Percent(Decimal::new(42, 2))), Some(true))
    );
    assert_eq!(of(2021).value, None);
}

/// 规上企业……数量倍增: the goal is 200% of the 2019 count, which is also the baseline.
#[test]
fn a_doubling_is_measured_against_the_base_year() {
    let p = pack(
        "### （二）主要目标\n\n实现规上企业数量倍增。\n\n```rule\ntarget 规上企业倍增 {\n  goal >= 200% of 2019 by 2025\n  measure count(e in enterprises where e.above_scale)\n  department 市经信局\n}\n```\n",
    );
    let facts = World::default()
        .with("enterprises", enterprises(&["E1", "E2", "E3"]))
        .with(
            "enterprise_years",
            vec![
                ("uscc", text(&["E1", "E2", "E1", "E2", "E3"])),
                ("year", ints(&[2019, 2019, 2023, 2023, 2023])),
                ("above_scale", flags(&[true, false, true, true, true])),
            ],
        )
        .facts();
    let t = targets(&[&p], &facts, 2023).unwrap().remove(0);
    assert_eq!(t.baseline, Some((Value::Int(1), 2019)));
    assert_eq!(t.goal, Some(Value::Int(2)), "twice the one of 2019");
    assert_eq!((t.value, t.met), (Some(Value::Int(3)), Some(true)));
    assert_eq!(t.goal_stated, "2019年的200%");
}
