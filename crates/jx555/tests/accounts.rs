//! `jx555 user` and `jx555 token` on a real database: accounts with roles and scopes, refused
//! scopes, one-time and piped passwords, disabling, tokens — each in the audit log.

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
