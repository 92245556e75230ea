//! `jx555 evaluate` and `jx555 demo`: a year's awards under the packs, summed up for officials.

use crate::{Outcome, pack_files};
use anyhow::{Context, Result, bail};
use jx555_engine::run::{LineMode, Status};
use jx555_engine::{Facts, Ledger, Override, Request, Run};
use jx555_facts::{Dataset, csv_io, demo, validate};
use jx555_lang::ir::Pack;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The pack used when none is named.
pub const DEFAULT_PACK: &str = "policies/example-555";

/// Arguments of `evaluate`.
#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// The year to evaluate.
    #[arg(long)]
    year: i32,
    /// A folder of CSV facts (see docs/data-format.md).
    #[arg(long)]
    facts: PathBuf,
    /// The packs to evaluate together (就高不重复 spans them).
    #[arg(long = "pack", default_value = DEFAULT_PACK)]
    packs: Vec<PathBuf>,
    /// What-if: a parameter, or one key of a table, set to a value (`小微园补助上限=800万`,
    /// `强链认定奖励[national]=200万`). May be given several times.
    #[arg(long = "set")]
    overrides: Vec<String>,
}

/// Arguments of `demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many enterprises the synthetic Jiaxing has.
    #[arg(long, default_value_t = 10_000)]
    enterprises: usize,
    /// The seed of the synthetic data.
    #[arg(long, default_value_t = 555)]
    seed: u64,
    /// The year to evaluate.
    #[arg(long, default_value_t = 2023)]
    year: i32,
    /// The pack.
    #[arg(long, default_value = DEFAULT_PACK)]
    pack: PathBuf,
}

/// Evaluates a folder of facts.
pub fn evaluate(args: &EvaluateArgs) -> Result<Outcome> {
    let packs = load_packs(&args.packs)?;
    let raw = csv_io::read_folder(&args.facts)?;
    let catalog = packs.first().map(|p| p.catalog.clone());
    let data = validate(&raw, catalog.as_ref()).map_err(|problems| {
        anyhow::anyhow!(
            "{}{} problems in {}; nothing was evaluated",
            csv_io::report(&problems),
            problems.len(),
            args.facts.display()
        )
    })?;
    let overrides = args
        .overrides
        .iter()
        .map(|s| parse_override(s))
        .collect::<Result<Vec<_>>>()?;
    run_and_print(&packs, &data, args.year, &overrides)
}

/// Generates a synthetic Jiaxing and evaluates a year of it under the bundled pack.
pub fn demo(args: &DemoArgs) -> Result<Outcome> {
    let packs = load_packs(std::slice::from_ref(&args.pack))?;
    let data = demo::generate(args.enterprises, args.seed).map_err(|p| {
        anyhow::anyhow!(
            "the demo generator made invalid data:\n{}",
            csv_io::report(&p)
        )
    })?;
    println!(
        "示例数据：{} 家企业（种子 {}），政策包 {}",
        data.enterprises(),
        args.seed,
        args.pack.display()
    );
    run_and_print(&packs, &data, args.year, &[])
}

fn load_packs(dirs: &[PathBuf]) -> Result<Vec<Pack>> {
    dirs.iter()
        .map(|dir| {
            let sources = pack_files::read(dir)?;
            let checked = jx555_lang::check(&sources);
            checked.pack.with_context(|| {
                format!(
                    "{} does not check:\n{}",
                    dir.display(),
                    sources.render(&checked.diagnostics, false)
                )
            })
        })
        .collect()
}

/// `name=value` or `name[key]=value`, the value written as in a pack.
fn parse_override(text: &str) -> Result<Override> {
    let Some((lhs, value)) = text.split_once('=') else {
        bail!("--set {text}: write name=value, such as 小微园补助上限=800万");
    };
    let (param, key) = match lhs.trim().strip_suffix(']').and_then(|l| l.split_once('[')) {
        Some((p, k)) => (p.trim().to_string(), Some(k.trim().to_string())),
        None => (lhs.trim().to_string(), None),
    };
    let value = jx555_lang::parse_literal(value).with_context(|| {
        format!("--set {text}: {value} is not a value; write it as in a pack: 200万, 15%, 1.5")
    })?;
    Ok(Override { param, key, value })
}

