//! `approve`: a run's paying lines into the ledger, once per year.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::Result;
use jx555_store::StoreError;
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::PathBuf;

/// Arguments of `approve`.
#[derive(clap::Args)]
pub struct ApproveArgs {
    /// The run's number, as `jx555 runs` lists it.
    run: i64,
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// Records a run's paying lines as granted.
pub fn approve(args: &ApproveArgs) -> Result<Outcome> {
    let mut store = open_existing(&args.db)?;
    match store.approve(args.run) {
        Ok(n) => {
            println!("第 {} 号测算已审定：{n} 条奖补计入台账", args.run);
            Ok(Outcome::Ok)
        }
        Err(
            e @ (StoreError::AlreadyApproved(..)
            | StoreError::YearApproved { .. }
            | StoreError::Stale { .. }
            | StoreError::WhatIf(_)
            | StoreError::Release(_)),
        ) => {
            eprintln!("error: {e}");
            Ok(Outcome::Findings)
        }
        Err(e) => Err(e.into()),
    }
}
