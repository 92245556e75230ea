//! `evaluate`: a year's payout over the stored facts and ledger, stored as a run.

use crate::Outcome;
use anyhow::Result;
use jx555_engine::summary::{By, Change, CostShare, totals};
use jx555_engine::{Override, Request, Run};
use jx555_lang::ir::Pack;
use jx555_report::{by_title, key_label, signed, wan};
use jx555_store::NewRun;

use crate::workspace::{Workspace, WorkspaceArgs};

/// Arguments of `evaluate`.
#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// The year to evaluate.
    #[arg(long)]
    year: i32,
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// What-if: a parameter, or one key of a table, set to a value (`小微园补助上限=800万`,
    /// `强链认定奖励[national]=200万`). May be given several times.
    #[arg(long = "set")]
    overrides: Vec<String>,
}

/// `name=value` or `name[key]=value`, the value written as in a pack.
fn parse_override(text: &str) -> Result<Override> {
    Override::parse(text).map_err(|e| anyhow::anyhow!("--set {e}"))
}

/// Evaluates a year over the stored facts and ledger, stores the run and prints its summary.
pub fn evaluate(args: &EvaluateArgs) -> Result<Outcome> {
    let overrides = args
        .overrides
        .iter()
        .map(|s| parse_override(s))
        .collect::<Result<Vec<_>>>()?;
    let mut ws = args.workspace.open()?;
    run_and_store(&mut ws, args.year, &overrides)?;
    Ok(Outcome::Ok)
}

/// A year evaluated under the packs and stored, without a word: its number, the run, and for a
/// what-if the comparison. An override of a parameter the document leaves open (市区共担's shares) is
/// a setting of the run — the policy as paid; any other makes the run a what-if, compared with the
/// run without it.
pub fn evaluate_and_save(
    ws: &mut Workspace,
    year: i32,
    overrides: &[Override],
) -> Result<(i64, Run, Option<jx555_engine::whatif::WhatIf>)> {
    // Field by field, so the store can be written while the packs are borrowed.
    let refs: Vec<&Pack> = ws.packs.iter().map(|p| &p.pack).collect();
    let (settings, what_ifs): (Vec<Override>, Vec<Override>) = overrides
        .iter()
        .cloned()
        .partition(|o| jx555_engine::params::is_setting(&refs, o));
    let ledger = ws.store.ledger()?;
    let base = Request {
        packs: &refs,
        facts: &ws.facts,
        ledger: &ledger,
        year,
        overrides: &settings,
    };
    // A what-if is the engine's: the run as the packs (and settings) say and the run with the
    // overrides, compared.
    let (run, what_if) = if what_ifs.is_empty() {
        (jx555_engine::evaluate(&base)?, None)
    } else {
        let w = jx555_engine::whatif::what_if(&base, &what_ifs)?;
        (w.variant.clone(), Some(w))
    };
    let id = ws.store.save_run(&NewRun {
        packs: ws.packs.iter().map(|p| p.reference.clone()).collect(),
        facts_hash: ws.facts_info.hash.clone(),
        overrides: what_ifs,
        settings,
        ledger: &ledger,
        run: &run,
    })?;
    Ok((id, run, what_if))
}

/// Evaluates a year under the packs (a what-if with overrides), prints the summary and stores the run.
pub fn run_and_store(ws: &mut Workspace, year: i32, overrides: &[Override]) -> Result<(i64, Run)> {
    let spinner = indicatif::ProgressBar::new_spinner().with_message(format!("测算 {year} 年度……"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = evaluate_and_save(ws, year, overrides);
    spinner.finish_and_clear();
    let (id, run, what_if) = result?;
    let is_what_if = what_if.is_some();
    let refs: Vec<&Pack> = ws.packs.iter().map(|p| &p.pack).collect();
    println!("企业 {} 家", ws.facts_info.enterprises);
    print_summary(&run, &refs);
    if let Some(w) = what_if {
        println!(
            "\n测算调整（what-if）：合计 {} → {}（{}）",
            wan(w.baseline.total()),
            wan(w.variant.total()),
            signed(w.variant.total() - w.baseline.total())
        );
        for (by, rows) in [
            (By::Rule, &w.by_rule),
            (By::LeadDepartment, &w.by_lead_department),
            (By::County, &w.by_county),
            (By::Fund, &w.by_fund),
        ] {
            print_changes(by, rows);
        }
    }
    // Say the next step only when it can be taken: a what-if or a year already approved cannot be.
    let approved = ws
        .store
        .runs()?
        .into_iter()
        .find(|r| r.year == run.year && r.approved_at.is_some());
    match (!is_what_if, approved) {
        (false, _) => println!("\n已保存为第 {id} 号 what-if 测算（参数模拟，不能审定）"),
        (true, Some(a)) => println!(
            "\n已保存为第 {id} 号兑现测算；{}年度已审定第 {} 号，本测算不能再审定（比较：jx555 diff {} {id}）",
            run.year, a.id, a.id
        ),
        (true, None) => {
            println!(
                "\n已保存为第 {id} 号兑现测算；发布进入兑现流程：jx555 release {id}（不经兑现流程、直接审定计入台账：jx555 approve {id}）"
            )
        }
    }
    Ok((id, run))
}

/// The keys whose totals changed, with the change.
pub fn print_changes(by: By, rows: &[Change]) {
    let changed: Vec<&Change> = rows.iter().filter(|c| c.change != 0).collect();
    if changed.is_empty() {
        return;
    }
    println!("{}：", by_title(by));
    for c in changed {
        println!(
            "  {:<24}{:>16} → {:>16}（{}）",
            key_label(&c.key),
            wan(c.baseline),
            wan(c.variant),
            signed(c.change)
        );
    }
}

fn print_summary(run: &Run, packs: &[&Pack]) {
    println!(
        "{}年度兑现测算：奖补明细 {} 条，合计 {}",
        run.year,
        run.lines.len(),
        wan(run.total())
    );
    for t in totals(run, By::Standing) {
        println!("  {:<16}{:>8} 条", key_label(&t.key), t.lines);
    }
    for by in [
        By::Rule,
        By::LeadDepartment,
        By::County,
        By::Fund,
        By::Participating,
    ] {
        println!("{}：", by_title(by));
        for t in totals(run, by) {
            println!(
                "  {:<24}{:>8} 条  {:>16}",
                key_label(&t.key),
                t.lines,
                wan(t.payable)
            );
        }
    }
    let share = CostShare::of(run);
    println!(
        "市区共担：市级 {}，县级 {}，未规定分担比例 {}",
        wan(share.city),
        wan(share.county),
        wan(share.unassigned)
    );
    for p in &run.principles {
        let title = packs
            .iter()
            .flat_map(|x| &x.principles)
            .find(|x| x.id == p.principle)
            .and_then(|x| x.title.clone())
            .unwrap_or_else(|| p.principle.clone());
        let verdict = match p.holds {
            Some(true) => "满足",
            Some(false) => "不满足",
            None => "本年度该资金无支出",
        };
        println!(
            "原则 {title}：{verdict}（{} / {}）",
            wan(p.tagged),
            wan(p.fund_total)
        );
    }
}
