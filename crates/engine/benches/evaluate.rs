//! The engine's benchmark: a seeded synthetic Jiaxing of N enterprises (1,000,000 by default) with three
//! years of history and realistic shares of recognitions, projects, parks, organisations and parcels,
//! evaluated with the largest pack in the repository, 就高不重复 and caps on, explanations off.
//!
//! ```sh
//! cargo bench -p jx555-engine --bench evaluate                      # 1,000,000 enterprises
//! cargo bench -p jx555-engine --bench evaluate -- --enterprises 100000
//! ```
//!
//! It prints the evaluation's wall time (median of runs), the peak memory of the process, the time of one
//! enterprise's full explanation, and a hand-written Rust loop over the same Arrow data for three rules
//! with the ratio between them, so we know how far we are from the floor.

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use arrow::array::{ArrayRef, AsArray, BooleanArray, Decimal128Array, Int64Array, StringArray};
use arrow::datatypes::{Decimal128Type, Int64Type};
use arrow::record_batch::RecordBatch;
use jx555_engine::explain::explain_enterprise;
use jx555_engine::facts::batch;
use jx555_engine::{Facts, Ledger, Request};
use jx555_lang::{SourceFile, Sources};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A small, seeded generator (splitmix64): the same seed gives the same world.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, per_thousand: u64) -> bool {
        self.below(1000) < per_thousand
    }
    /// A heavy-tailed amount in fen: most enterprises small, a few very large.
    fn heavy(&mut self, median_yuan: i128) -> i128 {
        let u = (self.below(1_000_000) + 1) as f64 / 1_000_001.0;
        let pareto = (1.0 / u).powf(0.9);
        (median_yuan as f64 * pareto * 100.0) as i128
    }
}

const COUNTIES: [&str; 9] = [
    "南湖区",
    "秀洲区",
    "嘉善县",
    "平湖市",
    "海盐县",
    "海宁市",
    "桐乡市",
    "嘉兴经济技术开发区",
    "嘉兴港区",
];
const KINDS: [&str; 6] = [
    "单项冠军",
    "隐形冠军",
    "专精特新小巨人",
    "首台套",
    "首批次",
    "首版次",
];
const LEVELS: [&str; 3] = ["national", "provincial", "municipal"];

fn money(v: Vec<Option<i128>>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(v)
            .with_precision_and_scale(20, 2)
            .unwrap(),
    )
}

fn dec2(v: Vec<i128>) -> ArrayRef {
    Arc::new(
        Decimal128Array::from(v)
            .with_precision_and_scale(20, 2)
            .unwrap(),
    )
}

fn strings(v: Vec<String>) -> ArrayRef {
    Arc::new(StringArray::from(v))
}

