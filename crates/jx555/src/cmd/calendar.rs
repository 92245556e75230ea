//! `calendar`: the official working-day calendar — the years held, and loading a new year from the
//! State Council's notice (each November, for the year after).

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::{Context, Result};
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::PathBuf;

/// Arguments of `calendar`.
#[derive(clap::Args)]
pub struct CalendarArgs {
    #[command(subcommand)]
    what: CalendarCommand,
    /// SQLite file holding the calendar years loaded.
    #[arg(long, default_value = DEFAULT_PATH, global = true)]
    db: PathBuf,
}

#[derive(clap::Subcommand)]
enum CalendarCommand {
    /// The years held: bundled, and loaded (when, by whom).
    Years,
    /// Load whole years from a `date,kind,name` CSV (holiday, or workday for a worked Saturday or
    /// Sunday), each replacing what was held for it; all or none; audited. The server reads the
    /// calendar when it starts.
    Load {
        /// The CSV file.
        file: PathBuf,
    },
}

/// Lists or loads calendar years.
pub fn calendar(args: &CalendarArgs) -> Result<Outcome> {
    let mut store = open_existing(&args.db)?;
    match &args.what {
        CalendarCommand::Years => {
            let loaded = store.calendar_years()?;
            let years: Vec<String> = store.calendar()?.years().map(|y| y.to_string()).collect();
            println!("日历年份：{}", years.join("、"));
            for (year, at, by) in loaded {
                println!("  {year} 年由 {by} 于 {at} 载入");
            }
        }
        CalendarCommand::Load { file } => {
            jx555_facts::csv_io::check_regular(file)?;
            let csv = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
            let years = store.load_calendar(&csv)?;
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            println!("已载入 {} 年的节假日和调休安排", years.join("、"));
        }
    }
    Ok(Outcome::Ok)
}
