//! FactIndex built in code for the engine's tests, and the packs they run.

#![allow(dead_code)]

pub mod hand;

use arrow::array::{ArrayRef, BooleanArray, Decimal128Array, Int64Array, StringArray};
use arrow::datatypes::DataType;
use jx555_engine::facts::batch;
use jx555_engine::{FactIndex, Ledger, Request, Run};
use jx555_lang::ir::Pack;
use jx555_lang::schema::{self, FieldType};
use jx555_lang::{SourceFile, Sources};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

pub const MANIFEST: &str = include_str!("../../../../policies/example-555/pack.toml");
pub const CATALOG: &str = include_str!("../../../../policies/example-555/catalog.toml");
pub const EXAMPLE: &str = include_str!("../../../../policies/example-555/policy.md");

/// A checked pack from a policy text, with the example pack's manifest and catalog.
pub fn pack(policy: &str) -> Pack {
    let sources = Sources::new(
        SourceFile::new("pack.toml", MANIFEST),
        SourceFile::new("policy.md", policy),
        Some(SourceFile::new("catalog.toml", CATALOG)),
    );
    let checked = jx555_lang::check(&sources);
    checked
        .pack
        .unwrap_or_else(|| panic!("{}", sources.render(&checked.diagnostics, false)))
}

/// The example pack.
pub fn example() -> Pack {
    pack(EXAMPLE)
}

pub fn text(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

pub fn opt_text(v: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}

pub fn flags(v: &[bool]) -> ArrayRef {
    Arc::new(BooleanArray::from(v.to_vec()))
}

pub fn ints(v: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(v.to_vec()))
}

/// Exact decimals with two places, from text ("8333.33"); money is in yuan.
pub fn dec(v: &[Option<&str>]) -> ArrayRef {
    let values: Vec<Option<i128>> = v
        .iter()
        .map(|x| {
            x.map(|s| {
                let mut d = Decimal::from_str(s).expect("decimal");
                d.rescale(2);
                d.mantissa()
            })
        })
        .collect();
    Arc::new(
        Decimal128Array::from(values)
            .with_precision_and_scale(20, 2)
            .expect("precision"),
    )
}

/// Yuan as text, one per value, all present.
pub fn money(v: &[&str]) -> ArrayRef {
    dec(&v.iter().map(|s| Some(*s)).collect::<Vec<_>>())
}

/// A world of tables; each table is optional.
#[derive(Default)]
pub struct World {
    pub tables: Vec<(&'static str, Vec<(&'static str, ArrayRef)>)>,
}

impl World {
    pub fn with(mut self, table: &'static str, columns: Vec<(&'static str, ArrayRef)>) -> Self {
        self.tables.push((table, columns));
        self
    }

    /// The facts, with every table and column the schema has: what a test leaves out is empty or null.
    pub fn facts(&self) -> FactIndex {
        FactIndex::from_batches(&self.batches()).expect("facts")
    }

    /// The tables, completed with empty tables and null columns.
    pub fn batches(&self) -> Vec<(&'static str, arrow::record_batch::RecordBatch)> {
        use jx555_engine::facts::{ENTERPRISE_YEARS, table_name};
        use jx555_lang::types::EntityKind;
        let mut out = Vec::new();
        let mut names: Vec<(&'static str, Vec<(&'static str, FieldType)>)> = EntityKind::ALL
            .iter()
            .map(|k| {
                let key = if *k == EntityKind::Enterprise {
                    "uscc"
                } else {
                    "id"
                };
                let mut cols = vec![(key, FieldType::Text)];
                if matches!(
                    k,
                    EntityKind::Recognition | EntityKind::Project | EntityKind::LandParcel
                ) {
                    cols.push(("uscc", FieldType::Text));
                }
                cols.extend(
                    schema::fields(*k)
                        .iter()
                        .filter(|f| !f.yearly && f.name != key)
                        .map(|f| (f.name, f.ty)),
                );
                (table_name(*k), cols)
            })
            .collect();
        let mut years = vec![("uscc", FieldType::Text), ("year", FieldType::Year)];
        years.extend(
            schema::fields(EntityKind::Enterprise)
                .iter()
                .filter(|f| f.yearly)
                .map(|f| (f.name, f.ty)),
        );
        names.push((ENTERPRISE_YEARS, years));
        for (name, cols) in names {
            let given: Vec<(&'static str, ArrayRef)> = self
                .tables
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            let rows = given.first().map_or(0, |(_, a)| a.len());
            let mut all = given.clone();
            for (col, ty) in cols {
                if matches!(ty, FieldType::Parent(_) | FieldType::Children(_))
                    || given.iter().any(|(n, _)| *n == col)
                {
                    continue;
                }
                let dt = match ty {
                    FieldType::Bool => DataType::Boolean,
                    FieldType::Int | FieldType::Year => DataType::Int64,
                    FieldType::Decimal | FieldType::Money | FieldType::Percent => {
                        DataType::Decimal128(20, 2)
                    }
                    FieldType::Date => DataType::Date32,
                    _ => DataType::Utf8,
                };
                all.push((col, arrow::array::new_null_array(&dt, rows)));
            }
            out.push((name, batch(all).expect("batch")));
        }
        out
    }
}

/// Runs packs for a year with a ledger.
pub fn run(packs: &[&Pack], facts: &FactIndex, ledger: &Ledger, year: i32) -> Run {
    jx555_engine::evaluate(&Request {
        packs,
        facts,
        ledger,
        year,
        overrides: &[],
    })
    .expect("run")
}

/// Runs years in order, approving each run into the ledger, and returns the runs.
pub fn run_years(
    packs: &[&Pack],
    facts: &FactIndex,
    years: std::ops::RangeInclusive<i32>,
) -> Vec<Run> {
    let mut entries = Vec::new();
    let mut runs = Vec::new();
    for year in years {
        let r = run(packs, facts, &Ledger::new(entries.clone()), year);
        entries.extend(Ledger::entries_of(&r));
        runs.push(r);
    }
    runs
}

/// Two enterprises with nothing but ids and counties.
pub fn enterprises(usccs: &[&str]) -> Vec<(&'static str, ArrayRef)> {
    let n = usccs.len();
    vec![
        ("uscc", text(usccs)),
        ("name", text(&vec!["企业"; n])),
        ("county", text(&vec!["南湖区"; n])),
        ("manufacturing", flags(&vec![true; n])),
    ]
}

pub const WAN: i64 = 1_000_000; // one 万元 in fen
