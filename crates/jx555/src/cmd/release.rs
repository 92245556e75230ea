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

/// An account's token, read from the environment variable `JX555_TOKEN` (so it is not in the shell's
/// history or the process list): the principal it acts as, or why not.
fn principal_of(store: &dyn jx555_store::Store) -> Result<jx555_workflow::access::Principal> {
    use jx555_store::accounts::secret_hash;
    let token = std::env::var("JX555_TOKEN").map_err(|_| {
        anyhow::anyhow!(
            "set JX555_TOKEN to an API token of the acting account (jx555 token add ACCOUNT)"
        )
    })?;
    let now = jx555_server::auth::now();
    let tok = store
        .token(&secret_hash(token.trim()))?
        .filter(|t| t.usable(now))
        .ok_or_else(|| anyhow::anyhow!("JX555_TOKEN is unknown, revoked or expired"))?;
    let account = store
        .account(&tok.account)?
        .filter(|a| a.active(now))
        .ok_or_else(|| {
            anyhow::anyhow!("the token's account {} is disabled or expired", tok.account)
        })?;
    Ok(account.principal())
}

/// Today, as the calendar counts (UTC).
fn today() -> jx555_lang::types::Date {
    jx555_lang::types::Date::from_days(
        i32::try_from(jx555_server::auth::now() / 86_400).unwrap_or(0),
    )
}

/// Arguments of `publicize`.
#[derive(clap::Args)]
pub struct PublicizeArgs {
    /// Working days of the 公示 (objections may be raised until the last).
    #[arg(long, default_value_t = 5)]
    days: u32,
    /// Whom to contact (the notice prints it).
    #[arg(long)]
    contact: String,
    /// SQLite file holding the cases.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// 公示: the acting department reviewer's ready cases (`JX555_TOKEN`), as the page does.
pub fn publicize(args: &PublicizeArgs) -> Result<Outcome> {
    let mut store = open_existing(&args.db)?;
    let p = principal_of(store.as_ref())?;
    let calendar = store.calendar()?;
    match jx555_store::cases::steps::publish_ready(
        store.as_mut(),
        &p,
        &calendar,
        today(),
        args.days,
        &args.contact,
    ) {
        Ok((id, n, ends)) => {
            println!("第 {id} 号公示已发布：{n} 件，异议截止 {ends}");
            Ok(Outcome::Ok)
        }
        Err(e @ StoreError::Refused(_)) => {
            eprintln!("error: {e}");
            Ok(Outcome::Findings)
        }
        Err(e) => Err(e.into()),
    }
}

/// Arguments of `pay`.
#[derive(clap::Args)]
pub struct PayArgs {
    #[command(subcommand)]
    what: PayCommand,
    /// SQLite file holding the cases.
    #[arg(long, default_value = DEFAULT_PATH, global = true)]
    db: PathBuf,
    /// Policy pack folders (the funds of their rules); without one, the bundled pack.
    #[arg(long = "pack", global = true)]
    packs: Vec<PathBuf>,
}

#[derive(clap::Subcommand)]
enum PayCommand {
    /// Batch the cleared cases of a fund (公示 over, no open objection): one batch per payer — a
    /// county's treasury, or the city's — with a case under 市区共担 in two (the city's share, the
    /// county's).
    Batch {
        /// The fund (专项资金), as the rules name it.
        fund: String,
    },
    /// Record a batch paid with its voucher; `--failed ID=reason` for lines the bank returned.
    Settle {
        /// The batch's number.
        batch: i64,
        /// The voucher number.
        #[arg(long)]
        voucher: String,
        /// A case the bank returned, with the reason: `12=账户已销户` (repeat for more).
        #[arg(long = "failed")]
        failed: Vec<String>,
    },
}

/// 拨付 as 财政 (`JX555_TOKEN`): a batch of a fund's cleared cases, or a batch recorded paid.
pub fn pay(args: &PayArgs) -> Result<Outcome> {
    let mut store = open_existing(&args.db)?;
    let p = principal_of(store.as_ref())?;
    let packs = crate::pack_files::load(&args.packs)?;
    let refs: Vec<&jx555_lang::ir::Pack> = packs.iter().map(|lp| &lp.pack).collect();
    let fund_of = |c: &jx555_store::cases::StoredCase| jx555_store::cases::fund_of(&refs, c);
    let done = match &args.what {
        PayCommand::Batch { fund } => {
            jx555_store::cases::steps::batch_fund(store.as_mut(), &p, today(), fund, &fund_of).map(
                |(ids, n)| {
                    let ids: Vec<String> = ids.iter().map(|i| format!("第 {i} 批")).collect();
                    format!("{fund}：{n} 件，支付批次 {}", ids.join("、"))
                },
            )
        }
        PayCommand::Settle {
            batch,
            voucher,
            failed,
        } => {
            let mut returned = std::collections::BTreeMap::new();
            for f in failed {
                let (id, reason) = f.split_once('=').ok_or_else(|| {
                    anyhow::anyhow!("--failed {f:?}: write ID=reason, such as 12=账户已销户")
                })?;
                let id: i64 = id
                    .trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--failed {f:?}: {id} is no case number"))?;
                returned.insert(id, reason.trim().to_string());
            }
            jx555_store::cases::steps::settle(
                store.as_mut(),
                &p,
                today(),
                *batch,
                voucher,
                returned,
            )
            .map(|n| {
                format!(
                    "第 {batch} 批已拨付：{n} 笔（凭证 {voucher}）；各事项的各笔都拨付后计入台账"
                )
            })
        }
    };
    match done {
        Ok(said) => {
            println!("{said}");
            Ok(Outcome::Ok)
        }
        Err(e @ StoreError::Refused(_)) => {
            eprintln!("error: {e}");
            Ok(Outcome::Findings)
        }
        Err(e) => Err(e.into()),
    }
}
