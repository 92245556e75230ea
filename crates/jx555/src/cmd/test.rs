//! `jx555 test <pack>`: the pack's YAML cases (`tests/*.yaml`), each written from a sentence of the
//! policy, run through the same validation as imported facts and the same engine as a payout run.
//!
//! A case gives facts (tables of rows, canonical column names), the years to run in order (each run's
//! lines are granted into the ledger before the next, as `approve` does), and what to expect of a rule's
//! line for a subject: what it pays, its status, its review cap, or that there is no line at all.
//! Enterprises may be named by short keys (`E1`); they get valid 统一社会信用代码 for the import.

use crate::cmd::clip;
use crate::{Outcome, pack_files};
use anyhow::{Context, Result, bail};
use jx555_engine::run::{AwardLine, LineMode, Status};
use jx555_engine::{FactIndex, Ledger, Request};
use jx555_facts::cell::with_check_char;
use jx555_facts::{RawTable, csv_io, validate};
use jx555_lang::ir::Pack;
use jx555_lang::types::Value;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Arguments of `test`.
#[derive(clap::Args)]
pub struct Args {
    /// The pack folder; its cases are in `tests/*.yaml`.
    pack: PathBuf,
}

/// One case of a YAML file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows.
    name: String,
    /// The clause and words of the policy it is written from.
    cite: String,
    /// The year evaluated, or
    #[serde(default)]
    year: Option<i32>,
    /// the years evaluated in order, each granted into the ledger before the next.
    #[serde(default)]
    years: Vec<i32>,
    /// Tables of rows.
    facts: BTreeMap<String, Vec<BTreeMap<String, serde_yaml_ng::Value>>>,
    /// What the lines must be.
    expect: Vec<Expect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// A rule's line (with `subject`), or
    #[serde(default)]
    rule: String,
    #[serde(default)]
    subject: String,
    /// a target's value and verdict (with `value` and `met`).
    #[serde(default)]
    target: Option<String>,
    /// The target's value as the targets page writes it (`1`, `94%`), or `none` for no value.
    #[serde(default)]
    value: Option<String>,
    /// Whether the target is met; absent: no verdict.
    #[serde(default)]
    met: Option<bool>,
    /// The year of the run the line is in; the last year by default.
    #[serde(default)]
    year: Option<i32>,
    /// What the line pays (`150万`, `0元`).
    #[serde(default)]
    pays: Option<String>,
    /// payable, flagged, superseded, already_paid, expired or cap_reached.
    #[serde(default)]
    status: Option<String>,
    /// A review line's cap.
    #[serde(default)]
    cap: Option<String>,
    /// `true`: the rule gives this subject no line (a condition fails).
    #[serde(default)]
    none: bool,
}

/// The outcome of one case.
struct Outcome1 {
    file: String,
    name: String,
    cite: String,
    failures: Vec<String>,
}

