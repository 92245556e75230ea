//! `diff`: what changed between two stored runs.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::Result;
use jx555_engine::summary::{By, compare};
use jx555_engine::{AwardLine, Run};
use jx555_report::{signed, wan};
use jx555_store::sqlite::DEFAULT_PATH;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The earlier run's number (`jx555 runs` lists them).
    a: i64,
    /// The later run's number.
    b: i64,
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// What changed between two runs: totals by rule, and the lines added, removed or changed.
pub fn diff(args: &DiffArgs) -> Result<Outcome> {
    let store = open_existing(&args.db)?;
    let (ia, a) = store.run(args.a)?;
    let (ib, b) = store.run(args.b)?;
    let key = |l: &AwardLine| (l.rule.pack.clone(), l.rule.id.clone(), l.subject.clone());
    let lines = |r: &Run| -> BTreeMap<(String, String, String), i64> {
        r.lines.iter().map(|l| (key(l), l.payable)).collect()
    };
    let (la, lb) = (lines(&a), lines(&b));
    println!(
        "第 {} 号（{}年）→ 第 {} 号（{}年）：合计 {} → {}（{}）",
        ia.id,
        ia.year,
        ib.id,
        ib.year,
        wan(a.total()),
        wan(b.total()),
        signed(b.total() - a.total())
    );
    if ia.facts_hash != ib.facts_hash {
        println!(
            "  事实数据不同（{} → {}）",
            &ia.facts_hash[..12.min(ia.facts_hash.len())],
            &ib.facts_hash[..12.min(ib.facts_hash.len())]
        );
    }
    super::evaluate::print_changes(By::Rule, &compare(&a, &b, By::Rule));
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    for (k, y) in &lb {
        match la.get(k) {
            None => added += 1,
            Some(x) if x != y => changed += 1,
            _ => {}
        }
    }
    for k in la.keys() {
        if !lb.contains_key(k) {
            removed += 1;
        }
    }
    println!("明细：新增 {added} 条，减少 {removed} 条，金额变化 {changed} 条");
    Ok(Outcome::Ok)
}
