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
