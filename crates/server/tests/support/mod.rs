//! A small demo Jiaxing in a store, with its 2023 run, shared by the site's tests.

#![allow(dead_code)]

use jx555_engine::{FactIndex, Ledger};
use jx555_lang::{SourceFile, Sources};
use jx555_server::{App, LoadedPack};
use jx555_store::sqlite::SqliteStore;
use jx555_store::{NewRun, PackRef, Store};
use std::ops::ControlFlow;
use std::sync::OnceLock;

pub struct Site {
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub pack: LoadedPack,
    /// An enterprise that receives something in the run.
    pub uscc: String,
}

/// A store with 600 demo enterprises and the 2023 run, made once for all tests.
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| build(600))
}

/// A store with `n` demo enterprises (seed 555) and the 2023 run under the bundled pack.
pub fn build(n: usize) -> Site {
    {
        let root = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../policies/jiaxing-555-2020/"
        );
        let read = |f: &str| std::fs::read_to_string(format!("{root}{f}")).unwrap();
        let sources = Sources::new(
            SourceFile::new("pack.toml", read("pack.toml")),
            SourceFile::new("policy.md", read("policy.md")),
            Some(SourceFile::new("catalog.toml", read("catalog.toml"))),
        );
        let pack = jx555_lang::check(&sources).pack.unwrap();
        let reference = PackRef {
            id: pack.manifest.id.clone(),
            version: pack.manifest.version.clone(),
            hash: "test".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("site.db");
        let mut store = SqliteStore::open(&db).unwrap();
        let data = jx555_facts::demo::generate(n, 555).unwrap();
        let info = store
            .replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))
            .unwrap();
        let facts = FactIndex::from_batches(&data.tables).unwrap();
        let run = jx555_engine::evaluate(&jx555_engine::Request {
            packs: &[&pack],
            facts: &facts,
            ledger: &Ledger::default(),
            year: 2023,
            overrides: &[],
        })
        .unwrap();
        let uscc = run
            .lines
            .iter()
            .find(|l| l.payable > 0 && l.enterprise.is_some())
            .and_then(|l| l.enterprise.clone())
            .unwrap();
        store
            .save_run(&NewRun {
                packs: vec![reference.clone()],
                facts_hash: info.hash,
                overrides: vec![],
                ledger: &Ledger::default(),
                run: &run,
            })
            .unwrap();
        Site {
            _dir: dir,
            db,
            pack: LoadedPack {
                pack,
                reference,
                policy: read("policy.md"),
            },
            uscc,
        }
    }
}

/// A fresh app over the shared store.
pub fn app() -> App {
    site().app()
}

impl Site {
    /// An app over this store.
    pub fn app(&self) -> App {
        App::open(vec![self.pack.clone()], self.db.clone()).unwrap()
    }
}
