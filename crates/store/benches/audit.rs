//! How long `jx555 audit verify` takes over a long log: 1,000,000 entries written as a well-formed
//! chain, then verified from the first entry through the store.
//!
//! ```sh
//! cargo bench -p jx555-store --bench audit                      # 1,000,000 entries
//! cargo bench -p jx555-store --bench audit -- --entries 100000
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use jx555_store::Store;
use jx555_store::audit::{AuditEntry, digest};
use jx555_store::sqlite::SqliteStore;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: i64 = args
        .iter()
        .position(|a| a == "--entries")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    drop(SqliteStore::open(&path).unwrap());
    let t = Instant::now();
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare("INSERT INTO audit (seq, at, actor, role, action, object, digest, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .unwrap();
        let mut prev = String::new();
        for seq in 1..=n {
            let mut e = AuditEntry {
                seq,
                at: "2026-12-02T00:00:00Z".into(),
                actor: "审核员".into(),
                role: "county_reviewer".into(),
                action: "case.review".into(),
                object: format!("case:{seq}"),
                digest: digest(&seq.to_le_bytes()),
                prev: prev.clone(),
                hash: String::new(),
            };
            e.hash = e.expected_hash();
            stmt.execute(rusqlite::params![
                e.seq, e.at, e.actor, e.role, e.action, e.object, e.digest, e.prev, e.hash
            ])
            .unwrap();
            prev = e.hash;
        }
    }
    tx.commit().unwrap();
    println!("wrote {n} chained entries in {:?}", t.elapsed());
    let store = SqliteStore::open(&path).unwrap();
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let cp = store.verify_audit().unwrap().unwrap();
        times.push(t.elapsed());
        assert_eq!(cp.count, n);
    }
    times.sort();
    println!("audit verify of {n} entries: {:?} (median of 3)", times[1]);
}
