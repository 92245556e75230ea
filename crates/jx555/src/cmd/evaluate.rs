//! The payout: `evaluate`, `demo`, `runs`, `approve`, `explain`.

use crate::cmd::open_existing;
use crate::{Outcome, pack_files};
use anyhow::Result;
use jx555_engine::explain::{Explanation, explain, explain_enterprise};
use jx555_engine::summary::{By, Change, CostShare, totals};
use jx555_engine::{Facts, Override, Request, Run};
use jx555_lang::ir::Pack;
use jx555_lang::types::EntityKind;
use jx555_report::{by_title, key_label, signed, standing_name, target_value, wan};
use jx555_server::LoadedPack;
use jx555_store::sqlite::{DEFAULT_PATH, SqliteStore};
use jx555_store::{NewRun, Store, StoreError};
use rust_decimal::Decimal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Arguments of `evaluate`.
#[derive(clap::Args)]
pub struct EvaluateArgs {
    /// The year to evaluate.
    #[arg(long)]
    year: i32,
    /// The database holding the facts and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
    /// Policy pack folders to evaluate together (就高不重复 spans them); without one, the bundled
    /// Jiaxing pack (policies/jiaxing-555-2020, carried in the binary).
    #[arg(long = "pack")]
    packs: Vec<PathBuf>,
    /// What-if: a parameter, or one key of a table, set to a value (`小微园补助上限=800万`,
    /// `强链认定奖励[national]=200万`). May be given several times.
    #[arg(long = "set")]
    overrides: Vec<String>,
}

/// Arguments of `demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    population: super::data::Population,
    /// The year to evaluate.
    #[arg(long, default_value_t = 2023)]
    year: i32,
    /// A policy pack folder to evaluate instead of the bundled Jiaxing pack.
    #[arg(long)]
    pack: Option<PathBuf>,
    /// The database the demo writes (its facts are replaced).
    #[arg(long, default_value = "jx555-demo.db")]
    db: PathBuf,
    /// Where the payout list is written.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
}

/// `name=value` or `name[key]=value`, the value written as in a pack.
fn parse_override(text: &str) -> Result<Override> {
    Override::parse(text).map_err(|e| anyhow::anyhow!("--set {e}"))
}

/// Evaluates a year over the stored facts and ledger, stores the run and prints its summary.
pub fn evaluate(args: &EvaluateArgs) -> Result<Outcome> {
    let packs = pack_files::load(&args.packs)?;
    let overrides = args
        .overrides
        .iter()
        .map(|s| parse_override(s))
        .collect::<Result<Vec<_>>>()?;
    let mut store = open_existing(&args.db)?;
    run_and_store(&mut store, &packs, args.year, &overrides)?;
    Ok(Outcome::Ok)
}

/// Loads a synthetic Jiaxing into a demo database, evaluates a year under the bundled pack and stores it.
pub fn demo(args: &DemoArgs) -> Result<Outcome> {
    let (id, run) = load_demo(&args.db, args.pack.as_deref(), args.year, &args.population)?;
    println!("兑现清单：");
    for path in super::report::write_payout_list(&run, id, &args.out)? {
        println!("  {}", path.display());
    }
    println!(
        "下一步：jx555 runs --db {0}；jx555 approve {id} --db {0}；jx555 targets --year {1} --db {0}",
        args.db.display(),
        args.year
    );
    Ok(Outcome::Ok)
}

/// The demo job: a synthetic Jiaxing replaces the facts of `db`, and `year` is evaluated and stored.
pub fn load_demo(
    db: &Path,
    pack: Option<&Path>,
    year: i32,
    population: &super::data::Population,
) -> Result<(i64, Run)> {
    let packs = pack_files::load(&pack.map(Path::to_path_buf).into_iter().collect::<Vec<_>>())?;
    let data = population.generate()?;
    let mut store = SqliteStore::open(db)?;
    store.replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))?;
    println!(
        "示例数据：{} 家企业（种子 {}）已写入 {}；政策包 {}",
        data.enterprises(),
        population.seed,
        db.display(),
        pack.map_or("（内置）嘉政发〔2020〕8号".to_string(), |p| p
            .display()
            .to_string())
    );
    run_and_store(&mut store, &packs, year, &[])
}