/// Runs every case of the pack and prints a table.
pub fn run(args: &Args) -> Result<Outcome> {
    let (_, pack) = pack_files::checked(&args.pack)?;
    let files = case_files(&args.pack.join("tests"))?;
    if files.is_empty() {
        bail!("{} has no tests/*.yaml", args.pack.display());
    }
    let mut results = Vec::new();
    let mut tested: Vec<String> = Vec::new();
    let mut tested_targets: Vec<String> = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {} as UTF-8", path.display()))?;
        let cases: Vec<Case> = serde_yaml_ng::from_str(&text)
            .with_context(|| format!("{} is not a list of cases", path.display()))?;
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        for case in cases {
            tested.extend(case.expect.iter().map(|x| x.rule.clone()));
            tested_targets.extend(case.expect.iter().filter_map(|x| x.target.clone()));
            let failures = match run_case(&pack, &case) {
                Ok(f) => f,
                Err(e) => vec![format!("{e:#}")],
            };
            results.push(Outcome1 {
                file: file.clone(),
                name: case.name,
                cite: case.cite,
                failures,
            });
        }
    }

    for r in &results {
        let mark = if r.failures.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        println!("{mark} {} · {} · {}", r.file, r.name, clip(&r.cite, 30));
        for f in &r.failures {
            println!("       {f}");
        }
    }
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    println!();
    println!(
        "{}: {} cases, {} passed, {failed} failed",
        pack.manifest.id,
        results.len(),
        results.len() - failed
    );
    let untested: Vec<&str> = pack
        .rules
        .iter()
        .filter(|rule| !tested.contains(&rule.id))
        .map(|rule| rule.id.as_str())
        .collect();
    if !untested.is_empty() {
        println!("rules without a case: {}", untested.join(", "));
    }
    let untested_targets: Vec<&str> = pack
        .targets
        .iter()
        .filter(|t| !tested_targets.contains(&t.id))
        .map(|t| t.id.as_str())
        .collect();
    if !untested_targets.is_empty() {
        println!(
            "targets without a case ({} of {}): {}",
            untested_targets.len(),
            pack.targets.len(),
            untested_targets.join(", ")
        );
    }
    Ok(
        if failed == 0 && untested.is_empty() && untested_targets.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Findings
        },
    )
}

fn case_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

fn run_case(pack: &Pack, case: &Case) -> Result<Vec<String>> {
    let years: Vec<i32> = match (case.year, case.years.is_empty()) {
        (Some(y), true) => vec![y],
        (None, false) => case.years.clone(),
        _ => bail!("give `year` or `years`, not both nor neither"),
    };
    let last = *years.last().unwrap_or(&0);

    // Short enterprise keys become valid 统一社会信用代码; longer ones are taken as they are.
    let mut keys: HashMap<String, String> = HashMap::new();
    if let Some(rows) = case.facts.get("enterprises") {
        for (i, row) in rows.iter().enumerate() {
            if let Some(k) = row.get("uscc").map(scalar) {
                if k.chars().count() != 18 {
                    keys.insert(k, with_check_char(&format!("91330400MA{:07}", i + 1)));
                }
            }
        }
    }
    let raw: Vec<RawTable> = case
        .facts
        .iter()
        .map(|(name, rows)| {
            let mut headers: Vec<String> = Vec::new();
            for row in rows {
                for k in row.keys() {
                    if !headers.contains(k) {
                        headers.push(k.clone());
                    }
                }
            }
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    headers
                        .iter()
                        .map(|h| {
                            let v = row.get(h).map(scalar).unwrap_or_default();
                            match h.as_str() {
                                "uscc" => keys.get(&v).cloned().unwrap_or(v),
                                _ => v,
                            }
                        })
                        .collect()
                })
                .collect();
            RawTable {
                source: format!("case “{}”", case.name),
                name: name.clone(),
                headers,
                rows: rows.into(),
            }
        })
        .collect();
    let data = validate(&raw, Some(&pack.catalog))
        .map_err(|p| anyhow::anyhow!("the facts do not validate:\n{}", csv_io::report(&p)))?;
    let facts = FactIndex::from_batches(&data.tables)?;

    let mut entries = Vec::new();
    let mut runs = BTreeMap::new();
    for year in &years {
        let run = jx555_engine::evaluate(&Request {
            packs: &[pack],
            facts: &facts,
            ledger: &Ledger::new(entries.clone()),
            year: *year,
            overrides: &[],
        })?;
        entries.extend(Ledger::entries_of(&run));
        runs.insert(*year, run);
    }

    let mut failures = Vec::new();
    for x in &case.expect {
        let year = x.year.unwrap_or(last);
        if let Some(target) = &x.target {
            failures.extend(compare_target(pack, &facts, year, target, x)?);
            continue;
        }
        let Some(run) = runs.get(&year) else {
            failures.push(format!("{}: {year} is not one of the case's years", x.rule));
            continue;
        };
        if pack.rule(&x.rule).is_none() {
            failures.push(format!("the pack has no rule {}", x.rule));
            continue;
        }
        let subject = keys.get(&x.subject).unwrap_or(&x.subject);
        let line = run
            .lines
            .iter()
            .find(|l| l.rule.id == x.rule && &l.subject == subject);
        let what = format!("{} {} ({year})", x.rule, x.subject);
        match (line, x.none) {
            (None, true) => {}
            (Some(l), true) => failures.push(format!(
                "{what}: expected no line, got one paying {}",
                yuan(l.payable)
            )),
            (None, false) => failures.push(format!("{what}: expected a line, got none")),
            (Some(l), false) => failures.extend(compare(&what, l, x)?),
        }
    }
    Ok(failures)
}

