//! The payout flow on real files: demo-data, validate, import, evaluate, approve, runs, explain, export.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{jx555, temp, text};
use std::path::Path;

fn ok(args: &[&str]) -> String {
    let out = jx555(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "jx555 {args:?}:\n{}",
        text(&out)
    );
    text(&out)
}

#[test]
fn import_evaluate_approve_explain_export() {
    let tmp = temp();
    let d = tmp.path();
    let (facts, db, back) = (d.join("facts"), d.join("t.db"), d.join("back"));
    let (facts, db, back) = (
        facts.to_str().unwrap(),
        db.to_str().unwrap(),
        back.to_str().unwrap(),
    );
    ok(&[
        "demo-data",
        "--enterprises",
        "2000",
        "--seed",
        "3",
        "--out",
        facts,
    ]);
    ok(&["validate", facts, "--pack", "policies/example-555"]);
    assert!(
        ok(&[
            "import",
            facts,
            "--db",
            db,
            "--pack",
            "policies/example-555"
        ])
        .contains("enterprises")
    );

    let e = ok(&["evaluate", "--year", "2021", "--db", db]);
    let reports = d.join("reports");
    ok(&[
        "report",
        "1",
        "--db",
        db,
        "--out",
        reports.to_str().unwrap(),
    ]);
    xlsx_matches_csv(
        &reports.join("兑现清单-2021年-第1号.xlsx"),
        &reports.join("兑现清单-2021年-第1号.csv"),
    );
    assert!(
        e.contains("2021年度兑现测算")
            && e.contains("按牵头单位")
            && e.contains("各行不可相加")
            && e.contains("第 1 号"),
        "{e}"
    );
    assert!(ok(&["approve", "1", "--db", db]).contains("已审定"));
    let twice = jx555(&["approve", "1", "--db", db]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(text(&twice).contains("already approved"));
    // A run that does not exist is a usage error (2), as the README says, not a finding.
    assert_eq!(jx555(&["approve", "99", "--db", db]).status.code(), Some(2));

    let w = ok(&[
        "evaluate",
        "--year",
        "2022",
        "--db",
        db,
        "--set",
        "强链认定奖励[national]=200万",
    ]);
    assert!(
        w.contains("测算调整") && w.contains("不能审定") && !w.contains("jx555 approve"),
        "a what-if does not suggest approving it: {w}"
    );
    assert_eq!(
        jx555(&["approve", "2", "--db", db]).status.code(),
        Some(1),
        "a what-if is never approved"
    );
    let runs = ok(&["runs", "--db", db]);
    assert!(
        runs.contains("已审定") && runs.contains("what-if"),
        "{runs}"
    );
    // A 2023 run computed before 2022 is approved would pay again what 2022 pays: refused.
    ok(&["evaluate", "--year", "2023", "--db", db]);
    ok(&["evaluate", "--year", "2022", "--db", db]);
    assert!(ok(&["approve", "4", "--db", db]).contains("已审定"));
    let stale = jx555(&["approve", "3", "--db", db]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        text(&stale).contains("evaluate 2023 again"),
        "{}",
        text(&stale)
    );

    let csv = std::fs::read_to_string(Path::new(facts).join("enterprises.csv")).unwrap();
    let uscc = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let json = ok(&[
        "explain", &uscc, "--year", "2022", "--db", db, "--format", "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["uscc"], uscc.as_str());
    assert!(report["lacks"].is_array());
    assert!(ok(&["explain", &uscc, "--year", "2022", "--db", db]).contains("依据"));

    let shown = ok(&["targets", "--year", "2022", "--db", db]);
    assert!(shown.contains("全市规上工业总产值"), "{shown}");
    // 规上企业数量倍增: twice the demo's 2019 count, which is also the baseline.
    assert!(
        shown.contains("规上企业数量（倍增）：目标 ≥ 2019年的200%（即 "),
        "{shown}"
    );
    let targets: serde_json::Value = serde_json::from_str(&ok(&[
        "targets", "--year", "2022", "--db", db, "--format", "json",
    ]))
    .unwrap();
    assert!(
        targets
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "规上工业总产值" && t["value"].is_object())
    );

    ok(&["export", "--out", back, "--db", db]);
    for f in [
        "enterprises.csv",
        "enterprise_years.csv",
        "recognitions.csv",
        "land_parcels.csv",
    ] {
        assert_eq!(
            std::fs::read(Path::new(facts).join(f)).unwrap(),
            std::fs::read(Path::new(back).join(f)).unwrap(),
            "{f}"
        );
    }
    // Every change of the flow above is in the audit log, and its chain verifies.
    let verified = ok(&["audit", "verify", "--db", db]);
    assert!(verified.contains("审计日志完整"), "{verified}");
    let shown = ok(&["audit", "show", "--object", "run:1", "--db", db]);
    assert!(
        shown.contains("run.save") && shown.contains("run.approve"),
        "{shown}"
    );
    // `--format parquet` writes Parquet, and it reads back as the same facts.
    let pq = Path::new(back).join("parquet");
    let pq = pq.to_str().unwrap();
    ok(&["export", "--out", pq, "--format", "parquet", "--db", db]);
    let files: Vec<String> = std::fs::read_dir(pq)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().all(|f| f.ends_with(".parquet"))
            && files.contains(&"enterprises.parquet".into()),
        "{files:?}"
    );
    assert!(ok(&["validate", pq]).contains(": ok"));
    // Nor does a second run of a year already approved.
    let again = ok(&["evaluate", "--year", "2021", "--db", db]);
    assert!(
        again.contains("2021年度已审定第 1 号") && !again.contains("jx555 approve"),
        "{again}"
    );
}

#[test]
fn a_broken_folder_is_refused_and_the_store_is_unchanged() {
    let tmp = temp();
    let d = tmp.path();
    let (facts, db) = (d.join("facts"), d.join("t.db"));
    let (facts_s, db_s) = (facts.to_str().unwrap(), db.to_str().unwrap());
    ok(&["demo-data", "--enterprises", "50", "--out", facts_s]);
    ok(&["import", facts_s, "--db", db_s]);
    let before = ok(&["evaluate", "--year", "2023", "--db", db_s]);

    let path = facts.join("enterprises.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let county = jx555_facts::model::COUNTIES
        .into_iter()
        .find(|c| csv.contains(c))
        .unwrap();
    std::fs::write(&path, csv.replacen(county, "上城区", 1)).unwrap();
    let v = jx555(&["import", facts_s, "--db", db_s]);
    assert_eq!(v.status.code(), Some(1));
    let t = text(&v);
    assert!(
        t.contains("enterprises.csv")
            && t.contains("列 county")
            && t.contains("上城区")
            && t.contains("nothing was imported"),
        "{t}"
    );
    let after = ok(&["evaluate", "--year", "2023", "--db", db_s]);
    let total = |s: &str| {
        s.lines()
            .find(|l| l.contains("年度兑现测算"))
            .unwrap()
            .to_string()
    };
    assert_eq!(total(&before), total(&after));
}

/// An empty folder, one file alone or a folder lacking tables never replaces the facts; `--only`
/// replaces the tables it names and keeps the others, checked together.
#[test]
fn a_partial_import_is_refused_unless_it_says_which_tables() {
    let tmp = temp();
    let d = tmp.path();
    let (facts, db, out) = (d.join("facts"), d.join("t.db"), d.join("out"));
    let (facts_s, db_s) = (facts.to_str().unwrap(), db.to_str().unwrap());
    ok(&["demo-data", "--enterprises", "40", "--out", facts_s]);
    ok(&["import", facts_s, "--db", db_s]);
    let exported = |tag: &str| {
        let dir = out.join(tag);
        ok(&["export", "--out", dir.to_str().unwrap(), "--db", db_s]);
        std::fs::read_to_string(dir.join("enterprises.csv")).unwrap()
            + &std::fs::read_to_string(dir.join("recognitions.csv")).unwrap()
    };
    let before = exported("before");

    let empty = d.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = jx555(&["import", empty.to_str().unwrap(), "--db", db_s]);
    assert_eq!(e.status.code(), Some(2));
    assert!(
        text(&e).contains("holds no table") && text(&e).contains("enterprises"),
        "{}",
        text(&e)
    );

    let one = facts.join("recognitions.csv");
    let e = jx555(&["import", one.to_str().unwrap(), "--db", db_s]);
    assert_eq!(e.status.code(), Some(2));
    let t = text(&e);
    assert!(
        t.contains("gives 1 of the 8 tables")
            && t.contains("lacks enterprises")
            && t.contains("--only recognitions"),
        "{t}"
    );
    assert_eq!(exported("after-refusals"), before, "the store is as it was");

    let e = jx555(&[
        "import",
        one.to_str().unwrap(),
        "--only",
        "enterprises",
        "--db",
        db_s,
    ]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e).contains("must be the same tables"), "{}", text(&e));

    // One recognition fewer, replacing only that table: the enterprises are kept.
    let part = d.join("part");
    std::fs::create_dir(&part).unwrap();
    let rec = std::fs::read_to_string(&one).unwrap();
    let mut lines: Vec<&str> = rec.lines().collect();
    lines.pop();
    std::fs::write(part.join("认定.csv"), lines.join("\n") + "\n").unwrap();
    let t = ok(&[
        "import",
        part.to_str().unwrap(),
        "--only",
        "recognitions",
        "--db",
        db_s,
    ]);
    let row = |name: &str| {
        t.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let r = row("recognitions");
    assert_eq!(
        r[1].parse::<usize>().unwrap(),
        r[2].parse::<usize>().unwrap() + 1,
        "{t}"
    );
    assert!(row("enterprises").contains(&"(kept)".to_string()), "{t}");
    let now = exported("after-only");
    assert_ne!(now, before);
    assert!(now.starts_with(&std::fs::read_to_string(out.join("before/enterprises.csv")).unwrap()));
}

#[test]
fn bad_requests_get_a_clear_message_and_exit_2() {
    let tmp = temp();
    let d = tmp.path();
    let (facts, db) = (d.join("facts"), d.join("t.db"));
    let (facts, db) = (facts.to_str().unwrap(), db.to_str().unwrap());
    let missing = jx555(&["evaluate", "--year", "2023", "--db", db]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("does not exist"));
    ok(&["demo-data", "--enterprises", "20", "--out", facts]);
    ok(&["import", facts, "--db", db]);
    let e = jx555(&["evaluate", "--year", "2026", "--db", db]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e).contains("2025-12-31"));
    let s = jx555(&["evaluate", "--year", "2023", "--db", db, "--set", "没有=1"]);
    assert_eq!(s.status.code(), Some(2));
    assert!(text(&s).contains("没有"));
    let runs = ok(&["runs", "--db", db]);
    assert_eq!(
        runs.lines().count(),
        1,
        "no run was stored by a refused request: {runs}"
    );
}

#[test]
fn the_demo_runs_on_the_embedded_default() {
    let tmp = temp();
    let d = tmp.path();
    let (db, reports) = (d.join("demo.db"), d.join("reports"));
    let out = ok(&[
        "demo",
        "--enterprises",
        "1000",
        "--db",
        db.to_str().unwrap(),
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert!(out.contains("合计") && out.contains("第 1 号"), "{out}");
    assert!(reports.join("兑现清单-2023年-第1号.xlsx").exists(), "{out}");
}

/// The payout list's workbook, read back with calamine, holds what its CSV holds (amounts as numbers).
fn xlsx_matches_csv(xlsx: &Path, csv: &Path) {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(xlsx).unwrap();
    assert!(
        book.sheet_names().iter().any(|s| s == "汇总")
            && book.sheet_names().iter().any(|s| s == "参与-市经信局")
    );
    let range = book.worksheet_range("全部明细").unwrap();
    let text = std::fs::read_to_string(csv).unwrap();
    let mut reader = csv_crate_rows(&text);
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => jx555_facts::cell::spreadsheet_number(*f),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), reader.len());
    assert!(rows.len() > 1, "the run has lines");
    let same = |x: &str, c: &str| {
        x == c
            || matches!((x.parse::<rust_decimal::Decimal>(), c.parse::<rust_decimal::Decimal>()), (Ok(a), Ok(b)) if a == b)
    };
    for (x, c) in rows.iter().zip(reader.drain(..)) {
        assert_eq!(x.len(), c.len());
        for (a, b) in x.iter().zip(&c) {
            assert!(same(a, b), "{a} in the workbook, {b} in the CSV");
        }
    }
}

fn csv_crate_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}
