//! `report`: a run's payout list (兑现清单) as XLSX and CSV files.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::{Context, Result};
use jx555_engine::Run;
use jx555_store::sqlite::DEFAULT_PATH;
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
