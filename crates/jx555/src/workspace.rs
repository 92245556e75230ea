//! What a command works on, resolved once from its arguments: the checked packs, the store (which
//! must exist) and its facts, and the request of a year.

use crate::cmd::open_existing;
use crate::pack_files;
use anyhow::Result;
use jx555_engine::{FactIndex, Override, Request};
use jx555_lang::ir::Pack;
use jx555_server::LoadedPack;
use jx555_store::sqlite::DEFAULT_PATH;
use jx555_store::{FactsInfo, Store, StoreError};
use std::path::PathBuf;

/// Where the facts and the rules come from.
#[derive(clap::Args)]
pub struct WorkspaceArgs {
    /// SQLite file holding the facts, runs and the ledger (it must exist: `jx555 import` or
    /// `jx555 demo` creates one).
    #[arg(long, default_value = DEFAULT_PATH)]
    pub db: PathBuf,
    /// Policy pack folders to evaluate together (就高不重复 spans them); without one, the bundled
    /// Jiaxing pack (policies/jiaxing-555-2020, carried in the binary).
    #[arg(long = "pack")]
    pub packs: Vec<PathBuf>,
}

/// The checked packs, the store and its facts.
pub struct Workspace {
    /// The packs, checked.
    pub packs: Vec<LoadedPack>,
    /// The store.
    pub store: Box<dyn Store>,
    /// The facts, indexed for the engine.
    pub facts: FactIndex,
    /// Which facts they are.
    pub facts_info: FactsInfo,
}

impl WorkspaceArgs {
    /// Checks the packs, opens the store and loads its facts.
    pub fn open(&self) -> Result<Workspace> {
        let packs = pack_files::load(&self.packs)?;
        let store = open_existing(&self.db)?;
        Workspace::new(packs, store)
    }
}

impl Workspace {
    /// A workspace of checked packs over a store that holds facts.
    pub fn new(packs: Vec<LoadedPack>, store: Box<dyn Store>) -> Result<Workspace> {
        let (data, facts_info) = store.facts()?.ok_or(StoreError::NoFacts)?;
        let facts = FactIndex::from_batches(&data.tables)?;
        Ok(Workspace {
            packs,
            store,
            facts,
            facts_info,
        })
    }

    /// The packs' IR.
    pub fn pack_refs(&self) -> Vec<&Pack> {
        self.packs.iter().map(|p| &p.pack).collect()
    }

    /// Runs `f` with the request of `year`: the packs, the facts, the store's ledger, the overrides.
    pub fn with_request<T>(
        &self,
        year: i32,
        overrides: &[Override],
        f: impl FnOnce(&Request<'_>) -> Result<T>,
    ) -> Result<T> {
        let ledger = self.store.ledger()?;
        let refs = self.pack_refs();
        f(&Request {
            packs: &refs,
            facts: &self.facts,
            ledger: &ledger,
            year,
            overrides,
        })
    }
}
