//! The audit log: who changed what, when, with a digest of the change, hash-chained.
//!
//! ```text
//! entry n: hash = SHA-256(prev hash, seq, at, actor, role, action, object, digest)
//! checkpoint = (entry count, head hash)  — printed on every 公示 and payment batch (later)
//! ```
//!
//! Entries are appended by the store inside the transaction of the change they record, so a change
//! and its entry are kept or lost together. Verifying recomputes every hash from the first entry and
//! names the first that does not match.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Who acts on the store. Before accounts exist, a command run on the machine acts as its OS user
/// with the role `local`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The account or user name.
    pub name: String,
    /// The role acted in.
    pub role: String,
}

impl Actor {
    /// The user running a command on this machine (`$USER`, else `unknown`), role `local`.
    pub fn local() -> Actor {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        Actor {
            name,
            role: "local".into(),
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its place in the log, from 1.
    pub seq: i64,
    /// When (UTC, ISO 8601).
    pub at: String,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// What was done (`facts.import`, `run.save`, `run.approve` …).
    pub action: String,
    /// What it was done to (`facts`, `run:12` …).
    pub object: String,
    /// SHA-256 of the change's content, so the entry pins exactly what changed.
    pub digest: String,
    /// The hash of the entry before (empty for the first).
    pub prev: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditEntry {
    /// The hash an entry must have, from its fields and the hash before it.
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        for f in [
            self.prev.as_str(),
            &self.seq.to_string(),
            &self.at,
            &self.actor,
            &self.role,
            &self.action,
            &self.object,
            &self.digest,
        ] {
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// The state of the log at one moment: what a later reader can check a copy against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// How many entries.
    pub count: i64,
    /// The last entry's hash (empty for an empty log).
    pub head: String,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    /// The first entry that does not match.
    pub seq: i64,
    /// Why.
    pub reason: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// At or after this time (a prefix of ISO 8601 will do: `2026-12-01`).
    pub since: Option<String>,
    /// By this actor.
    pub actor: Option<String>,
    /// On this object.
    pub object: Option<String>,
}

/// Whether an entry is the `n`th of a log whose previous entry's hash is `head`: its `seq` follows,
/// its `prev` is that hash, and its own hash is what its fields give. The reason when not.
pub fn follows(e: &AuditEntry, n: i64, head: &str) -> Result<(), String> {
    if e.seq != n {
        Err(format!(
            "its number is {}, but {n} was expected (an entry is missing)",
            e.seq
        ))
    } else if e.prev != head {
        Err("it does not follow the entry before it".to_string())
    } else if e.hash != e.expected_hash() {
        Err("its content does not match its hash (it was edited)".to_string())
    } else {
        Ok(())
    }
}

/// Checks a log in order ([`follows`] for each entry), as it is read (a million entries are never
/// held at once): the checkpoint, or the first break; a read error stops it.
pub fn verify<E>(
    entries: impl IntoIterator<Item = Result<AuditEntry, E>>,
) -> Result<Result<Checkpoint, Break>, E> {
    let mut head = String::new();
    let mut count = 0i64;
    for e in entries {
        let e = e?;
        count += 1;
        if let Err(reason) = follows(&e, count, &head) {
            return Ok(Err(Break { seq: count, reason }));
        }
        head = e.hash;
    }
    Ok(Ok(Checkpoint { count, head }))
}

/// SHA-256 of bytes, as hex: the digest of a change.
pub fn digest(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let mut e = AuditEntry {
                seq,
                at: format!("2026-12-02T00:00:{seq:02}Z"),
                actor: "a".into(),
                role: "local".into(),
                action: "run.save".into(),
                object: format!("run:{seq}"),
                digest: digest(&seq.to_le_bytes()),
                prev: out.last().map(|p| p.hash.clone()).unwrap_or_default(),
                hash: String::new(),
            };
            e.hash = e.expected_hash();
            out.push(e);
        }
        out
    }

    #[test]
    fn an_edit_or_a_gap_breaks_the_chain_where_it_is() {
        let verify = |c: Vec<AuditEntry>| super::verify(c.into_iter().map(Ok::<_, ()>)).unwrap();
        let good = chain(5);
        let cp = verify(good.clone()).unwrap();
        assert_eq!((cp.count, cp.head.as_str()), (5, good[4].hash.as_str()));
        let mut edited = good.clone();
        edited[2].actor = "someone else".into();
        assert_eq!(verify(edited).unwrap_err().seq, 3);
        let mut gap = good.clone();
        gap.remove(1);
        assert_eq!(verify(gap).unwrap_err().seq, 2);
        let mut rehashed = good;
        rehashed[2].actor = "x".into();
        rehashed[2].hash = rehashed[2].expected_hash();
        assert_eq!(
            verify(rehashed).unwrap_err().seq,
            4,
            "the next entry no longer follows"
        );
    }
}
