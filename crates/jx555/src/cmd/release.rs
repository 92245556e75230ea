//! `release` and `cases`: a run's lines become award cases (发布), and the cases listed.

use crate::Outcome;
use crate::cmd::open_existing;
use crate::workspace::WorkspaceArgs;
use anyhow::Result;
use jx555_report::wan;
use jx555_store::StoreError;
use jx555_store::cases::{CaseFilter, release_plan};
use jx555_store::sqlite::DEFAULT_PATH;
use jx555_workflow::case::State;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `release`.
#[derive(clap::Args)]
pub struct ReleaseArgs {
    /// The run's number, as `jx555 runs` lists it.
    run: i64,
    #[command(flatten)]
    ws: WorkspaceArgs,
}

/// Releases a run: its automatic awards are pushed to their payees, its review lines open for
/// application.
pub fn release(args: &ReleaseArgs) -> Result<Outcome> {
    let mut ws = args.ws.open()?;
    let (_, run) = ws.store.run(args.run)?;
    let plan = release_plan(&run, &ws.facts);
    match ws.store.release(args.run, &plan) {
        Ok(n) => {
            let mut by: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &plan {
                *by.entry(c.case.state.name()).or_default() += 1;
            }
            let pushed: i64 = plan.iter().filter_map(|c| c.case.amount).sum();
            println!("第 {} 号测算已发布：{n} 件奖补事项", args.run);
            for (state, count) in by {
                println!("  {state:<8} {count} 件");
            }
            println!("  免申即享推送金额合计 {}", wan(pushed));
            Ok(Outcome::Ok)
        }
        Err(e @ (StoreError::Release(_) | StoreError::WhatIf(_))) => {
            eprintln!("error: {e}");
            Ok(Outcome::Findings)
        }
        Err(e) => Err(e.into()),
    }
}

/// Arguments of `cases`.
#[derive(clap::Args)]
pub struct CasesArgs {
    /// Only the cases of this run.
    #[arg(long)]
    run: Option<i64>,
    /// Only the cases in this state (待确认, 待申报, 待公示 …).
    #[arg(long)]
    state: Option<String>,
    /// SQLite file holding the facts, runs and cases.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

const STATES: [State; 13] = [
    State::Pushed,
    State::Declined,
    State::Open,
    State::Applied,
    State::Returned,
    State::FirstPassed,
    State::Ready,
    State::Publicized,
    State::Withdrawn,
    State::InBatch,
    State::Paid,
    State::PaymentFailed,
    State::Corrected,
];

/// Lists the cases: number, state, rule, payee, amount.
pub fn cases(args: &CasesArgs) -> Result<Outcome> {
    let state = match &args.state {
        None => None,
        Some(s) => Some(STATES.into_iter().find(|x| x.name() == s).ok_or_else(|| {
            let names: Vec<&str> = STATES.iter().map(|x| x.name()).collect();
            anyhow::anyhow!("no state {s:?}; the states are {}", names.join("、"))
        })?),
    };
    let store = open_existing(&args.db)?;
    let list = store.cases(&CaseFilter {
        run: args.run,
        state,
        ..CaseFilter::default()
    })?;
    println!(
        "{:>6}  {:<8} {:<28} {:<24} {:>14}",
        "编号", "状态", "奖补项目", "收款单位", "金额"
    );
    for c in &list {
        println!(
            "{:>6}  {:<8} {:<28} {:<24} {:>14}",
            c.id,
            c.case.state.name(),
            crate::cmd::clip(&c.rule, 14),
            crate::cmd::clip(&c.case.payee, 12),
            c.case.amount.map(wan).unwrap_or_else(|| "待核定".into())
        );
    }
    println!("共 {} 件", list.len());
    Ok(Outcome::Ok)
}
