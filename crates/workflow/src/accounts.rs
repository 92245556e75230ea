//! The rules of accounts and sessions: names, the password policy, lockout after failures, how long
//! a session lives. Numbers here are the policy; the store keeps the state and the server applies it.

/// Failed logins in a row that lock an account.
pub const MAX_FAILURES: u32 = 10;
/// How long a locked account stays locked, in seconds (15 minutes).
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// A session ends after this long without a request, in seconds (30 minutes).
pub const IDLE_SECS: i64 = 30 * 60;
/// A session ends this long after login whatever happens, in seconds (12 hours).
pub const ABSOLUTE_SECS: i64 = 12 * 3600;
/// The longest password accepted, in bytes: a longer one is refused before any hashing, so a
/// megabyte "password" costs nothing.
pub const MAX_PASSWORD_BYTES: usize = 128;
/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Whether `name` may name an account: 2–64 characters, letters (Chinese included), digits and
/// `. _ -`, so it prints safely in lists and the audit log.
pub fn check_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if !(2..=64).contains(&n) {
        return Err(format!("账号名须为 2–64 个字符（现为 {n} 个）"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "账号名只能含字母、汉字、数字和 . _ -（不能含 {c:?}）"
        ));
    }
    Ok(())
}

/// The password policy: 12 to 128 bytes' worth of characters, at least three of lower case, upper
/// case, digits and other characters, and not the account name.
pub fn check_password(name: &str, password: &str) -> Result<(), String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("密码过长（最多 {MAX_PASSWORD_BYTES} 字节）"));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 3 {
        return Err("密码须含小写字母、大写字母、数字、符号中的至少三类".into());
    }
    if password.to_lowercase().contains(&name.to_lowercase()) {
        return Err("密码不能包含账号名".into());
    }
    Ok(())
}

/// The state of an account's logins: failures in a row and, when locked, until when (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Logins {
    /// Failed logins since the last success.
    pub failures: u32,
    /// Locked until this time, when locked.
    pub locked_until: Option<i64>,
}

impl Logins {
    /// Whether a login may be tried at `now` (an expired lock no longer counts).
    pub fn locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// The state after a failed login at `now`: the tenth failure in a row locks the account for
    /// [`LOCKOUT_SECS`]; a failure after a lock expired starts counting again.
    pub fn failed(self, now: i64) -> Logins {
        let failures = if self.locked_until.is_some_and(|t| now >= t) {
            1
        } else {
            self.failures + 1
        };
        Logins {
            failures,
            locked_until: if failures >= MAX_FAILURES {
                Some(now + LOCKOUT_SECS)
            } else {
                self.locked_until.filter(|t| now < *t)
            },
        }
    }
}

/// Whether a session begun at `created` and last used at `seen` is still alive at `now`.
pub fn session_alive(created: i64, seen: i64, now: i64) -> bool {
    now - seen < IDLE_SECS && now - created < ABSOLUTE_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        assert!(check_password("wang", "Jiaxing-2026!").is_ok());
        assert!(check_password("wang", "short1A!").is_err());
        assert!(check_password("wang", "alllowercaseletters").is_err());
        assert!(check_password("wang", "Wang-Is-Me-2026").is_err());
        let huge = "A1a!".repeat(250_000);
        assert!(check_password("wang", &huge).unwrap_err().contains("过长"));
    }

    #[test]
    fn names() {
        assert!(check_name("南湖区审核员").is_ok());
        assert!(check_name("a").is_err());
        assert!(check_name("x' OR 1=1 --").is_err());
        assert!(check_name("<script>").is_err());
    }

    #[test]
    fn ten_failures_lock_for_a_while() {
        let mut l = Logins::default();
        for i in 0..9 {
            l = l.failed(1000 + i);
            assert!(!l.locked(1000 + i), "failure {}", i + 1);
        }
        l = l.failed(1010);
        assert!(l.locked(1010) && l.locked(1010 + LOCKOUT_SECS - 1));
        assert!(!l.locked(1010 + LOCKOUT_SECS));
        let after = l.failed(1010 + LOCKOUT_SECS);
        assert_eq!(after.failures, 1);
        assert!(!after.locked(1010 + LOCKOUT_SECS));
    }

    #[test]
    fn sessions_expire_idle_and_absolute() {
        assert!(session_alive(0, 0, IDLE_SECS - 1));
        assert!(!session_alive(0, 0, IDLE_SECS));
        assert!(session_alive(0, ABSOLUTE_SECS - 10, ABSOLUTE_SECS - 1));
        assert!(!session_alive(0, ABSOLUTE_SECS - 10, ABSOLUTE_SECS));
    }
}
