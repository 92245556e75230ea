//! `audit`: the store's audit log — verify its hash chain, or list its entries.

use crate::Outcome;
use crate::cmd::open_existing;
use anyhow::Result;
use jx555_store::audit::AuditFilter;
use jx555_store::sqlite::DEFAULT_PATH;
use std::path::PathBuf;

/// Arguments of `audit`.
#[derive(clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    what: AuditCommand,
    /// SQLite file holding the facts, runs, the ledger and the audit log.
    #[arg(long, default_value = DEFAULT_PATH, global = true)]
    db: PathBuf,
}

#[derive(clap::Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain from the first entry: print the checkpoint (entry count and head
    /// hash), or name the first entry that does not match (exit 1).
    Verify,
    /// List entries: time, actor, role, action, object, digest.
    Show {
        /// Entries at or after this time (a prefix of ISO 8601 will do: 2026-12-01).
        #[arg(long)]
        since: Option<String>,
        /// Entries by this actor.
        #[arg(long)]
        actor: Option<String>,
        /// Entries on this object (facts, run:12 …).
        #[arg(long)]
        object: Option<String>,
    },
}

/// Verifies or lists the audit log.
pub fn audit(args: &AuditArgs) -> Result<Outcome> {
    let store = open_existing(&args.db)?;
    match &args.what {
        AuditCommand::Verify => match store.verify_audit()? {
            Ok(cp) => {
                println!("审计日志完整：{} 条，校验点 {}", cp.count, cp.head);
                Ok(Outcome::Ok)
            }
            Err(b) => {
                println!("审计日志第 {} 条不符：{}", b.seq, b.reason);
                Ok(Outcome::Findings)
            }
        },
        AuditCommand::Show {
            since,
            actor,
            object,
        } => {
            let filter = AuditFilter {
                since: since.clone(),
                actor: actor.clone(),
                object: object.clone(),
            };
            for e in store.audit(&filter)? {
                println!(
                    "{:>6}  {}  {}（{}）  {}  {}  {}",
                    e.seq,
                    e.at,
                    e.actor,
                    e.role,
                    e.action,
                    e.object,
                    &e.digest[..12.min(e.digest.len())]
                );
            }
            Ok(Outcome::Ok)
        }
    }
}
