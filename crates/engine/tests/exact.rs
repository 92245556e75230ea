//! Money is exact: a division is carried at full precision and rounded once, where the rule says.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use jx555_engine::Ledger;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};
use support::*;

/// One enterprise that crosses 50亿 of revenue in 2021, with its tax and local contribution in fen.
fn crossing(tax_before: i64, tax_now: i64, local: i64) -> jx555_engine::FactIndex {
    let yuan = |fen: i64| format!("{}.{:02}", fen / 100, fen % 100);
    let (t0, t1, l) = (yuan(tax_before), yuan(tax_now), yuan(local));
    World::default()
        .with("enterprises", enterprises(&["E1"]))
        .with(
            "enterprise_years",
            vec![
                ("uscc", text(&["E1", "E1"])),
                ("year", ints(&[2020, 2021])),
                ("above_scale", flags(&[true, true])),
                ("revenue", money(&["4000000000", "5200000000"])),
                ("tax_paid", money(&[&t0, &t1])),
                ("local_contribution", money(&["0", &l])),
                ("private500_rank", ints(&[0, 0])),
            ],
        )
        .facts()
}

/// What （六）'s award comes to in exact arithmetic: 地方贡献 × (g − 10%) / (1 + g), half up to the fen.
fn exact_award(tax_before: i64, tax_now: i64, local: i64) -> Option<i64> {
    let q = |n: i64, d: i64| BigRational::new(BigInt::from(n), BigInt::from(d));
    let g = q(tax_now - tax_before, tax_before);
    if g < q(1, 10) {
        return None;
    }
    let fen = q(local, 1) * (&g - q(1, 10)) / (q(1, 1) + &g);
    let half = q(1, 2);
    let floor = fen.floor();
    let rounded = if &fen - &floor >= half {
        floor + q(1, 1)
    } else {
        floor
    };
    assert!(!rounded.is_negative());
    rounded.to_integer().to_i64()
}

fn award(facts: &jx555_engine::FactIndex) -> Option<i64> {
    let p = example();
    let r = run(&[&p], facts, &Ledger::default(), 2021);
    r.lines
        .iter()
        .find(|l| l.rule.id == "强链企业地方贡献奖励")
        .map(|l| l.payable)
}

/// （六）: local contribution 7亿, tax 3亿 → 3.9亿 (30%): 7亿 × 20% / 130% = 107,692,307.6923…元, which is
/// 107,692,307.69元 — not the .66 that a quotient cut at ten decimals gives.
#[test]
fn the_excess_of_local_contribution_is_exact_to_the_fen() {
    let facts = crossing(30_000_000_000, 39_000_000_000, 70_000_000_000);
    assert_eq!(award(&facts), Some(10_769_230_769));
}

/// Growth of exactly 10% qualifies (超10%（含）) and pays nothing above it.
#[test]
fn growth_of_exactly_ten_percent_pays_zero() {
    let facts = crossing(10_000_000_000, 11_000_000_000, 3_000_000_000);
    assert_eq!(award(&facts), Some(0));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Amounts up to 10¹² yuan and growth rates from −50% to +1000%: the engine pays what exact rational
    /// arithmetic gives, to the fen.
    #[test]
    fn the_engine_agrees_with_exact_rationals(
        tax_before in 1i64..100_000_000_000_000,
        growth_permille in -500i64..10_000,
        jitter in 0i64..1_000_000,
        local in 0i64..100_000_000_000_000,
    ) {
        let tax_now = (i128::from(tax_before) * i128::from(1000 + growth_permille) / 1000) as i64 + jitter;
        let facts = crossing(tax_before, tax_now, local);
        proptest::prop_assert_eq!(award(&facts), exact_award(tax_before, tax_now, local));
    }
}
