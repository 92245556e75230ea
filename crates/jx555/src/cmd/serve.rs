//! `jx555 serve`: the web platform and the JSON API on a local address.

use crate::cmd::demo::load_demo;
use crate::cmd::demo_data::Population;
use crate::{Outcome, pack_files};
use anyhow::{Result, bail};
use jx555_server::App;
use jx555_store::Store;
use jx555_store::sqlite::{DEFAULT_PATH, SqliteStore};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// SQLite file holding the facts, runs and the ledger (`./jx555.db`; with `--demo`, `./jx555-demo.db`, created if missing).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:5555")]
    addr: SocketAddr,
    /// Fill the database with the demo Jiaxing first (2023 evaluated) if it has no facts yet.
    #[arg(long)]
    demo: bool,
    /// The demo's size and seed.
    #[command(flatten)]
    population: Population,
    /// Policy pack folders to serve; without one, the bundled Jiaxing pack.
    #[arg(long = "pack")]
    packs: Vec<PathBuf>,
}

/// Serves until stopped.
pub fn serve(args: &ServeArgs) -> Result<Outcome> {
    let db = args.db.clone().unwrap_or_else(|| {
        PathBuf::from(if args.demo {
            "jx555-demo.db"
        } else {
            DEFAULT_PATH
        })
    });
    if !args.demo && !db.exists() {
        bail!(
            "{} does not exist; import facts first (jx555 import <folder> --db {}), or serve the demo \
             with --demo",
            db.display(),
            db.display()
        );
    }
    if args.demo && SqliteStore::open(&db)?.facts()?.is_none() {
        load_demo(
            &db,
            args.packs.first().map(PathBuf::as_path),
            2023,
            &args.population,
        )?;
    }
    let packs = pack_files::load(&args.packs)?;
    // One line per request on stderr; RUST_LOG=warn quiets it, RUST_LOG=debug says more.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let app = App::open(packs, db.clone())?;
    println!("jx555：数据库 {}；打开 http://{}/", db.display(), args.addr);
    jx555_server::serve_blocking(app, args.addr)?;
    Ok(Outcome::Ok)
}
