//! `notice`: the notice (告知书) to one enterprise of what a run gives it.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::Result;
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::PathBuf;

/// Arguments of `notice`.
#[derive(clap::Args)]
pub struct NoticeArgs {
    /// The run's number, as `jx555 runs` lists it.
    run: i64,
    /// The enterprise's 统一社会信用代码.
    uscc: String,
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
    /// Markdown, or an HTML page to print or send.
    #[arg(long, value_enum, default_value_t = NoticeFormat::Md)]
    format: NoticeFormat,
}

/// Format of a notice.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NoticeFormat {
    /// Markdown.
    Md,
    /// A standalone HTML page.
    Html,
}

/// The notice to one enterprise: what it receives in a run, why, and the clause.
pub fn notice(args: &NoticeArgs) -> Result<Outcome> {
    let store = open_existing(&args.db)?;
    let (info, run) = store.run(args.run)?;
    match args.format {
        NoticeFormat::Md => print!(
            "{}",
            jx555_report::notice_markdown(&run, info.year, &args.uscc)
        ),
        NoticeFormat::Html => print!("{}", jx555_report::notice_html(&run, info.year, &args.uscc)),
    }
    Ok(Outcome::Ok)
}
