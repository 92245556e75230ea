//! Facts in and out: `demo-data`, `validate`, `import`, `export`.

use crate::{Outcome, pack_files};
use anyhow::{Context, Result};
use jx555_facts::{csv_io, demo, validate};
use jx555_lang::pack::catalog::Catalog;
use jx555_store::Store;
use jx555_store::sqlite::{DEFAULT_PATH, SqliteStore};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// The size and seed of the synthetic Jiaxing.
#[derive(clap::Args)]
pub struct Population {
    /// How many enterprises.
    #[arg(long, default_value_t = 10_000)]
    pub enterprises: usize,
    /// The seed: the same seed gives the same data, byte for byte.
    #[arg(long, default_value_t = 555)]
    pub seed: u64,
}

impl Population {
    /// The synthetic Jiaxing of this size and seed.
    pub fn generate(&self) -> Result<jx555_facts::Dataset> {
        demo::generate(self.enterprises, self.seed).map_err(|p| {
            anyhow::anyhow!(
                "the demo generator made invalid data:\n{}",
                csv_io::report(&p)
            )
        })
    }
}

/// Arguments of `demo-data`.
#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    population: Population,
    /// The folder to write the CSV files to.
    #[arg(long, default_value = "demo-data")]
    out: PathBuf,
}

/// Writes a synthetic Jiaxing as CSV files.
pub fn demo_data(args: &DemoArgs) -> Result<Outcome> {
    let data = args.population.generate()?;
    csv_io::write_folder(&data, &args.out)?;
    println!(
        "wrote {} enterprises to {}",
        data.enterprises(),
        args.out.display()
    );
    print_tables(&data);
    Ok(Outcome::Ok)
}

fn print_tables(data: &jx555_facts::Dataset) {
    for (name, batch) in &data.tables {
        println!("  {name:<18}{:>9} rows", batch.num_rows());
    }
}

/// Arguments of `validate` and `import`.
#[derive(clap::Args)]
pub struct FolderArgs {
    /// A folder of CSV or Parquet files (one per table), or an XLSX workbook (a sheet per table).
    path: PathBuf,
    /// A pack whose catalog the kinds and levels must come from.
    #[arg(long)]
    pack: Option<PathBuf>,
    /// SQLite file the facts are imported into (created if missing; for `import` only).
    #[arg(long, default_value = DEFAULT_PATH)]
    db: PathBuf,
}

/// Prints every problem of an input and says that none of it was used.
fn refuse(path: &Path, problems: &[jx555_facts::Problem]) -> Outcome {
    print!("{}", csv_io::report(problems));
    println!(
        "{}: {} problems; nothing was imported",
        path.display(),
        problems.len()
    );
    Outcome::Findings
}

fn catalog_of(pack: Option<&Path>) -> Result<Option<Catalog>> {
    let Some(dir) = pack else { return Ok(None) };
    let sources = pack_files::read(dir)?;
    let checked = jx555_lang::check(&sources);
    let pack = checked
        .pack
        .with_context(|| format!("{} does not check; run jx555 check on it", dir.display()))?;
    Ok(Some(pack.catalog))
}

/// Checks a folder of facts and prints every problem, or a count of rows.
pub fn validate_folder(args: &FolderArgs) -> Result<Outcome> {
    let raw = jx555_facts::read_input(&args.path)?;
    match validate(&raw, catalog_of(args.pack.as_deref())?.as_ref()) {
        Ok(data) => {
            println!("{}: ok", args.path.display());
            print_tables(&data);
            Ok(Outcome::Ok)
        }
        Err(problems) => Ok(refuse(&args.path, &problems)),
    }
}

/// Validates a folder and, when it has no problem, replaces the store's facts with it.
pub fn import(args: &FolderArgs) -> Result<Outcome> {
    let raw = jx555_facts::read_input(&args.path)?;
    let data = match validate(&raw, catalog_of(args.pack.as_deref())?.as_ref()) {
        Ok(d) => d,
        Err(problems) => return Ok(refuse(&args.path, &problems)),
    };
    let mut store = SqliteStore::open(&args.db)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("导入 {bar:40} {pos}/{len} 行 ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let info = store.replace_facts(&data, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        ControlFlow::Continue(())
    })?;
    bar.finish_and_clear();
    println!(
        "imported {} into {} (facts {})",
        args.path.display(),
        args.db.display(),
        &info.hash[..12]
    );
    print_tables(&data);
    Ok(Outcome::Ok)
}

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

/// Writes the store's facts as CSV files.
pub fn export(args: &ExportArgs) -> Result<Outcome> {
    let store = crate::cmd::open_existing(&args.db)?;
    let (data, info) = store.facts()?.ok_or(jx555_store::StoreError::NoFacts)?;
    csv_io::write_folder(&data, &args.out)?;
    println!(
        "wrote the facts of {} ({}) to {}",
        args.db.display(),
        &info.hash[..12],
        args.out.display()
    );
    Ok(Outcome::Ok)
}