/// A target's value and verdict in `year` against the case's expectation.
fn compare_target(
    pack: &Pack,
    facts: &FactIndex,
    year: i32,
    id: &str,
    x: &Expect,
) -> Result<Vec<String>> {
    let all = jx555_engine::targets::targets(&[pack], facts, year)?;
    let Some(t) = all.iter().find(|t| t.id == id) else {
        return Ok(vec![format!("the pack has no target {id}")]);
    };
    let mut out = Vec::new();
    let what = format!("target {id} ({year})");
    if let Some(want) = &x.value {
        let got = t
            .value
            .as_ref()
            .map_or_else(|| "none".to_string(), |v| v.to_string());
        if &got != want {
            out.push(format!("{what}: value {got}, expected {want}"));
        }
    }
    if t.met != x.met {
        out.push(format!("{what}: met {:?}, expected {:?}", t.met, x.met));
    }
    Ok(out)
}

fn compare(what: &str, l: &AwardLine, x: &Expect) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(p) = &x.pays {
        let want = fen(p)?;
        if l.payable != want {
            out.push(format!(
                "{what}: pays {}, expected {}",
                yuan(l.payable),
                yuan(want)
            ));
        }
    }
    if let Some(s) = &x.status {
        let got = status(&l.status);
        if got != s {
            out.push(format!("{what}: status {got}, expected {s}"));
        }
    }
    if let Some(c) = &x.cap {
        let want = Some(fen(c)?);
        let got = match &l.mode {
            LineMode::Review { cap, .. } => *cap,
            _ => None,
        };
        if got != want {
            out.push(format!(
                "{what}: cap {}, expected {c}",
                got.map_or("none".to_string(), yuan)
            ));
        }
    }
    Ok(out)
}

fn status(s: &Status) -> &'static str {
    match s {
        Status::Payable => "payable",
        Status::Flagged => "flagged",
        Status::Superseded { .. } => "superseded",
        Status::AlreadyPaid => "already_paid",
        Status::Expired => "expired",
        Status::CapReached => "cap_reached",
    }
}

fn fen(text: &str) -> Result<i64> {
    match jx555_lang::parse_literal(text) {
        Some(Value::Money(d)) => {
            let f = d * rust_decimal::Decimal::ONE_HUNDRED;
            if !f.fract().is_zero() {
                bail!("{text} is finer than one fen");
            }
            f.to_i64().with_context(|| format!("{text} is too large"))
        }
        _ => bail!("{text} is not an amount of money such as 150万 or 30元"),
    }
}

/// Exact, so that a failure never reads "500.00万元, expected 500.00万元".
fn yuan(fen: i64) -> String {
    jx555_lang::types::format_money(rust_decimal::Decimal::new(fen, 2))
}

fn scalar(v: &serde_yaml_ng::Value) -> String {
    match v {
        serde_yaml_ng::Value::Null => String::new(),
        serde_yaml_ng::Value::Bool(b) => b.to_string(),
        serde_yaml_ng::Value::Number(n) => n.to_string(),
        serde_yaml_ng::Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default(),
    }
}