fn run_and_store(
    store: &mut SqliteStore,
    packs: &[LoadedPack],
    year: i32,
    overrides: &[Override],
) -> Result<(i64, Run)> {
    let (data, info) = store.facts()?.ok_or(StoreError::NoFacts)?;
    let facts = Facts::from_batches(&data.tables)?;
    let refs: Vec<&Pack> = packs.iter().map(|p| &p.pack).collect();
    let ledger = store.ledger()?;
    let req = Request {
        packs: &refs,
        facts: &facts,
        ledger: &ledger,
        year,
        overrides,
    };
    let spinner = indicatif::ProgressBar::new_spinner().with_message(format!("测算 {year} 年度……"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    // A what-if is the engine's: the run as the packs say and the run with the overrides, compared.
    let result = if overrides.is_empty() {
        jx555_engine::evaluate(&req).map(|run| (run, None))
    } else {
        let base = Request {
            overrides: &[],
            ..req
        };
        jx555_engine::whatif::what_if(&base, overrides).map(|w| (w.variant.clone(), Some(w)))
    };
    spinner.finish_and_clear();
    let (run, what_if) = result?;
    println!("企业 {} 家", data.enterprises());
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
    let id = store.save_run(&NewRun {
        packs: packs.iter().map(|p| p.reference.clone()).collect(),
        facts_hash: info.hash,
        overrides: overrides.to_vec(),
        ledger: &ledger,
        run: &run,
    })?;
    let kind = if overrides.is_empty() {
        "兑现测算"
    } else {
        "what-if 测算（不可审定）"
    };
    println!("\n已保存为第 {id} 号{kind}；审定后计入台账：jx555 approve {id}");
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
            e @ (StoreError::NoRun(_)
            | StoreError::AlreadyApproved(..)
            | StoreError::YearApproved { .. }
            | StoreError::Stale { .. }
            | StoreError::WhatIf(_)),
        ) => {
            eprintln!("error: {e}");
            Ok(Outcome::Findings)
        }
        Err(e) => Err(e.into()),
    }
}

/// Output format of `explain`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For tools.
    Json,
}

/// Where the facts and the rules come from.
#[derive(clap::Args)]
pub struct Sources {
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
    /// Policy pack folders; without one, the bundled Jiaxing pack.
    #[arg(long = "pack")]
    packs: Vec<PathBuf>,
}

/// The checked packs, the store and its facts.
struct Loaded {
    packs: Vec<LoadedPack>,
    store: SqliteStore,
    facts: Facts,
}

impl Sources {
    fn load(&self) -> Result<Loaded> {
        let packs = pack_files::load(&self.packs)?;
        let store = open_existing(&self.db)?;
        let (data, _) = store.facts()?.ok_or(StoreError::NoFacts)?;
        let facts = Facts::from_batches(&data.tables)?;
        Ok(Loaded {
            packs,
            store,
            facts,
        })
    }
}

/// Arguments of `explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The enterprise's 统一社会信用代码.
    uscc: String,
    /// The year.
    #[arg(long)]
    year: i32,
    /// Only this rule (for the enterprise itself).
    #[arg(long)]
    rule: Option<String>,
    #[command(flatten)]
    sources: Sources,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Explains what an enterprise gets, nearly gets and lacks, citing the clauses.