fn world(n: usize, seed: u64) -> Vec<(&'static str, RecordBatch)> {
    let mut rng = Rng(seed);
    let uscc: Vec<String> = (0..n).map(|i| format!("E{i:08}")).collect();
    let enterprises = batch(vec![
        ("uscc", strings(uscc.clone())),
        (
            "name",
            strings((0..n).map(|i| format!("企业{i}")).collect()),
        ),
        (
            "county",
            strings(
                (0..n)
                    .map(|_| COUNTIES[rng.below(9) as usize].to_string())
                    .collect(),
            ),
        ),
        (
            "manufacturing",
            Arc::new(BooleanArray::from(
                (0..n).map(|_| rng.chance(800)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap();

    let (
        mut y_uscc,
        mut y_year,
        mut y_above,
        mut y_rev,
        mut y_tax,
        mut y_local,
        mut y_rank,
        mut y_lead,
    ) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for u in &uscc {
        let mut revenue = rng.heavy(1_000_000);
        let mut tax = revenue / 20;
        let mut above = rng.chance(60);
        for year in 2019..=2021 {
            y_uscc.push(u.clone());
            y_year.push(year);
            above |= revenue >= 2_000_000_000;
            y_above.push(above || rng.chance(10));
            y_rev.push(Some(revenue));
            y_tax.push(Some(tax));
            y_local.push(Some(tax * 4 / 10));
            y_rank.push(if revenue > 500_000_000_000 {
                Some(1 + rng.below(500) as i64)
            } else {
                None
            });
            y_lead.push(rng.chance(20));
            revenue = revenue * (90 + i128::from(rng.below(30) as u8)) / 100;
            tax = tax * (85 + i128::from(rng.below(40) as u8)) / 100;
        }
    }
    let years = batch(vec![
        ("uscc", strings(y_uscc)),
        ("year", Arc::new(Int64Array::from(y_year)) as ArrayRef),
        (
            "above_scale",
            Arc::new(BooleanArray::from(y_above)) as ArrayRef,
        ),
        ("revenue", money(y_rev.clone())),
        ("output", money(y_rev.clone())),
        (
            "value_added",
            money(y_rev.iter().map(|r| r.map(|r| r / 4)).collect()),
        ),
        ("tax_paid", money(y_tax)),
        ("local_contribution", money(y_local)),
        (
            "private500_rank",
            Arc::new(Int64Array::from(y_rank)) as ArrayRef,
        ),
        (
            "performance_leader",
            Arc::new(BooleanArray::from(y_lead)) as ArrayRef,
        ),
    ])
    .unwrap();

    let recs = n / 20;
    let recognitions = batch(vec![
        ("id", strings((0..recs).map(|i| format!("R{i}")).collect())),
        (
            "uscc",
            strings(
                (0..recs)
                    .map(|_| uscc[rng.below(n as u64) as usize].clone())
                    .collect(),
            ),
        ),
        (
            "kind",
            strings(
                (0..recs)
                    .map(|_| KINDS[rng.below(6) as usize].to_string())
                    .collect(),
            ),
        ),
        (
            "level",
            strings(
                (0..recs)
                    .map(|_| LEVELS[rng.below(3) as usize].to_string())
                    .collect(),
            ),
        ),
        (
            "year",
            Arc::new(Int64Array::from(
                (0..recs)
                    .map(|_| 2019 + rng.below(3) as i64)
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        ("granted_amount", money(vec![None; recs])),
        ("approved_amount", money(vec![None; recs])),
    ])
    .unwrap();

    let projs = n / 30;
    let projects = batch(vec![
        ("id", strings((0..projs).map(|i| format!("P{i}")).collect())),
        (
            "uscc",
            strings(
                (0..projs)
                    .map(|_| uscc[rng.below(n as u64) as usize].clone())
                    .collect(),
            ),
        ),
        (
            "name",
            strings((0..projs).map(|i| format!("项目{i}")).collect()),
        ),
        (
            "kind",
            strings(
                (0..projs)
                    .map(|_| {
                        if rng.chance(500) {
                            "强链项目"
                        } else {
                            "更芯换代"
                        }
                        .to_string()
                    })
                    .collect(),
            ),
        ),
        (
            "year",
            Arc::new(Int64Array::from(
                (0..projs)
                    .map(|_| 2019 + rng.below(3) as i64)
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "investment",
            money((0..projs).map(|_| Some(rng.heavy(20_000_000))).collect()),
        ),
        (
            "funds_arrived",
            money((0..projs).map(|_| Some(rng.heavy(10_000_000))).collect()),
        ),
        ("foreign_usd", dec2((0..projs).map(|_| 0).collect())),
        (
            "global_leader",
            Arc::new(BooleanArray::from(
                (0..projs).map(|_| rng.chance(10)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap();

    let park_n = (n / 1000).max(1);
    let parks = batch(vec![
        (
            "id",
            strings((0..park_n).map(|i| format!("K{i}")).collect()),
        ),
        (
            "county",
            strings(
                (0..park_n)
                    .map(|_| COUNTIES[rng.below(9) as usize].to_string())
                    .collect(),
            ),
        ),
        (
            "year",
            Arc::new(Int64Array::from(
                (0..park_n)
                    .map(|_| 2019 + rng.below(3) as i64)
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "land_area",
            dec2(
                (0..park_n)
                    .map(|_| 1_000_000 + i128::from(rng.below(5_000_000)))
                    .collect(),
            ),
        ),
        (
            "floor_area_before",
            dec2(
                (0..park_n)
                    .map(|_| 1_500_000 + i128::from(rng.below(3_000_000)))
                    .collect(),
            ),
        ),
        (
            "floor_area_after",
            dec2(
                (0..park_n)
                    .map(|_| 2_000_000 + i128::from(rng.below(20_000_000)))
                    .collect(),
            ),
        ),
    ])
    .unwrap();

    let org_n = (n / 2000).max(1);
    let org_kinds = ["转型升级示范区", "集群发展促进机构", "小微园运维机构"];
    let organisations = batch(vec![
        ("id", strings((0..org_n).map(|i| format!("O{i}")).collect())),
        (
            "kind",
            strings(
                (0..org_n)
                    .map(|_| org_kinds[rng.below(3) as usize].to_string())
                    .collect(),
            ),
        ),
        (
            "county",
            strings(
                (0..org_n)
                    .map(|_| COUNTIES[rng.below(9) as usize].to_string())
                    .collect(),
            ),
        ),
        (
            "year",
            Arc::new(Int64Array::from(
                (0..org_n)
                    .map(|_| 2019 + rng.below(3) as i64)
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "city_registered",
            Arc::new(BooleanArray::from(
                (0..org_n).map(|_| rng.chance(700)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "legal_person",
            Arc::new(BooleanArray::from(
                (0..org_n).map(|_| rng.chance(900)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "assessed",
            Arc::new(BooleanArray::from(
                (0..org_n).map(|_| rng.chance(800)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "approved_amount",
            money(
                (0..org_n)
                    .map(|_| rng.chance(500).then(|| rng.heavy(3_000_000)))
                    .collect(),
            ),
        ),
    ])
    .unwrap();

    let parcel_n = n / 50;
    let parcels = batch(vec![
        (
            "id",
            strings((0..parcel_n).map(|i| format!("L{i}")).collect()),
        ),
        (
            "uscc",
            strings(
                (0..parcel_n)
                    .map(|_| uscc[rng.below(n as u64) as usize].clone())
                    .collect(),
            ),
        ),
        (
            "year",
            Arc::new(Int64Array::from(
                (0..parcel_n)
                    .map(|_| 2019 + rng.below(3) as i64)
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "area",
            dec2(
                (0..parcel_n)
                    .map(|_| 1_000_000 + i128::from(rng.below(10_000_000)))
                    .collect(),
            ),
        ),
        (
            "far",
            dec2(
                (0..parcel_n)
                    .map(|_| 100 + i128::from(rng.below(200)))
                    .collect(),
            ),
        ),
        (
            "completed",
            Arc::new(BooleanArray::from(
                (0..parcel_n).map(|_| rng.chance(700)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "approved_amount",
            money(
                (0..parcel_n)
                    .map(|_| rng.chance(300).then(|| rng.heavy(500_000)))
                    .collect(),
            ),
        ),
    ])
    .unwrap();

    vec![
        ("enterprises", enterprises),
        ("enterprise_years", years),
        ("recognitions", recognitions),
        ("projects", projects),
        ("parks", parks),
        ("organisations", organisations),
        ("land_parcels", parcels),
    ]
}

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
    // 小微企业园增容补助: 150元 per m² above 2.0, at most 500万.
    let p = table("parks");
    let land = p
        .column_by_name("land_area")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let before = p
        .column_by_name("floor_area_before")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let after = p
        .column_by_name("floor_area_after")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let py = p
        .column_by_name("year")
        .unwrap()
        .as_primitive::<Int64Type>();
    for i in 0..p.num_rows() {
        let base = land.value(i) * 2;
        if py.value(i) == year && after.value(i) >= base {
            let extra = after.value(i) - before.value(i).max(base);
            total += (extra * 150).min(500_000_000);
        }
    }
    // 升规连续三年奖励: above scale in each of the last three years, first in 2019 or later.
    let y = table("enterprise_years");
    let above = y.column_by_name("above_scale").unwrap().as_boolean();
    let e = table("enterprises");
    let manufacturing = e.column_by_name("manufacturing").unwrap().as_boolean();
    for i in 0..e.num_rows() {
        let rows = [3 * i, 3 * i + 1, 3 * i + 2];
        if manufacturing.value(i) && rows.iter().all(|&r| above.value(r)) {
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
    let batches = world(n, 555);
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
        let uscc = format!("E{:08}", (i * 7919) % n);
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
        total = hand_written(&batches, 2021);
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
    for _ in 0..5 {
        let t = Instant::now();
        for p in &three {
            jx555_engine::evaluate(&Request { packs: &[p], ..req }).expect("run");
        }
        times.push(t.elapsed());
    }
    let same = median(times);
    println!(
        "engine, same 3 rules: {same:?}; ratio to the hand-written loop: {:.1}x",
        same.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    );
    if let Some(mib) = peak_memory_mib() {
        println!("peak memory (whole process, data included): {mib} MiB");
    }
}
