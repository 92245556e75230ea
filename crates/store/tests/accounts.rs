//! Accounts, sessions and tokens in the store: each change audited in its own transaction.

// A failed expectation in a test is a failed test.
#![allow(clippy::unwrap_used)]

use jx555_store::Store;
use jx555_store::accounts::{
    AccountChange, Accounts, NewAccount, Session, hash_password, new_secret, secret_hash,
    verify_password,
};
use jx555_store::audit::{Actor, AuditFilter};
use jx555_store::sqlite::SqliteStore;
use jx555_workflow::access::{Role, Scope};
use jx555_workflow::accounts::Logins;

fn store() -> SqliteStore {
    let mut s = SqliteStore::in_memory().unwrap();
    s.set_actor(Actor {
        name: "admin".into(),
        role: "system-admin".into(),
    });
    s
}

fn reviewer(s: &mut SqliteStore) {
    s.add_account(&NewAccount {
        name: "nanhu".into(),
        role: Role::CountyReviewer,
        scope: Scope::County("南湖区".into()),
        password_hash: hash_password("Nanhu-Review-2026").unwrap(),
        must_change: true,
        expires_at: None,
    })
    .unwrap();
}

fn actions(s: &SqliteStore) -> Vec<String> {
    s.audit(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {} {}", e.actor, e.action, e.object))
        .collect()
}

#[test]
fn an_account_is_added_once_and_read_back() {
    let mut s = store();
    reviewer(&mut s);
    let a = s.account("nanhu").unwrap().unwrap();
    assert_eq!(a.principal().scope, Scope::County("南湖区".into()));
    assert!(a.must_change && a.active(0) && a.created_by == "admin");
    assert!(verify_password("Nanhu-Review-2026", &a.password_hash));
    let again = s.add_account(&NewAccount {
        name: "nanhu".into(),
        role: Role::Finance,
        scope: Scope::City,
        password_hash: String::new(),
        must_change: false,
        expires_at: None,
    });
    assert!(again.unwrap_err().to_string().contains("already exists"));
    assert_eq!(actions(&s), ["admin account.add account:nanhu"]);
}

#[test]
fn disabling_ends_sessions_and_a_new_password_too() {
    let mut s = store();
    reviewer(&mut s);
    let session = |id: &str| Session {
        id_hash: secret_hash(id),
        account: Some("nanhu".into()),
        csrf: "c".into(),
        created: 100,
        seen: 100,
    };
    s.login_succeeded(None, &session("one")).unwrap();
    assert!(s.session(&secret_hash("one")).unwrap().is_some());
    let hash = hash_password("Another-Pass-2026").unwrap();
    s.change_account(
        "nanhu",
        &AccountChange::Password {
            hash,
            must_change: false,
        },
    )
    .unwrap();
    assert!(s.session(&secret_hash("one")).unwrap().is_none());
    s.login_succeeded(None, &session("two")).unwrap();
    let a = s.change_account("nanhu", &AccountChange::Disable).unwrap();
    assert!(!a.active(0));
    assert!(s.session(&secret_hash("two")).unwrap().is_none());
    assert!(
        s.change_account("nobody", &AccountChange::Enable)
            .unwrap_err()
            .to_string()
            .contains("no account")
    );
    assert_eq!(
        actions(&s)[1..],
        [
            "admin login.success account:nanhu",
            "admin account.passwd account:nanhu",
            "admin login.success account:nanhu",
            "admin account.disable account:nanhu",
        ]
    );
    assert!(s.verify_audit().unwrap().is_ok());
}

#[test]
fn login_rotates_the_session_and_failures_are_kept() {
    let mut s = store();
    reviewer(&mut s);
    let anon = Session {
        id_hash: secret_hash("before"),
        account: None,
        csrf: "c".into(),
        created: 100,
        seen: 100,
    };
    s.start_session(&anon).unwrap();
    let l = Logins::default().failed(100);
    s.login_failed("nanhu", Some(l)).unwrap();
    s.login_failed("ghost", None).unwrap();
    assert_eq!(s.account("nanhu").unwrap().unwrap().logins.failures, 1);
    let signed = Session {
        id_hash: secret_hash("after"),
        account: Some("nanhu".into()),
        ..anon.clone()
    };
    s.login_succeeded(Some(&anon.id_hash), &signed).unwrap();
    assert!(
        s.session(&anon.id_hash).unwrap().is_none(),
        "the old id is dead"
    );
    assert_eq!(s.session(&signed.id_hash).unwrap().unwrap(), signed);
    assert_eq!(s.account("nanhu").unwrap().unwrap().logins.failures, 0);
    s.end_session(&signed.id_hash).unwrap();
    assert!(s.session(&signed.id_hash).unwrap().is_none());
    assert_eq!(
        actions(&s)[1..],
        [
            "admin login.failure account:nanhu",
            "admin login.failure account:ghost",
            "admin login.success account:nanhu",
            "admin logout account:nanhu",
        ]
    );
}

#[test]
fn a_token_is_stored_hashed_and_revoked_once() {
    let mut s = store();
    reviewer(&mut s);
    let secret = new_secret().unwrap();
    let id = s
        .add_token("nanhu", &secret_hash(&secret), "报表系统", None)
        .unwrap();
    let t = s.token(&secret_hash(&secret)).unwrap().unwrap();
    assert!(t.usable(0) && t.account == "nanhu");
    assert!(
        s.token(&secret).unwrap().is_none(),
        "the secret itself is not stored"
    );
    s.revoke_token(id).unwrap();
    assert!(!s.token(&secret_hash(&secret)).unwrap().unwrap().usable(0));
    assert!(s.revoke_token(id).is_err());
    assert!(s.add_token("ghost", "h", "x", None).is_err());
    s.record("token.use", &format!("token:{id}"), b"GET /api/v1/runs")
        .unwrap();
    assert_eq!(
        actions(&s)[1..],
        [
            format!("admin token.add token:{id}"),
            format!("admin token.revoke token:{id}"),
            format!("admin token.use token:{id}"),
        ]
    );
}
