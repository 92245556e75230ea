//! The engine's benchmark: the seeded demo Jiaxing of `jx555 demo-data` (1,000,000 enterprises by default,
//! six years of history, realistic shares of recognitions, projects, parks, organisations and parcels),
//! evaluated for 2023 with the largest pack in the repository, 就高不重复 and caps on, explanations off.
//!
//! ```sh
//! cargo bench -p jx555-engine --bench evaluate                      # 1,000,000 enterprises
//! cargo bench -p jx555-engine --bench evaluate -- --enterprises 100000
//! ```
//!
//! It prints the evaluation's wall time (median of runs), the peak memory while evaluating (the facts
//! included, the generator not), the time of one enterprise's full explanation, and a hand-written Rust
//! loop over the same Arrow data for three rules with the ratio between them, so we know how far we are
//! from the floor.

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use arrow::array::AsArray;
use arrow::datatypes::{Decimal128Type, Int64Type};
use arrow::record_batch::RecordBatch;
use jx555_engine::explain::explain_enterprise;
use jx555_engine::{Facts, Ledger, Request};
use jx555_lang::{SourceFile, Sources};
use std::time::{Duration, Instant};

/// The floor: three of the pack's rules written by hand over the same Arrow columns.
fn hand_written(batches: &[(&str, RecordBatch)], year: i64) -> i128 {
    let table = |name: &str| &batches.iter().find(|(n, _)| *n == name).unwrap().1;
    let mut total = 0i128;
    // 单项冠军等认定奖励: national 150万, provincial 50万, this year's recognitions of three kinds.
    let r = table("recognitions");
    let kind = r.column_by_name("kind").unwrap().as_string::<i32>();
    let level = r.column_by_name("level").unwrap().as_string::<i32>();
    let ry = r
        .column_by_name("year")
        .unwrap()
        .as_primitive::<Int64Type>();
    for i in 0..r.num_rows() {
        if ry.value(i) == year
            && matches!(kind.value(i), "单项冠军" | "隐形冠军" | "专精特新小巨人")
        {
            total += match level.value(i) {
                "national" => 150_000_000,
                "provincial" => 50_000_000,
                _ => 0,
            };
        }
    }
    // 小微企业园增容补助: 150元 per m² above 2.0, at most 500万 (areas have six decimals).
    let p = table("parks");
    let dec = |c: &str| {
        p.column_by_name(c)
            .unwrap()
            .as_primitive::<Decimal128Type>()
            .clone()
    };
    let (land, before, after) = (
        dec("land_area"),
        dec("floor_area_before"),
        dec("floor_area_after"),
    );
    let py = p
        .column_by_name("year")
        .unwrap()
        .as_primitive::<Int64Type>();
    for i in 0..p.num_rows() {
        let base = land.value(i) * 2;
        if py.value(i) == year && after.value(i) >= base {
            let extra = after.value(i) - before.value(i).max(base);
            total += (extra * 150 / 10_000).min(500_000_000);
        }
    }
    // 升规连续三年奖励: above scale in the last three years, first in 2019 or later (rows: 2018..=2023).
    let y = table("enterprise_years");
    let above = y.column_by_name("above_scale").unwrap().as_boolean();
    let e = table("enterprises");
    let manufacturing = e.column_by_name("manufacturing").unwrap().as_boolean();
    let years = (jx555_facts::demo::YEARS.end() - jx555_facts::demo::YEARS.start() + 1) as usize;
    let last = (year - jx555_facts::demo::YEARS.start()) as usize;
    for i in 0..e.num_rows() {
        let row = |k: usize| above.value(years * i + k);
        if manufacturing.value(i) && !row(0) && (last - 2..=last).all(row) {
            total += 30_000_000;
        }
    }
    total
}

fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kib| kib / 1024)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = args
        .iter()
        .position(|a| a == "--enterprises")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000usize);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/example-555/");
    let read = |f: &str| std::fs::read_to_string(format!("{root}{f}")).unwrap();
    let sources = Sources::new(
        SourceFile::new("pack.toml", read("pack.toml")),
        SourceFile::new("policy.md", read("policy.md")),
        Some(SourceFile::new("catalog.toml", read("catalog.toml"))),
    );
    let pack = jx555_lang::check(&sources)
        .pack
        .expect("the example pack checks");

    let t = Instant::now();
    let data = jx555_facts::demo::generate(n, 555).expect("demo data");
    let batches = data.tables;
    println!("generated {n} enterprises in {:?}", t.elapsed());
    let t = Instant::now();
    let facts = Facts::from_batches(&batches).expect("facts");
    println!("indexed facts in {:?}", t.elapsed());

    let ledger = Ledger::default();
    let req = Request {
        packs: &[&pack],
        facts: &facts,
        ledger: &ledger,
        year: 2021,
        overrides: &[],
    };
    let mut times = Vec::new();
    let mut lines = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let run = jx555_engine::evaluate(&req).expect("run");
        times.push(t.elapsed());
        lines = run.lines.len();
    }
    let engine = median(times);
    if std::env::var_os("JX555_BENCH_RULES").is_some() {
        for rule in &pack.rules {
            let one = jx555_lang::ir::Pack {
                rules: vec![rule.clone()],
                principles: vec![],
                ..pack.clone()
            };
            let t = Instant::now();
            let run = jx555_engine::evaluate(&Request {
                packs: &[&one],
                ..req
            })
            .expect("run");
            println!(
                "  {:<24} {:>10.1?} {:>8} lines",
                rule.id,
                t.elapsed(),
                run.lines.len()
            );
        }
    }
    println!(
        "evaluate: {engine:?} (median of 5), {lines} award lines, {} rules",
        pack.rules.len()
    );

    let mut times = Vec::new();
    for i in 0..100 {
        let ids = &facts.table(jx555_lang::types::EntityKind::Enterprise).ids;
        let uscc = ids.value((i * 7919) % n).to_string();
        let t = Instant::now();
        let report = explain_enterprise(&req, &uscc).expect("explain");
        times.push(t.elapsed());
        assert_eq!(report.uscc, uscc);
    }
    println!(
        "explain one enterprise: {:?} (median of 100)",
        median(times)
    );

    let mut times = Vec::new();
    let mut total = 0;
    for _ in 0..5 {
        let t = Instant::now();
        total = hand_written(&batches, 2023);
        times.push(t.elapsed());
    }
    let floor = median(times);
    println!("hand-written loop, 3 rules: {floor:?} (total {total} fen)");
    let three: Vec<_> = [
        "单项冠军等认定奖励",
        "小微企业园增容补助",
        "升规连续三年奖励",
    ]
    .iter()
    .map(|id| jx555_lang::ir::Pack {
        rules: vec![pack.rule(id).unwrap().clone()],
        principles: vec![],
        ..pack.clone()
    })
    .collect();
    let mut times = Vec::new();
    let mut engine_total = 0i64;
    for _ in 0..5 {
        let t = Instant::now();
        engine_total = 0;
        for p in &three {
            engine_total += jx555_engine::evaluate(&Request { packs: &[p], ..req })
                .expect("run")
                .total();
        }
        times.push(t.elapsed());
    }
    let same = median(times);
    println!("engine total for the same 3 rules: {engine_total} fen (就高不重复 included)");
    println!(
        "engine, same 3 rules: {same:?}; ratio to the hand-written loop: {:.1}x",
        same.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    );
    if let Some(mib) = peak_memory_mib() {
        println!("peak memory while evaluating (facts included): {mib} MiB");
    }
}
