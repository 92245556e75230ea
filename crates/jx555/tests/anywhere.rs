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

/// `jx555 validate <broken folder> | head -1`: the reader stops early while thousands of problems are
/// still to print (far more than a pipe holds); jx555 ends quietly, no panic, no backtrace.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::io::BufRead;
    let tmp = temp();
    let facts = tmp.path().join("facts");
    let made = common::jx555(&[
        "demo-data",
        "--enterprises",
        "3000",
        "--out",
        facts.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made));
    let path = facts.join("enterprises.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let broken = jx555_facts::model::COUNTIES
        .iter()
        .fold(csv, |t, c| t.replace(c, "上城区"));
    std::fs::write(&path, broken).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jx555"))
        .args(["validate", facts.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(first.contains("上城区"), "{first}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
}
