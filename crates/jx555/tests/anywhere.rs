//! The binary carries its pack: run from a folder that is not the repository, it still runs the
//! demo, evaluates and explains; a database that does not exist is an error, never a new empty one.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{temp, text};
use std::process::{Command, Output};

fn jx555_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jx555"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run jx555")
}

#[test]
fn the_bundled_pack_runs_from_any_folder() {
    let tmp = temp();
    let d = tmp.path();
    let demo = jx555_in(d, &["demo", "--enterprises", "300", "--db", "d.db"]);
    assert_eq!(demo.status.code(), Some(0), "{}", text(&demo));
    assert!(text(&demo).contains("内置"), "{}", text(&demo));
    assert!(d.join("reports").is_dir());
    let again = jx555_in(d, &["evaluate", "--year", "2022", "--db", "d.db"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    // The same pack hashes the same whether bundled or read from its folder.
    let repo = common::repo().join("policies/jiaxing-555-2020");
    let from_folder = jx555_in(
        d,
        &[
            "evaluate",
            "--year",
            "2022",
            "--db",
            "d.db",
            "--pack",
            repo.to_str().unwrap(),
        ],
    );
    assert_eq!(from_folder.status.code(), Some(0), "{}", text(&from_folder));
    use jx555_store::Store;
    let store = jx555_store::sqlite::SqliteStore::open(&d.join("d.db")).unwrap();
    let packs: Vec<_> = store.runs().unwrap().into_iter().map(|r| r.packs).collect();
    assert_eq!(packs.len(), 3);
    assert!(packs.iter().all(|p| p == &packs[0]), "{packs:#?}");
}

#[test]
fn a_missing_database_is_an_error_not_a_new_one() {
    let tmp = temp();
    let d = tmp.path();
    for args in [
        &["runs", "--db", "typo.db"][..],
        &["report", "1", "--db", "typo.db"],
        &["diff", "1", "2", "--db", "typo.db"],
        &["notice", "1", "91330000000000000X", "--db", "typo.db"],
        &["export", "--out", "x", "--db", "typo.db"],
        &["approve", "1", "--db", "typo.db"],
    ] {
        let out = jx555_in(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("typo.db does not exist") && text(&out).contains("jx555 import"),
            "{args:?}: {}",
            text(&out)
        );
        assert!(!d.join("typo.db").exists(), "{args:?} created the database");
    }
}
