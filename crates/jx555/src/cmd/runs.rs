//! `runs`: the stored runs.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::Result;
use jx555_report::wan;
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::PathBuf;

/// Arguments of `runs`.
#[derive(clap::Args)]
pub struct RunsArgs {
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// Lists the stored runs.
pub fn runs(args: &RunsArgs) -> Result<Outcome> {
    let store = open_existing(&args.db)?;
    println!(
        "{:>5}  {:<6}{:<22}{:>10}{:>18}  状态",
        "编号", "年度", "时间", "明细", "合计"
    );
    for r in store.runs()? {
        let state = match (&r.approved_at, r.overrides.is_empty()) {
            (Some(at), _) => format!("已审定 {at}"),
            (None, false) => "what-if".to_string(),
            (None, true) => "未审定".to_string(),
        };
        println!(
            "{:>5}  {:<6}{:<22}{:>10}{:>18}  {state}",
            r.id,
            r.year,
            r.created_at,
            r.lines,
            wan(r.total)
        );
    }
    Ok(Outcome::Ok)
}
