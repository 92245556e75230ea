//! Accounts, sessions and API tokens as the store keeps them, and the secrets they are checked with.
//!
//! ```text
//! password ─ Argon2id ─> accounts.password_hash        (login: verify, then a new session)
//! session id (random) ─ SHA-256 ─> sessions.id_hash    (cookie: look up, check expiry and account)
//! API token (random) ─ SHA-256 ─> api_tokens.hash      (Authorization: Bearer …)
//! ```
//!
//! Every change of an account or token, and every login, appends an audit entry in the change's own
//! transaction; the rules (password policy, lockout, expiry) are `jx555_workflow::accounts`.

use crate::StoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jx555_workflow::access::{Principal, Role, Scope};
use jx555_workflow::accounts::Logins;
use serde::Serialize;

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The login name (unique, never renamed).
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its scope.
    pub scope: Scope,
    /// The password's Argon2id hash (PHC string).
    #[serde(skip)]
    pub password_hash: String,
    /// The password was set by someone else (a one-time password) and must be changed.
    pub must_change: bool,
    /// Disabled: no login, and its live sessions end at their next request.
    pub disabled: bool,
    /// After this time (Unix seconds) the account no longer logs in (an 经办人's term).
    pub expires_at: Option<i64>,
    /// Failed logins in a row and the lock.
    #[serde(skip)]
    pub logins: Logins,
    /// When it was created (UTC, ISO 8601).
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
}

impl Account {
    /// Who the account acts as.
    pub fn principal(&self) -> Principal {
        Principal {
            name: self.name.clone(),
            role: self.role,
            scope: self.scope.clone(),
        }
    }

    /// Whether it may be used at `now`: not disabled, not expired.
    pub fn active(&self, now: i64) -> bool {
        !self.disabled && self.expires_at.is_none_or(|t| now < t)
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The login name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// Its scope (checked against the role by `Scope::of`).
    pub scope: Scope,
    /// The password's hash ([`hash_password`]).
    pub password_hash: String,
    /// Whether the password must be changed at first login.
    pub must_change: bool,
    /// When the account expires (Unix seconds), if it does.
    pub expires_at: Option<i64>,
}

/// A change to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    /// No more logins; its sessions end.
    Disable,
    /// Logins again.
    Enable,
    /// A new password (hash); `must_change` when someone else set it.
    Password {
        /// The new hash.
        hash: String,
        /// Whether it must be changed at next login.
        must_change: bool,
    },
    /// A new end of term (Unix seconds), or none.
    Expire(Option<i64>),
}

impl AccountChange {
    /// The audit action naming the change.
    pub fn action(&self) -> &'static str {
        match self {
            AccountChange::Disable => "account.disable",
            AccountChange::Enable => "account.enable",
            AccountChange::Password { .. } => "account.passwd",
            AccountChange::Expire(_) => "account.expire",
        }
    }
}

/// A browser session (signed in, or not yet: a login form's CSRF token lives in one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie's value.
    pub id_hash: String,
    /// The account signed in, if any.
    pub account: Option<String>,
    /// The token every state-changing form of the session must carry.
    pub csrf: String,
    /// When it began (Unix seconds).
    pub created: i64,
    /// When it was last used (Unix seconds).
    pub seen: i64,
}

/// An API token: scoped to one account, stored as its hash, revocable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Its number.
    pub id: i64,
    /// The account it acts as.
    pub account: String,
    /// What it is for.
    pub label: String,
    /// When it was made (UTC, ISO 8601).
    pub created_at: String,
    /// When it stops working (Unix seconds), if it does.
    pub expires_at: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl ApiToken {
    /// Whether it may be used at `now`.
    pub fn usable(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|t| now < t)
    }
}

