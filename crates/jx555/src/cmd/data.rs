//! `jx555 demo-data` and `jx555 validate`: facts in the canonical CSV format.

use crate::{Outcome, pack_files};
use anyhow::{Context, Result};
use jx555_facts::{csv_io, demo, validate};
use std::path::PathBuf;

/// Arguments of `demo-data`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// How many enterprises.
    #[arg(long, default_value_t = 10_000)]
    enterprises: usize,
    /// The seed: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 555)]
    seed: u64,
    /// The folder to write the CSV files to.
    #[arg(long, default_value = "demo-data")]
    out: PathBuf,
}

/// Writes a synthetic Jiaxing as CSV files.
pub fn demo_data(args: &DemoArgs) -> Result<Outcome> {
    let data = demo::generate(args.enterprises, args.seed).map_err(|p| {
        anyhow::anyhow!(
            "the demo generator made invalid data:\n{}",
            csv_io::report(&p)
        )
    })?;
    csv_io::write_folder(&data, &args.out)?;
    println!(
        "wrote {} enterprises to {}",
        data.enterprises(),
        args.out.display()
    );
    for (name, batch) in &data.tables {
        println!("  {name:<18}{:>9} rows", batch.num_rows());
    }
    Ok(Outcome::Ok)
}

/// Arguments of `validate`.
#[derive(clap::Args)]
pub struct ValidateArgs {
    /// A folder of CSV files, one per table.
    path: PathBuf,
    /// A pack whose catalog the kinds and levels must come from.
    #[arg(long)]
    pack: Option<PathBuf>,
}

/// Checks a folder of facts and prints every problem, or a count of rows.
pub fn validate_folder(args: &ValidateArgs) -> Result<Outcome> {
    let raw = csv_io::read_folder(&args.path)?;
    let catalog = match &args.pack {
        Some(dir) => {
            let sources = pack_files::read(dir)?;
            let checked = jx555_lang::check(&sources);
            let pack = checked.pack.with_context(|| {
                format!("{} does not check; run jx555 check on it", dir.display())
            })?;
            Some(pack.catalog)
        }
        None => None,
    };
    match validate(&raw, catalog.as_ref()) {
        Ok(data) => {
            println!("{}: ok", args.path.display());
            for (name, batch) in &data.tables {
                println!("  {name:<18}{:>9} rows", batch.num_rows());
            }
            Ok(Outcome::Ok)
        }
        Err(problems) => {
            print!("{}", csv_io::report(&problems));
            println!(
                "{}: {} problems; nothing was imported",
                args.path.display(),
                problems.len()
            );
            Ok(Outcome::Findings)
        }
    }
}
