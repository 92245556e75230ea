//! `jx555 user`, `jx555 token` and `jx555 calendar` on a real database: accounts with roles and
//! scopes, refused scopes, one-time and piped passwords, disabling, tokens, a calendar year loaded
//! from its notice — each in the audit log.

// A failed expectation in a test helper is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{jx555, repo, temp, text};
use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = jx555(args);
    (out.status.code(), text(&out))
}

#[test]
fn accounts_and_tokens_from_the_command_line() {
    let tmp = temp();
    let db = tmp.path().join("acc.db");
    let db = db.to_str().unwrap();
    let (code, out) = run(&[
        "demo",
        "--enterprises",
        "300",
        "--db",
        db,
        "--out",
        tmp.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}");

    let (code, out) = run(&[
        "user",
        "add",
        "nanhu",
        "--role",
        "县区审核员",
        "--county",
        "南湖区",
        "--db",
        db,
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("一次性密码") && out.contains("Jx-"), "{out}");
    let (code, out) = run(&[
        "user",
        "add",
        "dept",
        "--role",
        "department-reviewer",
        "--department",
        "市经信局",
        "--db",
        db,
    ]);
    assert_eq!(code, Some(0), "{out}");

    // Refused, each with what is allowed.
    let refused = [
        (vec!["user", "add", "x1", "--role", "root"], "系统管理员"),
        (
            vec![
                "user",
                "add",
                "x2",
                "--role",
                "县区审核员",
                "--county",
                "北京市",
            ],
            "南湖区",
        ),
        (
            vec!["user", "add", "x3", "--role", "县区审核员"],
            "--county",
        ),
        (
            vec![
                "user",
                "add",
                "x4",
                "--role",
                "部门审核员",
                "--department",
                "市公安局",
            ],
            "市经信局",
        ),
        (
            vec!["user", "add", "x5", "--role", "财政", "--county", "南湖区"],
            "give no scope",
        ),
        (
            vec![
                "user",
                "add",
                "x6",
                "--role",
                "企业经办人",
                "--uscc",
                "91330400MA2B000000",
            ],
            "no enterprise",
        ),
        (vec!["user", "add", "a b", "--role", "审计"], "账号名"),
        (
            vec!["user", "add", "nanhu", "--role", "审计"],
            "already exists",
        ),
        (vec!["user", "disable", "ghost"], "no account"),
        (vec!["token", "revoke", "99"], "no live API token #99"),
    ];
    for (args, says) in refused {
        let mut args = args.clone();
        args.extend(["--db", db]);
        let (code, out) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {out}");
        assert!(out.contains(says), "{args:?} should say {says:?}: {out}");
    }

    // A password from stdin must meet the policy.
    let piped = |pw: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jx555"))
            .args([
                "user",
                "add",
                "finance",
                "--role",
                "finance",
                "--password-stdin",
                "--db",
                db,
            ])
            .current_dir(repo())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(pw.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.code(), text(&out))
    };
    let (code, out) = piped("short\n");
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("密码至少"), "{out}");
    let (code, out) = piped("Jiaxing-Bureau-2026\n");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        !out.contains("Jiaxing-Bureau-2026"),
        "a chosen password is not echoed"
    );

    let (code, out) = run(&["user", "disable", "nanhu", "--db", db]);
    assert_eq!(code, Some(0), "{out}");
    let (_, list) = run(&["user", "list", "--db", db]);
    assert!(
        list.contains("nanhu") && list.contains("已停用") && list.contains("南湖区"),
        "{list}"
    );
    let (code, out) = run(&["user", "passwd", "dept", "--db", db]);
    assert_eq!(code, Some(0), "{out}");

    let (code, out) = run(&["token", "add", "finance", "--label", "报表系统", "--db", db]);
    assert_eq!(code, Some(0), "{out}");
    let secret = out.lines().nth(1).unwrap().trim().to_string();
    assert_eq!(secret.len(), 64, "{out}");
    let (_, list) = run(&["token", "list", "--db", db]);
    assert!(
        list.contains("报表系统") && list.contains("有效") && !list.contains(&secret),
        "{list}"
    );
    let (code, _) = run(&["token", "revoke", "1", "--db", db]);
    assert_eq!(code, Some(0));
    let (_, list) = run(&["token", "list", "--db", db]);
    assert!(list.contains("已吊销"), "{list}");

    let (_, log) = run(&["audit", "show", "--db", db]);
    for action in [
        "account.add",
        "account.disable",
        "account.passwd",
        "token.add",
        "token.revoke",
    ] {
        assert!(log.contains(action), "{action} is in the audit log:\n{log}");
    }
    let (code, out) = run(&["audit", "verify", "--db", db]);
    assert_eq!(code, Some(0), "{out}");
}

