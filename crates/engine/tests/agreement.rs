//! The engine agrees, record by record, with three rules written by hand over the demo Jiaxing.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use arrow::array::AsArray;
use jx555_engine::{FactIndex, Ledger};
use std::collections::BTreeMap;
use support::hand;

#[test]
fn three_rules_match_a_hand_written_loop_on_demo_data() {
    let data = jx555_facts::demo::generate(3000, 9).unwrap();
    let facts = FactIndex::from_batches(&data.tables).unwrap();
    let p = support::example();
    let run = support::run(&[&p], &facts, &Ledger::default(), 2023);
    let tables = ["enterprises", "parks", "recognitions"];
    let ids = |t: usize| {
        let b = data.table(tables[t]).unwrap();
        b.column_by_name(if t == 0 { "uscc" } else { "id" })
            .unwrap()
            .as_string::<i32>()
            .clone()
    };
    let mut by_hand: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); 3];
    hand::visit(&data, 2023, |rule, row, fen| {
        by_hand[rule].insert(ids(rule).value(row).to_string(), fen);
    });
    for (rule, expected) in hand::RULES.iter().zip(by_hand) {
        let engine: BTreeMap<String, i64> = run
            .lines
            .iter()
            .filter(|l| l.rule.id == *rule)
            .map(|l| (l.subject.clone(), l.payable))
            .collect();
        assert!(!expected.is_empty(), "{rule}: the demo should have lines");
        assert_eq!(engine, expected, "{rule}");
    }
}

/// The enterprise-year rows are read through arithmetic when they come one per enterprise and year in
/// the enterprises' order, and through an index otherwise: both read the same facts.
#[test]
fn enterprise_years_in_any_order_give_the_same_awards() {
    let data = jx555_facts::demo::generate(3000, 9).unwrap();
    let reversed = jx555_facts::Dataset {
        tables: data
            .tables
            .iter()
            .map(|(name, batch)| {
                let batch = if *name == "enterprise_years" {
                    let n = u32::try_from(batch.num_rows()).unwrap();
                    let rows = arrow::array::UInt32Array::from_iter_values((0..n).rev());
                    arrow::compute::take_record_batch(batch, &rows).unwrap()
                } else {
                    batch.clone()
                };
                (*name, batch)
            })
            .collect(),
    };
    let p = support::example();
    let lines = |facts: &FactIndex, year: i32| {
        support::run(&[&p], facts, &Ledger::default(), year)
            .lines
            .iter()
            .map(|l| (l.rule.id.clone(), l.subject.clone(), l.payable))
            .collect::<Vec<_>>()
    };
    let (dense, indexed) = (
        FactIndex::from_batches(&data.tables).unwrap(),
        FactIndex::from_batches(&reversed.tables).unwrap(),
    );
    assert_eq!(dense.first_year(), indexed.first_year());
    assert_eq!(dense.last_year(), indexed.last_year());
    for year in 2020..=2025 {
        let (a, b) = (lines(&dense, year), lines(&indexed, year));
        assert!(!a.is_empty(), "{year}: the demo should have lines");
        assert_eq!(a, b, "{year}");
    }
}
