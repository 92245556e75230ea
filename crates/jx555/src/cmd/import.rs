//! `import`: validated facts replace the store's facts, all or nothing.
//!
//! The input gives every table, or `--only` names the tables it replaces (the others are kept from
//! the store and validated with them): a mistaken import of one file, or of an empty folder, never
//! empties the other tables.

use crate::Outcome;
use anyhow::{Result, bail};
use jx555_facts::import::{canonical_name, coverage};
use jx555_facts::{Dataset, Input, csv_io};
use jx555_store::Store;
use jx555_store::sqlite::SqliteStore;
use std::ops::ControlFlow;

use super::validate::{FolderArgs, check_input, refuse};

/// Validates the input and, when it has no problem, replaces the store's facts (or the tables of
/// `--only`) with it; prints each table's rows before and after.
pub fn import(args: &FolderArgs) -> Result<Outcome> {
    let raw = jx555_facts::open_input(&args.path)?;
    let (given, missing) = coverage(&raw);
    let all: Vec<&str> = given.iter().chain(&missing).copied().collect();
    if raw.is_empty() {
        bail!(
            "{} holds no table; give a CSV or Parquet file per table, named {} (or their Chinese names)",
            args.path.display(),
            all.join(", ")
        );
    }
    let mut store = SqliteStore::open(&args.db)?;
    let before = store.facts()?.map(|(d, _)| d);
    let raw = if args.only.is_empty() {
        if !missing.is_empty() && !given.is_empty() {
            bail!(
                "{} gives {} of the {} tables; it lacks {}. Give every table (an empty one as a file with \
                 its header row only), or replace only the tables given, keeping the others: --only {}",
                args.path.display(),
                given.len(),
                all.len(),
                missing.join(", "),
                given.join(",")
            );
        }
        raw
    } else {
        with_stored(raw, &args.only, &given, before.as_ref())?
    };
    // What was stored is kept only as its tables' sizes (for the table below): the input's
    // validation and the store's write have the memory it held.
    let was: Vec<(&str, usize)> = before
        .as_ref()
        .map(|d| d.tables.iter().map(|(n, b)| (*n, b.num_rows())).collect())
        .unwrap_or_default();
    drop(before);
    let data = match check_input(args, raw)? {
        Ok(d) => d,
        Err(problems) => return Ok(refuse(&args.path, &problems)),
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("导入 {bar:40} {pos}/{len} 行，{per_sec}（{eta}）")
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
    println!("{:<20} {:>10} {:>10}", "table", "before", "after");
    for (name, batch) in &data.tables {
        let was = was
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, rows)| *rows);
        let kept = if args.only.is_empty() || given.contains(name) {
            ""
        } else {
            "  (kept)"
        };
        println!("{name:<20} {was:>10} {:>10}{kept}", batch.num_rows());
    }
    Ok(Outcome::Ok)
}

/// The input's tables (exactly those `only` names) with the store's other tables, in their canonical
/// CSV form, so that the whole is validated together (an award's enterprise must still exist).
fn with_stored(
    mut raw: Vec<Input<'static>>,
    only: &[String],
    given: &[&'static str],
    stored: Option<&Dataset>,
) -> Result<Vec<Input<'static>>> {
    let mut named = Vec::new();
    for n in only {
        match canonical_name(n.trim()) {
            Some(c) => named.push(c),
            None => bail!("--only names {n:?}, which is no table"),
        }
    }
    named.sort();
    let mut gives = given.to_vec();
    gives.sort();
    if named != gives {
        bail!(
            "--only names {} but the input gives {}; they must be the same tables",
            named.join(","),
            gives.join(",")
        );
    }
    let Some(stored) = stored else {
        bail!(
            "--only replaces tables of the stored facts, and the store holds none; import every table first"
        );
    };
    for (name, text) in csv_io::to_csv(stored) {
        if !named.contains(&name) {
            raw.push(csv_io::read_text(&format!("(stored) {name}"), name, &text)?.into());
        }
    }
    Ok(raw)
}
