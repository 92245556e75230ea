//! `export`: the store's facts as files.

use crate::Outcome;
use anyhow::Result;
use jx555_facts::csv_io;
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::PathBuf;

/// File format of `export`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// One CSV file per table.
    Csv,
    /// One Parquet file per table.
    Parquet,
}

/// Arguments of `export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// The folder to write the files to.
    #[arg(long)]
    out: PathBuf,
    /// The file format.
    #[arg(long, value_enum, default_value_t = FileFormat::Csv)]
    format: FileFormat,
    /// SQLite file holding the facts, runs and the ledger.
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// Writes the store's facts as CSV or Parquet files, as `--format` says.
pub fn export(args: &ExportArgs) -> Result<Outcome> {
    let store = crate::cmd::open_existing(&args.db)?;
    let (data, info) = store.facts()?.ok_or(jx555_store::StoreError::NoFacts)?;
    match args.format {
        FileFormat::Csv => csv_io::write_folder(&data, &args.out)?,
        FileFormat::Parquet => jx555_facts::parquet_io::write_folder(&data, &args.out)?,
    }
    println!(
        "wrote the facts of {} ({}) to {}",
        args.db.display(),
        &info.hash[..12],
        args.out.display()
    );
    Ok(Outcome::Ok)
}
