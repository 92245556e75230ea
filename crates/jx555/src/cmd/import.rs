//! `import`: validated facts replace the store's facts, all or nothing.

use crate::Outcome;
use anyhow::Result;
use jx555_facts::validate;
use jx555_store::Store;
use jx555_store::sqlite::SqliteStore;
use std::ops::ControlFlow;

use super::demo_data::print_tables;
use super::validate::{FolderArgs, catalog_of, refuse};

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
