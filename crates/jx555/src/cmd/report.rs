//! `jx555 report RUN`: the payout list (兑现清单) of a stored run as XLSX (a summary sheet and a sheet per
//! department) and CSV, every line with its clause and sentence.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::{Context, Result};
use jx555_engine::summary::{By, compare};
use jx555_engine::{AwardLine, Run};
use jx555_report::{signed, wan};
use jx555_store::Store;
use jx555_store::sqlite::DEFAULT_PATH;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The run's number, as `jx555 runs` lists it.
    run: i64,
    /// The folder to write to.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// Writes the payout list of a run.
pub fn report(args: &ReportArgs) -> Result<Outcome> {
    let store = open_existing(&args.db)?;
    let (info, run) = store.run(args.run)?;
    for path in write_payout_list(&run, info.id, &args.out)? {
        println!("{}", path.display());
    }
    Ok(Outcome::Ok)
}

/// Writes the XLSX and CSV payout lists of run `id` into `dir`; returns their paths.
pub fn write_payout_list(run: &Run, id: i64, dir: &std::path::Path) -> Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = jx555_report::payout_file_stem(run.year, id);
    let csv_path = dir.join(format!("{stem}.csv"));
    let xlsx_path = dir.join(format!("{stem}.xlsx"));
    for (path, bytes) in [
        (&csv_path, jx555_report::payout_csv(run)?),
        (&xlsx_path, jx555_report::payout_xlsx(run)?),
    ] {
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok([xlsx_path, csv_path])
}

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
    crate::cmd::evaluate::print_changes(By::Rule, &compare(&a, &b, By::Rule));
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

/// Arguments of `notice`.
#[derive(clap::Args)]
pub struct NoticeArgs {
    /// The run's number, as `jx555 runs` lists it.
    run: i64,
    /// The enterprise's 统一社会信用代码.
    uscc: String,
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
    /// Markdown, or an HTML page to print or send.
    #[arg(long, value_enum, default_value_t = NoticeFormat::Md)]
    format: NoticeFormat,
}

/// Format of a notice.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NoticeFormat {
    /// Markdown.
    Md,
    /// A standalone HTML page.
    Html,
}

/// The notice to one enterprise: what it receives in a run, why, and the clause.
pub fn notice(args: &NoticeArgs) -> Result<Outcome> {
    let store = open_existing(&args.db)?;
    let (info, run) = store.run(args.run)?;
    match args.format {
        NoticeFormat::Md => print!(
            "{}",
            jx555_report::notice_markdown(&run, info.year, &args.uscc)
        ),
        NoticeFormat::Html => print!("{}", jx555_report::notice_html(&run, info.year, &args.uscc)),
    }
    Ok(Outcome::Ok)
}
