//! `review`: 终期评估 — the policy's period looked back on, from the stored facts and the ledger.

use crate::Outcome;
use crate::workspace::WorkspaceArgs;
use anyhow::{Context, Result};
use jx555_engine::review::review;
use jx555_report::wan;
use std::path::PathBuf;

/// Arguments of `review`.
#[derive(clap::Args)]
pub struct ReviewArgs {
    /// The first year reviewed.
    #[arg(long, default_value_t = 2020)]
    from: i32,
    /// The last year reviewed.
    #[arg(long, default_value_t = 2025)]
    to: i32,
    /// Also write the review as an XLSX workbook here.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    ws: WorkspaceArgs,
}

/// Prints the review of a period and, with `--out`, writes it as XLSX.
pub fn review_cmd(args: &ReviewArgs) -> Result<Outcome> {
    let ws = args.ws.open()?;
    let ledger = ws.store.ledger()?;
    let open = jx555_store::cases::undecided(ws.store.as_ref(), args.from, args.to)?;
    let r = review(
        &ws.pack_refs(),
        &ws.facts,
        &ledger,
        &open,
        args.from,
        args.to,
    )?;
    println!("{}—{}年 终期评估（台账：已兑现的奖补）", r.from, r.to);
    println!(
        "兑现合计 {}，惠及企业 {} 家，其中多年获奖 {} 家",
        wan(r.total),
        r.enterprises_reached,
        r.repeat_recipients
    );
    for (name, headers, rows) in jx555_report::review_sheets(&r) {
        println!("\n{name}（{}）", headers.join("｜"));
        for row in rows {
            println!("  {}", row.join("｜"));
        }
    }
    if let Some(out) = &args.out {
        let bytes = jx555_report::sheets_xlsx(&jx555_report::review_sheets(&r))?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
        println!("\n已写出 {}", out.display());
    }
    Ok(Outcome::Ok)
}