fn run_and_print(
    packs: &[Pack],
    data: &Dataset,
    year: i32,
    overrides: &[Override],
) -> Result<Outcome> {
    let facts = Facts::from_batches(&data.tables)?;
    let refs: Vec<&Pack> = packs.iter().collect();
    let ledger = Ledger::default();
    let req = Request {
        packs: &refs,
        facts: &facts,
        ledger: &ledger,
        year,
        overrides,
    };
    let run = jx555_engine::evaluate(&req)?;
    print_summary(&run, packs);
    if !overrides.is_empty() {
        let base = jx555_engine::evaluate(&Request {
            overrides: &[],
            ..req
        })?;
        println!(
            "\n测算调整（what-if）：合计变化 {}",
            yuan(run.total() - base.total())
        );
    }
    Ok(Outcome::Ok)
}

/// Amounts in 万元 with two decimals, as payout tables show them.
fn yuan(fen: i64) -> String {
    let wan = Decimal::new(fen, 2) / Decimal::from(10_000);
    format!("{:.2}万元", wan.round_dp(2))
}

fn print_summary(run: &Run, packs: &[Pack]) {
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &run.lines {
        let s = match (&l.status, &l.mode) {
            (Status::Payable, _) => "可兑现",
            (Status::Flagged, LineMode::Review { .. }) => "待审核（最高限额）",
            (Status::Flagged, LineMode::CaseByCase) => "一事一议",
            (Status::Flagged, _) => "金额待定",
            (Status::Superseded { .. }, _) => "就高不重复（被取代）",
            (Status::AlreadyPaid, _) => "已兑现过",
            (Status::Expired, _) => "期满",
            (Status::CapReached, _) => "已达上限",
        };
        *by_status.entry(s).or_default() += 1;
    }
    println!(
        "{}年度兑现测算：奖补明细 {} 条，合计 {}",
        run.year,
        run.lines.len(),
        yuan(run.total())
    );
    for (s, n) in &by_status {
        println!("  {s:<16}{n:>8} 条");
    }
    let group = |title: &str, key: &dyn Fn(&jx555_engine::AwardLine) -> Vec<String>| {
        let mut totals: BTreeMap<String, (usize, i64)> = BTreeMap::new();
        for l in &run.lines {
            for k in key(l) {
                let t = totals.entry(k).or_default();
                t.0 += 1;
                t.1 += l.payable;
            }
        }
        println!("{title}");
        for (k, (n, fen)) in totals {
            println!("  {k:<24}{n:>8} 条  {:>16}", yuan(fen));
        }
    };
    group("按政策条款：", &|l| {
        vec![format!("{} {}", l.rule.citation.clause, l.rule.id)]
    });
    group("按责任单位：", &|l| l.rule.departments.clone());
    group("按县（市、区）：", &|l| {
        vec![l.county.clone().unwrap_or_else(|| "（市本级）".into())]
    });
    group("按资金：", &|l| {
        vec![l.rule.fund.clone().unwrap_or_else(|| "（未指定）".into())]
    });
    let cost: (i64, i64) = run
        .lines
        .iter()
        .map(|l| (l.city_share.unwrap_or(0), l.county_share.unwrap_or(0)))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let undeclared: i64 = run
        .lines
        .iter()
        .filter(|l| l.city_share.is_none())
        .map(|l| l.payable)
        .sum();
    println!(
        "市区共担：市级 {}，县级 {}，未规定分担比例 {}",
        yuan(cost.0),
        yuan(cost.1),
        yuan(undeclared)
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
            yuan(p.tagged),
            yuan(p.fund_total)
        );
    }
}
