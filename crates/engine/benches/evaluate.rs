//! The engine's benchmark: the seeded demo Jiaxing of `jx555 demo-data` (1,000,000 enterprises by default,
//! eight years of history, realistic shares of recognitions, projects, parks, organisations and parcels),
//! evaluated for 2023 with the bundled Jiaxing pack (every rule of 嘉政发〔2020〕8号), 就高不重复 and caps on, explanations off.
//!
//! ```sh
//! cargo bench -p jx555-engine --bench evaluate                      # 1,000,000 enterprises
//! cargo bench -p jx555-engine --bench evaluate -- --enterprises 100000
//! cargo bench -p jx555-engine --bench evaluate -- --scale 100000,1000000,3000000   # a scaling table
//! ```
//!
//! It prints the evaluation's wall time (the median of five runs after a first that warms the threads
//! and the allocator), the peak memory of a process that holds the facts and evaluates them (the
//! generator runs in another), the time of one enterprise's full explanation, and a hand-written Rust
//! loop over the same Arrow data for three rules with the ratio between them, so we know how far we
//! are from the floor.

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

/// As the jx555 binary allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use jx555_engine::explain::explain_enterprise;
use jx555_engine::{FactIndex, Ledger, Request};
use jx555_lang::{SourceFile, Sources};
use std::time::{Duration, Instant};

#[path = "../tests/support/hand.rs"]
mod hand;

fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kib| kib / 1024)
}

