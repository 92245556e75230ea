//! `demo-data`: the synthetic Jiaxing as CSV files (same seed, same bytes).

use crate::Outcome;
use anyhow::Result;
use jx555_facts::{csv_io, demo};
use std::path::PathBuf;

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

/// The tables of a dataset with their row counts.
pub fn print_tables(data: &jx555_facts::Dataset) {
    for (name, batch) in &data.tables {
        println!("  {name:<18}{:>9} rows", batch.num_rows());
    }
}