/// The batch steps from the command line act as the account of `JX555_TOKEN`: without one, with an
/// unknown one, or as a role the step is not for, nothing is done and the reason is said; with
/// nothing ready or cleared, the step says so.
#[test]
fn publicize_and_pay_act_as_the_tokens_account() {
    let tmp = temp();
    let db = tmp.path().join("p.db");
    let db = db.to_str().unwrap();
    let (code, out) = run(&[
        "demo",
        "--enterprises",
        "300",
        "--db",
        db,
        "--out",
        tmp.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["release", "1", "--db", db]);
    assert_eq!(code, Some(0), "{out}");
    let with_token = |token: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jx555"));
        cmd.args(args).current_dir(repo()).env_remove("JX555_TOKEN");
        if let Some(t) = token {
            cmd.env("JX555_TOKEN", t);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), text(&out))
    };
    let (code, out) = with_token(None, &["publicize", "--contact", "张三", "--db", db]);
    assert_eq!(code, Some(2));
    assert!(out.contains("JX555_TOKEN"), "{out}");
    let token = |account: &str, role: &str, scope: &[&str]| {
        let mut args = vec!["user", "add", account, "--role", role];
        args.extend(scope);
        args.extend(["--db", db]);
        let (code, out) = run(&args);
        assert_eq!(code, Some(0), "{out}");
        let (code, out) = run(&["token", "add", account, "--db", db]);
        assert_eq!(code, Some(0), "{out}");
        out.lines().nth(1).unwrap().trim().to_string()
    };
    let dept = token("jingxin", "部门审核员", &["--department", "市经信局"]);
    let finance = token("caizheng", "财政", &[]);
    // Nothing is ready yet (no enterprise has confirmed): refused, said why.
    let (code, out) = with_token(
        Some(&dept),
        &["publicize", "--contact", "张三 0573-1", "--db", db],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("没有待公示"), "{out}");
    // Finance cannot publicize; and has nothing cleared to pay yet.
    let (code, out) = with_token(Some(&finance), &["publicize", "--contact", "x", "--db", db]);
    assert_eq!(code, Some(1));
    assert!(out.contains("部门审核员"), "{out}");
    let (code, out) = with_token(
        Some(&finance),
        &["pay", "batch", "工信专项资金", "--db", db],
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("没有可拨付"), "{out}");
    let (code, out) = with_token(
        Some(&dept),
        &["pay", "settle", "9", "--voucher", "v", "--db", db],
    );
    assert_eq!(code, Some(1));
    assert!(out.contains("没有第 9 批"), "{out}");
    let (code, out) = with_token(
        Some("0".repeat(64).as_str()),
        &["pay", "batch", "x", "--db", db],
    );
    assert_eq!(code, Some(2));
    assert!(out.contains("unknown, revoked or expired"), "{out}");
}

#[test]
fn a_new_calendar_year_is_loaded_whole_or_not_at_all() {
    let tmp = temp();
    let db = tmp.path().join("cal.db");
    let db = db.to_str().unwrap();
    let (code, out) = run(&[
        "demo",
        "--enterprises",
        "100",
        "--db",
        db,
        "--out",
        tmp.path().join("r").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}");
    let file = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    // A worked day that is not a weekend: refused, with its line; nothing kept.
    let bad = file(
        "bad.csv",
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-05,workday,元旦\n",
    );
    let (code, out) = run(&["calendar", "load", &bad, "--db", db]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("第3行") && out.contains("不是周末"), "{out}");
    let (_, years) = run(&["calendar", "years", "--db", db]);
    assert!(!years.contains("2027"), "{years}");
    let good = file(
        "2027.csv",
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n",
    );
    let (code, out) = run(&["calendar", "load", &good, "--db", db]);
    assert_eq!(code, Some(0), "{out}");
    let (_, years) = run(&["calendar", "years", "--db", db]);
    assert!(
        years.contains("2026、2027") && years.contains("2027 年由"),
        "{years}"
    );
    let (_, log) = run(&["audit", "show", "--object", "calendar:2027", "--db", db]);
    assert!(log.contains("calendar.load"), "{log}");
}
