//! [`Accounts`] on SQLite: each change and its audit entry in one transaction.

use super::{SqliteStore, append_audit, db};
use crate::StoreError;
use crate::accounts::{Account, AccountChange, Accounts, ApiToken, NewAccount, Session};
use crate::audit::digest;
use jx555_workflow::access::{Role, Scope};
use jx555_workflow::accounts::Logins;
use rusqlite::{OptionalExtension, params};

const ACCOUNT: &str = "SELECT name, role, scope, password_hash, must_change, disabled, expires_at, \
                       failures, locked_until, created_at, created_by FROM accounts";
const TOKEN: &str = "SELECT id, account, label, created_at, expires_at, revoked_at FROM api_tokens";

fn account(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let bad = |i, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    let role = Role::parse(&r.get::<_, String>(1)?).map_err(|e| bad(1, e))?;
    let scope = Scope::of(role, &r.get::<_, String>(2)?).map_err(|e| bad(2, e))?;
    Ok(Account {
        name: r.get(0)?,
        role,
        scope,
        password_hash: r.get(3)?,
        must_change: r.get(4)?,
        disabled: r.get(5)?,
        expires_at: r.get(6)?,
        logins: Logins {
            failures: r.get(7)?,
            locked_until: r.get(8)?,
        },
        created_at: r.get(9)?,
        created_by: r.get(10)?,
    })
}

fn token(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        account: r.get(1)?,
        label: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        revoked_at: r.get(5)?,
    })
}

fn session(r: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id_hash: r.get(0)?,
        account: r.get(1)?,
        csrf: r.get(2)?,
        created: r.get(3)?,
        seen: r.get(4)?,
    })
}

fn object(name: &str) -> String {
    format!("account:{name}")
}

fn read_account(
    conn: &rusqlite::Connection,
    path: &str,
    name: &str,
) -> Result<Option<Account>, StoreError> {
    conn.query_row(&format!("{ACCOUNT} WHERE name = ?1"), [name], account)
        .optional()
        .map_err(|e| db(path, e))
}

