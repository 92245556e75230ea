//! One module per subcommand.

pub mod approve;
pub mod audit;
pub mod calendar;
pub mod check;
pub mod coverage;
pub mod demo;
pub mod demo_data;
pub mod diff;
pub mod evaluate;
pub mod explain;
pub mod export;
pub mod import;
pub mod notice;
pub mod release;
pub mod report;
pub mod review;
pub mod runs;
pub mod serve;
pub mod targets;
pub mod test;
pub mod user;
pub mod validate;

/// The store of a command that reads one: a database file that does not exist is an error that
/// names it and the command that creates one, never a new empty database (a mistyped `--db` would
/// otherwise show no runs, no facts and no error). Only `import`, `demo` and `serve --demo` create one.
pub fn open_existing(db: &std::path::Path) -> anyhow::Result<Box<dyn jx555_store::Store>> {
    if !db.is_file() {
        anyhow::bail!(
            "{} does not exist; create it with `jx555 import <folder> --db {}` (or `jx555 demo --db {}`)",
            db.display(),
            db.display(),
            db.display()
        );
    }
    Ok(Box::new(jx555_store::sqlite::SqliteStore::open(db)?))
}

/// The first `n` characters of a text, with … when it is longer: for one-line listings.
pub fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}
