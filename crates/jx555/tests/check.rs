//! `jx555 check` on real pack folders: exit codes, the summary, and JSON diagnostics.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{jx555, repo};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A pack folder in a temporary place: the example pack with some files replaced.
fn pack_with(replace: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = common::temp();
    for f in ["pack.toml", "policy.md", "catalog.toml"] {
        std::fs::copy(
            repo().join("policies/example-555").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    for (f, bytes) in replace {
        std::fs::write(dir.path().join(f), bytes).unwrap();
    }
    dir
}

#[test]
fn the_example_pack_checks_clean_with_a_summary() {
    let out = jx555(&["check", "policies/example-555"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.contains("example-555: ok"), "{text}");
    assert!(text.contains("rules         11"), "{text}");
    assert!(text.contains("case_by_case  1"), "{text}");
}

#[test]
fn a_faulty_pack_exits_1_with_its_code_in_json() {
    let policy = std::fs::read_to_string(repo().join("policies/example-555/policy.md")).unwrap();
    let broken = policy.replace("award 50万\n  once", "award 50万 + 10%\n  once");
    assert_ne!(policy, broken);
    let dir = pack_with(&[("policy.md", broken.as_bytes())]);
    let out = jx555(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["ok"], false);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "E0202");
    assert_eq!(d["severity"], "error");
    assert!(d["line"].as_u64().unwrap() > 1);
    assert!(d["snippet"].as_str().unwrap().contains("award 50万 + 10%"));

    let text = jx555(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(text.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&text.stderr);
    assert!(
        stderr.contains("error[E0202]") && stderr.contains('^'),
        "{stderr}"
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(jx555(&["check", "no/such/pack"]).status.code(), Some(2));
    assert_eq!(jx555(&["check"]).status.code(), Some(2));
    assert_eq!(jx555(&["frobnicate"]).status.code(), Some(2));
    let dir = pack_with(&[("policy.md", b"# \xff\xfe bad bytes\n")]);
    let out = jx555(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
}
