//! `demo`: a synthetic Jiaxing in a demo database, a year evaluated under the bundled pack.

use crate::{Outcome, pack_files};
use anyhow::Result;
use jx555_engine::Run;
use jx555_store::Store;
use jx555_store::sqlite::SqliteStore;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::evaluate::run_and_store;
use crate::workspace::Workspace;

/// Arguments of `demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    population: super::demo_data::Population,
    /// The year to evaluate.
    #[arg(long, default_value_t = 2023)]
    year: i32,
    /// A policy pack folder to evaluate instead of the bundled Jiaxing pack.
    #[arg(long)]
    pack: Option<PathBuf>,
    /// SQLite file the demo writes (created if missing; its facts are replaced).
    #[arg(long, default_value = "jx555-demo.db")]
    db: PathBuf,
    /// Where the payout list is written.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
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

/// The demo's facts: a synthetic Jiaxing replaces the facts of `db`; the workspace over them.
fn demo_workspace(
    db: &Path,
    pack: Option<&Path>,
    population: &super::demo_data::Population,
) -> Result<Workspace> {
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
    Workspace::new(packs, Box::new(store))
}

/// The demo job: a synthetic Jiaxing replaces the facts of `db`, and `year` is evaluated and stored.
pub fn load_demo(
    db: &Path,
    pack: Option<&Path>,
    year: i32,
    population: &super::demo_data::Population,
) -> Result<(i64, Run)> {
    run_and_store(&mut demo_workspace(db, pack, population)?, year, &[])
}

/// The opinion's period on the demo, as the platform would have run it: each year from 2020 to
/// 2024 evaluated over the ledger of the years before and approved into it (so 补差 and 就高不重复
/// across years have something to work on, and the 终期评估 has years to count), then 2025 evaluated
/// and released (发布) into cases, for the award path to walk.
pub fn load_demo_years(
    db: &Path,
    pack: Option<&Path>,
    population: &super::demo_data::Population,
) -> Result<(i64, Run)> {
    let mut ws = demo_workspace(db, pack, population)?;
    for year in 2020..=2024 {
        let (id, run, _) = super::evaluate::evaluate_and_save(&mut ws, year, &[])?;
        let n = ws.store.approve(id)?;
        println!(
            "{year}年度：第 {id} 号测算，{} 条明细，合计 {}，已审定 {n} 条计入台账",
            run.lines.len(),
            jx555_report::wan(run.total())
        );
    }
    let (id, run) = run_and_store(&mut ws, 2025, &[])?;
    let plan = jx555_store::cases::release_plan(&run, &ws.facts);
    let n = ws.store.release(id, &plan)?;
    println!("第 {id} 号测算（2025年度）已发布：{n} 件奖补事项进入兑现流程");
    Ok((id, run))
}
