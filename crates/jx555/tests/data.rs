//! `jx555 demo-data`, `validate`, `evaluate` and `demo` on real files.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn jx555(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jx555"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run jx555")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jx555-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn demo_data_validates_and_evaluates() {
    let d = temp("demo");
    let out = jx555(&[
        "demo-data",
        "--enterprises",
        "2000",
        "--seed",
        "3",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = jx555(&[
        "validate",
        d.to_str().unwrap(),
        "--pack",
        "policies/example-555",
    ]);
    assert_eq!(v.status.code(), Some(0), "{}", text(&v));
    let e = jx555(&["evaluate", "--year", "2023", "--facts", d.to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(0), "{}", text(&e));
    let t = text(&e);
    assert!(
        t.contains("2023年度兑现测算") && t.contains("按责任单位") && t.contains("市经信局"),
        "{t}"
    );

    let w = jx555(&[
        "evaluate",
        "--year",
        "2023",
        "--facts",
        d.to_str().unwrap(),
        "--set",
        "强链认定奖励[national]=200万",
    ]);
    assert!(text(&w).contains("测算调整"), "{}", text(&w));
}

#[test]
fn a_broken_facts_folder_exits_1_and_names_the_cell() {
    let d = temp("broken");
    assert_eq!(
        jx555(&[
            "demo-data",
            "--enterprises",
            "50",
            "--out",
            d.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    let path = d.join("enterprises.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let first_county = [
        "南湖区",
        "秀洲区",
        "嘉善县",
        "平湖市",
        "海盐县",
        "海宁市",
        "桐乡市",
        "嘉兴经济技术开发区",
        "嘉兴港区",
    ]
    .into_iter()
    .find(|c| csv.contains(c))
    .unwrap();
    std::fs::write(&path, csv.replacen(first_county, "上城区", 1)).unwrap();
    let v = jx555(&["validate", d.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    let t = text(&v);
    assert!(
        t.contains("enterprises.csv")
            && t.contains("列 county")
            && t.contains("上城区")
            && t.contains("nothing was imported"),
        "{t}"
    );
    let e = jx555(&["evaluate", "--year", "2023", "--facts", d.to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(2));
}

#[test]
fn a_year_outside_the_pack_or_an_unknown_parameter_is_refused() {
    let d = temp("refuse");
    assert_eq!(
        jx555(&[
            "demo-data",
            "--enterprises",
            "20",
            "--out",
            d.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    let e = jx555(&["evaluate", "--year", "2026", "--facts", d.to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e).contains("2025-12-31"));
    let s = jx555(&[
        "evaluate",
        "--year",
        "2023",
        "--facts",
        d.to_str().unwrap(),
        "--set",
        "没有=1",
    ]);
    assert_eq!(s.status.code(), Some(2));
    assert!(text(&s).contains("没有"));
}

#[test]
fn the_demo_runs_on_the_embedded_default() {
    let out = jx555(&["demo", "--enterprises", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("合计"));
}
