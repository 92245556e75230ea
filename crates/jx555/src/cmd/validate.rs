//! `validate`: facts checked against the model, every problem with its place.

use crate::{Outcome, pack_files};
use anyhow::{Context, Result};
use jx555_facts::csv_io;
use jx555_facts::import::validate_input;
use jx555_lang::pack::catalog::Catalog;
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::{Path, PathBuf};

use super::demo_data::print_tables;

/// Arguments of `validate` and `import`.
#[derive(clap::Args)]
pub struct FolderArgs {
    /// A folder of CSV or Parquet files (one per table), or an XLSX workbook (a sheet per table).
    pub path: PathBuf,
    /// A pack folder whose catalog the kinds and levels must come from.
    #[arg(long)]
    pub pack: Option<PathBuf>,
    /// SQLite file the facts are imported into (created if missing; for `import` only).
    #[arg(long, default_value = DEFAULT_PATH)]
    pub db: PathBuf,
    /// Replace only these tables of the stored facts (`enterprises,recognitions`, English or
    /// Chinese names) and keep the others; without it, the input must give every table (for
    /// `import` only).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

/// Prints every problem of an input and says that none of it was used.
pub fn refuse(path: &Path, problems: &[jx555_facts::Problem]) -> Outcome {
    print!("{}", csv_io::report(problems));
    let count = if problems.len() > jx555_facts::import::MAX_PROBLEMS {
        format!("more than {}", jx555_facts::import::MAX_PROBLEMS)
    } else {
        problems.len().to_string()
    };
    println!("{}: {count} problems; nothing was imported", path.display());
    Outcome::Findings
}

/// The catalog of a pack, for checking kinds and levels of facts.
pub fn catalog_of(pack: Option<&Path>) -> Result<Option<Catalog>> {
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
    match check_input(args, jx555_facts::open_input(&args.path)?)? {
        Ok(data) => {
            println!("{}: ok", args.path.display());
            print_tables(&data);
            Ok(Outcome::Ok)
        }
        Err(problems) => Ok(refuse(&args.path, &problems)),
    }
}

/// Validates the input with a bar of the rows checked and their pace (a million enterprises take
/// seconds); the bar is drawn only on a terminal.
pub fn check_input(
    args: &FolderArgs,
    input: Vec<jx555_facts::Input<'_>>,
) -> Result<Result<jx555_facts::Dataset, Vec<jx555_facts::Problem>>> {
    let catalog = catalog_of(args.pack.as_deref())?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "检查 {msg} {bar:40} {pos}/{len} 行，{per_sec}（{eta}）",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let out = validate_input(input, catalog.as_ref(), &mut |table, done, expected| {
        bar.set_message(table.to_string());
        bar.set_length(expected as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    Ok(out?)
}