pub fn explain_cmd(args: &ExplainArgs) -> Result<Outcome> {
    let Loaded {
        packs,
        store,
        facts,
    } = args.sources.load()?;
    let refs: Vec<&Pack> = packs.iter().map(|p| &p.pack).collect();
    let ledger = store.ledger()?.before(args.year);
    let req = Request {
        packs: &refs,
        facts: &facts,
        ledger: &ledger,
        year: args.year,
        overrides: &[],
    };
    if let Some(rule) = &args.rule {
        let x = explain(&req, EntityKind::Enterprise, &args.uscc, rule)?;
        match args.format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&x)?),
            Format::Text => print_explanation(&x),
        }
        return Ok(Outcome::Ok);
    }
    let report = explain_enterprise(&req, &args.uscc)?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => {
            println!("{} · {}年度", args.uscc, args.year);
            for (title, xs) in [
                ("可享受", &report.gets),
                ("差一点", &report.nearly),
                ("不具备", &report.lacks),
            ] {
                println!("\n== {title}（{} 项）==", xs.len());
                for x in xs.iter() {
                    print_explanation(x);
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

fn print_explanation(x: &Explanation) {
    let amount = match &x.line {
        Some(l) => format!("{}（{}）", wan(l.payable), standing_name(l.standing())),
        None => "不符合".to_string(),
    };
    println!(
        "{} {} [{} {}]：{amount}",
        x.citation.clause,
        x.rule,
        x.subject_kind.name(),
        x.subject
    );
    println!("    依据：{}", x.citation.sentence);
    for c in &x.conditions {
        let mark = match c.holds {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "?",
        };
        println!("    {mark} {}", c.name);
        for g in &c.gaps {
            println!("        {}", g.message);
        }
        if c.holds != Some(true) {
            for r in &c.reads {
                let year = r.year.map(|y| format!(" {y}年")).unwrap_or_default();
                println!(
                    "        {}{year} = {}",
                    r.label,
                    r.value.as_deref().unwrap_or("（缺少数据）")
                );
            }
        }
    }
    if let Some(w) = &x.superseded_by {
        println!(
            "    就高不重复：由 {} {}（{}）取代",
            w.rule.id,
            w.subject,
            wan(w.payable)
        );
    }
}

/// Arguments of `targets`.
#[derive(clap::Args)]
pub struct TargetsArgs {
    /// The year whose facts are measured.
    #[arg(long)]
    year: i32,
    #[command(flatten)]
    sources: Sources,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Each target of the packs next to the value the stored facts give.
pub fn targets_cmd(args: &TargetsArgs) -> Result<Outcome> {
    let Loaded { packs, facts, .. } = args.sources.load()?;
    let refs: Vec<&Pack> = packs.iter().map(|p| &p.pack).collect();
    let all = jx555_engine::targets::targets(&refs, &facts, args.year)?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(Outcome::Ok);
    }
    println!("{}年 政策目标", args.year);
    for t in &all {
        let title = t.title.clone().unwrap_or_else(|| t.id.clone());
        let base = t
            .baseline
            .as_ref()
            .map(|(v, y)| format!("，{y}年基期 {}", target_value(v)))
            .unwrap_or_default();
        println!(
            "{} {title}：目标 {} {}（{}年）{base}",
            t.clause,
            t.op.replace(">=", "≥").replace("<=", "≤"),
            match (t.relative_to, &t.goal) {
                (None, Some(g)) => target_value(g),
                (_, Some(g)) => format!("{}（即 {}）", t.goal_stated, target_value(g)),
                (_, None) => format!("{}（基期数值缺失）", t.goal_stated),
            },
            t.by
        );
        match &t.value {
            None => println!("    当前：（由指标数据录入，或缺少数据）"),
            Some(v) => {
                let progress = t
                    .progress
                    .map(|p| format!("，进度 {}%", (p * Decimal::ONE_HUNDRED).round_dp(1)))
                    .unwrap_or_default();
                let need = t
                    .yearly_growth_needed
                    .map(|g| format!("，尚需年均增长 {}%", (g * Decimal::ONE_HUNDRED).round_dp(1)))
                    .unwrap_or_default();
                let met = match t.met {
                    Some(true) => "，已达成",
                    Some(false) => "，未达成",
                    None => "",
                };
                println!("    当前 {}{progress}{need}{met}", target_value(v));
            }
        }
    }
    Ok(Outcome::Ok)
}
