//! `jx555 serve`: the web platform and the JSON API on a local address.

use crate::cmd::data::Population;
use crate::cmd::evaluate::{DEFAULT_PACK, load_demo, load_packs};
use crate::{Outcome, pack_files};
use anyhow::{Result, bail};
use jx555_server::{App, LoadedPack};
use jx555_store::Store;
use jx555_store::sqlite::{DEFAULT_PATH, SqliteStore};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The database (`./jx555.db`; with `--demo`, `./jx555-demo.db`).
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
    /// The packs.
    #[arg(long = "pack", default_value = DEFAULT_PACK)]
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
        load_demo(&db, &args.packs[0], 2023, &args.population)?;
    }
    let packs = load_packs(&args.packs)?
        .into_iter()
        .zip(&args.packs)
        .map(|((pack, reference), dir)| {
            let policy = pack_files::read(dir)?
                .file(jx555_lang::Sources::POLICY)
                .text
                .clone();
            Ok(LoadedPack {
                pack,
                reference,
                policy,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let app = App::open(packs, db.clone())?;
    println!("jx555：数据库 {}；打开 http://{}/", db.display(), args.addr);
    jx555_server::serve_blocking(app, args.addr)?;
    Ok(Outcome::Ok)
}