/// Runs per figure: this machine's timings swing by up to a half within minutes, and the median of
/// five still landed on a swing now and then (the three rules' 6.1–11.0 ms in five runs).
const RUNS: usize = 21;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The median of `n` runs of `f` after one more that is not counted: the first run of a process
/// also pays for its threads starting and its allocator taking memory from the kernel.
fn warm_median(n: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = args
        .iter()
        .position(|a| a == "--enterprises")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000usize);
    let load = |name: &str| {
        let root = format!("{}/../../policies/{name}/", env!("CARGO_MANIFEST_DIR"));
        let read = |f: &str| std::fs::read_to_string(format!("{root}{f}")).unwrap();
        let sources = Sources::new(
            SourceFile::new("pack.toml", read("pack.toml")),
            SourceFile::new("policy.md", read("policy.md")),
            Some(SourceFile::new("catalog.toml", read("catalog.toml"))),
        );
        jx555_lang::check(&sources).pack.expect("the pack checks")
    };
    let pack = load("jiaxing-555-2020");
    // The hand-written floor encodes three rules as the example pack states them.
    let example = load("example-555");

    // The generator needs far more memory than the facts it makes: generate here, then measure in a
    // child process that only reads the facts back, so its peak memory is the engine's own.
    let Some(dir) = args
        .iter()
        .position(|a| a == "--facts")
        .and_then(|i| args.get(i + 1))
    else {
        // `--scale 100000,1000000,3000000`: the same measures at each size, and a table of them.
        let sizes: Vec<usize> = match args.iter().position(|a| a == "--scale") {
            Some(i) => args
                .get(i + 1)
                .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_else(|| vec![100_000, 1_000_000, 3_000_000]),
            None => vec![n],
        };
        let mut rows = Vec::new();
        for n in sizes {
            let said = measure_in_child(&args, n);
            if let Some(row) = said.lines().find_map(|l| l.strip_prefix("scale: ")) {
                rows.push(row.to_string());
            }
        }
        if rows.len() > 1 {
            println!(
                "\n| enterprises | index | whole pack | per 1M enterprises | peak memory | per 1M |"
            );
            println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
            for row in rows {
                let v: Vec<f64> = row.split(' ').filter_map(|x| x.parse().ok()).collect();
                let (n, index_ms, eval_ms, mib) = (v[0], v[1], v[2], v[3]);
                println!(
                    "| {n:.0} | {index_ms:.0} ms | {eval_ms:.1} ms | {:.1} ms | {mib:.0} MiB | {:.0} MiB |",
                    eval_ms / n * 1e6,
                    mib / n * 1e6
                );
            }
        }
        return;
    };
    let mut tables = Vec::new();
    for spec in jx555_facts::model::tables() {
        let file =
            std::fs::File::open(std::path::Path::new(dir).join(format!("{}.arrow", spec.name)))
                .unwrap();
        let reader = arrow::ipc::reader::FileReader::try_new(file, None).unwrap();
        let batches: Vec<_> = reader.map(|b| b.unwrap()).collect();
        let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
        tables.push((spec.name, batch));
    }
    let data = jx555_facts::Dataset { tables };
    let t = Instant::now();
    let facts = FactIndex::from_batches(&data.tables).expect("facts");
    let indexed = t.elapsed();
    println!("indexed facts in {indexed:?}");

    let ledger = Ledger::default();
    let req = Request {
        packs: &[&pack],
        facts: &facts,
        ledger: &ledger,
        year: 2023,
        overrides: &[],
    };
    let mut lines = 0;
    let engine = warm_median(RUNS, || {
        lines = jx555_engine::evaluate(&req).expect("run").lines.len();
    });
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
                "  {:<24} {:>10.1?} {:>8} lines {:>16} fen",
                rule.id,
                t.elapsed(),
                run.lines.len(),
                run.total()
            );
        }
    }
    println!(
        "evaluate: {engine:?} (median of {RUNS} after one uncounted), {lines} award lines, {} rules",
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

    let mut total = 0i64;
    let floor = warm_median(RUNS, || {
        total = 0;
        hand::visit(&data, 2023, |_, _, fen| total += fen);
    });
    println!("hand-written loop, 3 rules: {floor:?} (median of {RUNS}; total {total} fen)");
    let three: Vec<_> = hand::RULES
        .iter()
        .map(|id| jx555_lang::ir::Pack {
            rules: vec![example.rule(id).unwrap().clone()],
            principles: vec![],
            ..example.clone()
        })
        .collect();
    let mut engine_total = 0i64;
    let same = warm_median(RUNS, || {
        engine_total = three
            .iter()
            .map(|p| {
                jx555_engine::evaluate(&Request { packs: &[p], ..req })
                    .expect("run")
                    .total()
            })
            .sum();
    });
    println!("engine total for the same 3 rules: {engine_total} fen (就高不重复 included)");
    println!(
        "engine, same 3 rules: {same:?}; ratio to the hand-written loop: {:.1}x",
        same.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    );
    if let Some(mib) = peak_memory_mib() {
        println!(
            "peak memory of the evaluating process (facts and their indexes included): {mib} MiB"
        );
        // For the parent's table: enterprises, index ms, whole-pack ms, peak MiB.
        println!(
            "scale: {n} {:.1} {:.1} {mib}",
            indexed.as_secs_f64() * 1e3,
            engine.as_secs_f64() * 1e3
        );
    }
}

/// Generates `n` demo enterprises, writes them as Arrow files and measures them in a child process
/// (which only reads them back); what the child printed, echoed as it was.
fn measure_in_child(args: &[String], n: usize) -> String {
    let t = Instant::now();
    let data = jx555_facts::demo::generate(n, 555).expect("demo data");
    println!("generated {n} enterprises in {:?}", t.elapsed());
    let dir = std::env::temp_dir().join(format!("jx555-bench-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, batch) in &data.tables {
        let file = std::fs::File::create(dir.join(format!("{name}.arrow"))).unwrap();
        let mut w = arrow::ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
        w.write(batch).unwrap();
        w.finish().unwrap();
    }
    drop(data);
    // The parent's arguments without the sizes (each flag's value goes with it).
    let mut child_args: Vec<String> = Vec::new();
    let mut rest = args.iter().skip(1);
    while let Some(a) = rest.next() {
        if a == "--scale" || a == "--enterprises" {
            rest.next();
        } else {
            child_args.push(a.clone());
        }
    }
    child_args.extend([
        "--facts".to_string(),
        dir.display().to_string(),
        "--enterprises".to_string(),
        n.to_string(),
    ]);
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(&child_args)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{said}");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    said
}