/// The store's accounts, sessions and tokens. Part of every [`crate::Store`].
pub trait Accounts {
    /// Creates an account (audited `account.add`).
    fn add_account(&mut self, new: &NewAccount) -> Result<Account, StoreError>;
    /// An account by name.
    fn account(&self, name: &str) -> Result<Option<Account>, StoreError>;
    /// Every account, by name.
    fn accounts(&self) -> Result<Vec<Account>, StoreError>;
    /// Changes an account (audited); disabling it ends its sessions and revokes nothing else.
    fn change_account(&mut self, name: &str, change: &AccountChange)
    -> Result<Account, StoreError>;
    /// A failed login for `name` (which may name no account): the account's new login state, if
    /// there is one, and the audit entry `login.failure`.
    fn login_failed(&mut self, name: &str, logins: Option<Logins>) -> Result<(), StoreError>;
    /// A successful login: failures reset, the old session (if any) replaced by `session` (the id is
    /// rotated), audited `login.success`.
    fn login_succeeded(&mut self, old: Option<&str>, session: &Session) -> Result<(), StoreError>;
    /// Starts a session before login (it holds the login form's CSRF token); expired sessions are
    /// removed on the way.
    fn start_session(&mut self, session: &Session) -> Result<(), StoreError>;
    /// A session by the hash of its id.
    fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError>;
    /// Marks a session used at `now`.
    fn touch_session(&mut self, id_hash: &str, now: i64) -> Result<(), StoreError>;
    /// Ends a session (logout, expiry, a disabled account); audited `logout` when signed in.
    fn end_session(&mut self, id_hash: &str) -> Result<(), StoreError>;
    /// Adds an API token for `account` (audited `token.add`); returns its number.
    fn add_token(
        &mut self,
        account: &str,
        hash: &str,
        label: &str,
        expires_at: Option<i64>,
    ) -> Result<i64, StoreError>;
    /// Revokes a token (audited `token.revoke`).
    fn revoke_token(&mut self, id: i64) -> Result<(), StoreError>;
    /// Every token, newest first.
    fn tokens(&self) -> Result<Vec<ApiToken>, StoreError>;
    /// The token with this hash.
    fn token(&self, hash: &str) -> Result<Option<ApiToken>, StoreError>;
    /// Appends an audit entry for an event that changes nothing else (an API token's use): the
    /// action, the object and a digest of `detail`.
    fn record(&mut self, action: &str, object: &str, detail: &[u8]) -> Result<(), StoreError>;
}

/// The Argon2id parameters: 19 MiB of memory, 2 passes, 1 lane (OWASP's recommended minimum). Each
/// hash takes tens of milliseconds on one core: slow for a guesser, fast enough that two cores sign
/// in dozens of officials a second.
fn argon2() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// A password's Argon2id hash, with a fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(crypto)?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(crypto)?
        .to_string())
}

/// Whether `password` matches `hash`. A hash that cannot be read matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of no password, verified against when a login names no account, so that the answer
/// takes as long as for an account that exists.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("jx555 decoy").unwrap_or_default())
}

/// A new secret (a session id, an API token, a one-time password): 32 random bytes as hex.
pub fn new_secret() -> Result<String, StoreError> {
    Ok(crate::audit::hex(&random_bytes::<32>()?))
}

/// How a secret is stored and looked up: its SHA-256.
pub fn secret_hash(secret: &str) -> String {
    crate::audit::digest(secret.as_bytes())
}

fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(crypto)?;
    Ok(b)
}

fn crypto(e: impl std::fmt::Display) -> StoreError {
    StoreError::Database {
        path: "(credentials)".into(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let h = hash_password("Jiaxing-2026!").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("Jiaxing-2026!", &h));
        assert!(!verify_password("Jiaxing-2026?", &h));
        assert!(!verify_password("Jiaxing-2026!", "not a hash"));
        assert_ne!(h, hash_password("Jiaxing-2026!").unwrap(), "salted");
        assert_ne!(new_secret().unwrap(), new_secret().unwrap());
        assert_eq!(new_secret().unwrap().len(), 64);
    }
}