impl Accounts for SqliteStore {
    fn add_account(&mut self, new: &NewAccount) -> Result<Account, StoreError> {
        self.write(|tx, path, actor| {
            if read_account(tx, path, &new.name)?.is_some() {
                return Err(StoreError::AccountExists(new.name.clone()));
            }
            tx.execute(
                "INSERT INTO accounts (name, role, scope, password_hash, must_change, expires_at, \
                 created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    new.name,
                    new.role.code(),
                    new.scope.value(),
                    new.password_hash,
                    new.must_change,
                    new.expires_at,
                    crate::now(),
                    actor.name
                ],
            )
            .map_err(|e| db(path, e))?;
            let what = format!(
                "{}|{}|{:?}",
                new.role.code(),
                new.scope.value(),
                new.expires_at
            );
            append_audit(
                tx,
                path,
                actor,
                "account.add",
                &object(&new.name),
                digest(what.as_bytes()),
            )?;
            read_account(tx, path, &new.name)?
                .ok_or_else(|| StoreError::NoAccount(new.name.clone()))
        })
    }

    fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        read_account(&self.conn, &self.path, name)
    }

    fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{ACCOUNT} ORDER BY name"))
            .map_err(&e)?;
        let rows = stmt.query_map([], account).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn change_account(
        &mut self,
        name: &str,
        change: &AccountChange,
    ) -> Result<Account, StoreError> {
        self.write(|tx, path, actor| {
            if read_account(tx, path, name)?.is_none() {
                return Err(StoreError::NoAccount(name.to_string()));
            }
            let e = |x| db(path, x);
            let detail = match change {
                AccountChange::Disable => {
                    tx.execute("UPDATE accounts SET disabled = 1 WHERE name = ?1", [name])
                        .map_err(e)?;
                    tx.execute("DELETE FROM sessions WHERE account = ?1", [name]).map_err(e)?;
                    "disabled".to_string()
                }
                AccountChange::Enable => {
                    tx.execute(
                        "UPDATE accounts SET disabled = 0, failures = 0, locked_until = NULL WHERE name = ?1",
                        [name],
                    )
                    .map_err(e)?;
                    "enabled".to_string()
                }
                AccountChange::Password { hash, must_change } => {
                    tx.execute(
                        "UPDATE accounts SET password_hash = ?2, must_change = ?3, failures = 0, \
                         locked_until = NULL WHERE name = ?1",
                        params![name, hash, must_change],
                    )
                    .map_err(e)?;
                    // A reset password ends every session signed in with the old one.
                    tx.execute("DELETE FROM sessions WHERE account = ?1", [name]).map_err(e)?;
                    // The digest pins the hash (salted), never the password.
                    format!("{hash}|{must_change}")
                }
                AccountChange::Expire(at) => {
                    tx.execute(
                        "UPDATE accounts SET expires_at = ?2 WHERE name = ?1",
                        params![name, at],
                    )
                    .map_err(e)?;
                    format!("{at:?}")
                }
            };
            append_audit(tx, path, actor, change.action(), &object(name), digest(detail.as_bytes()))?;
            read_account(tx, path, name)?.ok_or_else(|| StoreError::NoAccount(name.to_string()))
        })
    }

    fn login_failed(&mut self, name: &str, logins: Option<Logins>) -> Result<(), StoreError> {
        self.write(|tx, path, actor| {
            if let Some(l) = logins {
                tx.execute(
                    "UPDATE accounts SET failures = ?2, locked_until = ?3 WHERE name = ?1",
                    params![name, l.failures, l.locked_until],
                )
                .map_err(|e| db(path, e))?;
            }
            let detail = format!("{:?}", logins.map(|l| (l.failures, l.locked_until)));
            append_audit(
                tx,
                path,
                actor,
                "login.failure",
                &object(name),
                digest(detail.as_bytes()),
            )
        })
    }

    fn login_succeeded(&mut self, old: Option<&str>, s: &Session) -> Result<(), StoreError> {
        let name = s.account.clone().unwrap_or_default();
        self.write(|tx, path, actor| {
            let e = |x| db(path, x);
            tx.execute(
                "UPDATE accounts SET failures = 0, locked_until = NULL WHERE name = ?1",
                [&name],
            )
            .map_err(e)?;
            if let Some(old) = old {
                tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [old])
                    .map_err(e)?;
            }
            insert_session(tx, path, s)?;
            append_audit(
                tx,
                path,
                actor,
                "login.success",
                &object(&name),
                digest(s.id_hash.as_bytes()),
            )
        })
    }

    fn start_session(&mut self, s: &Session) -> Result<(), StoreError> {
        self.write(|tx, path, _| {
            use jx555_workflow::accounts::{ABSOLUTE_SECS, IDLE_SECS};
            tx.execute(
                "DELETE FROM sessions WHERE seen <= ?1 OR created <= ?2",
                params![s.created - IDLE_SECS, s.created - ABSOLUTE_SECS],
            )
            .map_err(|e| db(path, e))?;
            insert_session(tx, path, s)
        })
    }

    fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        self.conn
            .query_row(
                "SELECT id_hash, account, csrf, created, seen FROM sessions WHERE id_hash = ?1",
                [id_hash],
                session,
            )
            .optional()
            .map_err(self.err())
    }

    fn touch_session(&mut self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET seen = ?2 WHERE id_hash = ?1",
                params![id_hash, now],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn end_session(&mut self, id_hash: &str) -> Result<(), StoreError> {
        self.write(|tx, path, actor| {
            let account: Option<Option<String>> = tx
                .query_row(
                    "SELECT account FROM sessions WHERE id_hash = ?1",
                    [id_hash],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| db(path, e))?;
            tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])
                .map_err(|e| db(path, e))?;
            match account.flatten() {
                Some(name) => append_audit(
                    tx,
                    path,
                    actor,
                    "logout",
                    &object(&name),
                    digest(id_hash.as_bytes()),
                ),
                None => Ok(()),
            }
        })
    }

    fn add_token(
        &mut self,
        account: &str,
        hash: &str,
        label: &str,
        expires_at: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.write(|tx, path, actor| {
            if read_account(tx, path, account)?.is_none() {
                return Err(StoreError::NoAccount(account.to_string()));
            }
            tx.execute(
                "INSERT INTO api_tokens (account, hash, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![account, hash, label, crate::now(), expires_at],
            )
            .map_err(|e| db(path, e))?;
            let id = tx.last_insert_rowid();
            append_audit(tx, path, actor, "token.add", &format!("token:{id}"), digest(format!("{account}|{label}|{expires_at:?}").as_bytes()))?;
            Ok(id)
        })
    }

    fn revoke_token(&mut self, id: i64) -> Result<(), StoreError> {
        self.write(|tx, path, actor| {
            let n = tx
                .execute(
                    "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                    params![id, crate::now()],
                )
                .map_err(|e| db(path, e))?;
            if n == 0 {
                return Err(StoreError::NoToken(id));
            }
            append_audit(
                tx,
                path,
                actor,
                "token.revoke",
                &format!("token:{id}"),
                digest(id.to_string().as_bytes()),
            )
        })
    }

    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{TOKEN} ORDER BY id DESC"))
            .map_err(&e)?;
        let rows = stmt.query_map([], token).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn token(&self, hash: &str) -> Result<Option<ApiToken>, StoreError> {
        self.conn
            .query_row(&format!("{TOKEN} WHERE hash = ?1"), [hash], token)
            .optional()
            .map_err(self.err())
    }

    fn record(&mut self, action: &str, object: &str, detail: &[u8]) -> Result<(), StoreError> {
        self.write(|tx, path, actor| append_audit(tx, path, actor, action, object, digest(detail)))
    }
}

fn insert_session(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    s: &Session,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions (id_hash, account, csrf, created, seen) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![s.id_hash, s.account, s.csrf, s.created, s.seen],
    )
    .map_err(|e| db(path, e))?;
    Ok(())
}
