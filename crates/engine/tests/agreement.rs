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
    let lines = |facts: &FactIndex, year: i32| awards(&p, facts, year);
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

/// 首年, 连续 and 首次 of a yes/no yearly field, in a rule of their own.
const HISTORY: &str = "## （五）推进企业升规\n\n对2019年（含）以后升规且连续三年在规的制造业企业给予30万元的奖励。\n\n```rule\n\
     rule 史 for enterprise e {\n  let 首年 = first_year(e.above_scale)\n  let 连续 = streak(e.above_scale)\n  \
     let 首次 = first_time(e.above_scale)\n  when 有: 首年 >= 2000 and 连续 >= 0 and 首次\n  award 1万\n  \
     department 市经信局\n}\n```\n";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// The history of a yes/no yearly field is read as bits when each enterprise's years lie side by
    /// side, and year by year otherwise: with unknown years among them, and asked in years from
    /// before the first with data to after the last, both give the same.
    #[test]
    fn history_read_as_bits_is_history_read_year_by_year(
        held in proptest::collection::vec(
            proptest::collection::vec(proptest::option::of(proptest::bool::ANY), 6),
            1..6,
        ),
        year in 2016i32..2026,
    ) {
        use jx555_engine::eval::{Evaluator, Frame, value_at};
        let n = held.len();
        let ids: Vec<String> = (0..n).map(|i| format!("E{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let facts = |reversed: bool| {
            let mut rows: Vec<(&str, i64, Option<bool>)> = ids
                .iter()
                .zip(&held)
                .flat_map(|(e, h)| (2018..).zip(h).map(move |(y, v)| (*e, y, *v)))
                .collect();
            if reversed {
                rows.reverse();
            }
            let above: Vec<Option<bool>> = rows.iter().map(|r| r.2).collect();
            support::World::default()
                .with("enterprises", support::enterprises(&ids))
                .with(
                    "enterprise_years",
                    vec![
                        ("uscc", support::text(&rows.iter().map(|r| r.0).collect::<Vec<_>>())),
                        ("year", support::ints(&rows.iter().map(|r| r.1).collect::<Vec<_>>())),
                        ("above_scale", std::sync::Arc::new(arrow::array::BooleanArray::from(above))),
                    ],
                )
                .facts()
        };
        let p = support::pack(HISTORY);
        let rule = p.rule("史").unwrap();
        let params = jx555_engine::params::Params::new(&p, &[]).unwrap();
        let history = |facts: &FactIndex| {
            let rows = arrow::array::UInt32Array::from_iter_values(0..u32::try_from(n).unwrap());
            let ev = Evaluator::new(facts, &params, year, &rule.lets, Frame::subjects(&rule.var, rows), false);
            rule.lets
                .iter()
                .map(|(_, e)| {
                    let c = ev.eval_root(e).unwrap();
                    (0..n).map(|i| value_at(&c, &e.ty, i, facts)).collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        proptest::prop_assert_eq!(history(&facts(false)), history(&facts(true)));
    }
}

/// Money comes as 64-bit fen from an import, and as 128-bit from facts stored before: both pay the
/// same, to the fen, and hash the same.
#[test]
fn money_of_either_width_pays_the_same() {
    use arrow::datatypes::DataType;
    let data = jx555_facts::demo::generate(3000, 11).unwrap();
    let mut widened = 0;
    let wide = jx555_facts::Dataset {
        tables: data
            .tables
            .iter()
            .map(|(name, batch)| {
                let columns = batch
                    .columns()
                    .iter()
                    .map(|c| match c.data_type() {
                        DataType::Decimal64(..) => {
                            widened += 1;
                            arrow::compute::cast(c, &DataType::Decimal128(20, 2)).unwrap()
                        }
                        _ => c.clone(),
                    })
                    .collect::<Vec<_>>();
                let fields: Vec<_> = batch
                    .schema()
                    .fields()
                    .iter()
                    .zip(&columns)
                    .map(|(f, c)| {
                        arrow::datatypes::Field::new(f.name(), c.data_type().clone(), true)
                    })
                    .collect();
                let schema = std::sync::Arc::new(arrow::datatypes::Schema::new(fields));
                (
                    *name,
                    arrow::record_batch::RecordBatch::try_new(schema, columns).unwrap(),
                )
            })
            .collect(),
    };
    assert!(
        widened >= 5,
        "the demo's money is 64-bit: {widened} columns"
    );
    // The same facts, the same hash: their canonical CSV does not show the width.
    assert_eq!(
        jx555_facts::csv_io::hash(&wide),
        jx555_facts::csv_io::hash(&data)
    );
    let p = support::example();
    let lines = |facts: &FactIndex, year: i32| awards(&p, facts, year);
    let (narrow, wide) = (
        FactIndex::from_batches(&data.tables).unwrap(),
        FactIndex::from_batches(&wide.tables).unwrap(),
    );
    for year in 2020..=2025 {
        let (a, b) = (lines(&narrow, year), lines(&wide, year));
        assert!(!a.is_empty(), "{year}: the demo should have lines");
        assert_eq!(a, b, "{year}");
    }
}

/// Each line of the example pack's run over `facts` in `year`: rule, subject, amount.
fn awards(pack: &jx555_lang::ir::Pack, facts: &FactIndex, year: i32) -> Vec<(String, String, i64)> {
    support::run(&[pack], facts, &Ledger::default(), year)
        .lines
        .iter()
        .map(|l| (l.rule.id.clone(), l.subject.clone(), l.payable))
        .collect()
}
