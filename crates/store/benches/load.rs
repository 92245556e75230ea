//! How long loading the stored facts into the engine's Arrow tables takes (target: 1,000,000 enterprises
//! in at most 5 s).
//!
//! ```sh
//! cargo bench -p jx555-store --bench load                      # 1,000,000 enterprises
//! cargo bench -p jx555-store --bench load -- --enterprises 100000
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

/// As the jx555 binary allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use jx555_store::Store;
use jx555_store::sqlite::SqliteStore;
use std::ops::ControlFlow;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = args
        .iter()
        .position(|a| a == "--enterprises")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000usize);
    let t = Instant::now();
    let data = jx555_facts::demo::generate(n, 555).expect("demo data");
    println!(
        "generated and validated {n} enterprises in {:?}",
        t.elapsed()
    );
    let path = std::env::temp_dir().join(format!("jx555-load-bench-{}.db", std::process::id()));
    let mut store = SqliteStore::open(&path).expect("open");
    let t = Instant::now();
    store
        .replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))
        .expect("import");
    println!("import: {:?}", t.elapsed());
    drop(data);
    // Read as every command and the server do: a connection of its own, opened on the store.
    drop(store);
    let store = SqliteStore::open(&path).expect("open");
    let t = Instant::now();
    let (data, _) = store.facts().expect("load").expect("facts");
    let read = t.elapsed();
    let facts = jx555_engine::FactIndex::from_batches(&data.tables).expect("facts");
    println!(
        "load into Arrow: {read:?} reading, {:?} with the engine's indexes",
        t.elapsed()
    );
    assert_eq!(
        facts.table(jx555_lang::types::EntityKind::Enterprise).rows,
        n
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
