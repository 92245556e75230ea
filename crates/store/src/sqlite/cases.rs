//! [`Cases`] on SQLite: a release and each transition with its audit entry in one transaction.

use super::{SqliteStore, append_audit, db, json};
use crate::StoreError;
use crate::audit::digest;
use crate::cases::{
    Attachment, Batch, CaseEvent, CaseFilter, Cases, NewAttachment, NewCase, NewPart,
    NewPublication, Part, PartOutcome, Publication, Step, StoredCase,
};
use jx555_workflow::case::{Action, Case, State};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

fn state_code(s: State) -> String {
    // The variant's name, as serde writes it: stable, and readable in the database.
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn decode<T: serde::de::DeserializeOwned>(path: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Database {
        path: path.to_string(),
        message: format!("a stored case cannot be read: {e}"),
    })
}

const CASE: &str = "SELECT id, run_id, idx, pack, rule, subject, body, updated_at FROM cases";

/// An event as stored, read back.
fn event(
    path: &str,
    at: String,
    actor: String,
    role: String,
    action: &str,
    from: &str,
    to: &str,
) -> Result<CaseEvent, StoreError> {
    Ok(CaseEvent {
        at,
        actor,
        role,
        action: decode(path, action)?,
        from: decode(path, &format!("\"{from}\""))?,
        to: decode(path, &format!("\"{to}\""))?,
    })
}

impl SqliteStore {
    /// The cases meeting `condition` on `?1 = id` (in a 公示, in a payment batch), by number.
    fn cases_where(&self, condition: &str, id: i64) -> Result<Vec<StoredCase>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{CASE} WHERE {condition} ORDER BY id"))
            .map_err(&e)?;
        let rows = stmt.query_map([id], case_row).map_err(&e)?;
        let mut cases = Vec::new();
        for r in rows {
            cases.push(stored(&self.path, r.map_err(&e)?)?);
        }
        Ok(cases)
    }
}

/// A case's columns as read, its body still JSON.
type CaseRow = (i64, i64, i64, String, String, String, String, String);

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn stored(
    path: &str,
    (id, run, idx, pack, rule, subject, body, updated_at): CaseRow,
) -> Result<StoredCase, StoreError> {
    Ok(StoredCase {
        id,
        run,
        line: usize::try_from(idx).unwrap_or(0),
        pack,
        rule,
        subject,
        case: decode(path, &body)?,
        updated_at,
    })
}

impl Cases for SqliteStore {
    fn release(&mut self, run: i64, cases: &[NewCase]) -> Result<usize, StoreError> {
        self.write(|tx, path, actor| {
            let e = |x| db(path, x);
            let found: Option<(i32, String, Option<String>)> = tx
                .query_row(
                    "SELECT year, overrides, released_at FROM runs WHERE id = ?1",
                    [run],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(e)?;
            let Some((year, overrides, released)) = found else {
                return Err(StoreError::NoRun(run));
            };
            if let Some(at) = released {
                return Err(StoreError::Release(format!("run #{run} was released on {at}; a run is released once")));
            }
            if overrides != "[]" {
                return Err(StoreError::WhatIf(run));
            }
            let approved: Option<i64> = tx
                .query_row(
                    "SELECT id FROM runs WHERE year = ?1 AND approved_at IS NOT NULL",
                    [year],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if let Some(a) = approved {
                return Err(StoreError::Release(format!(
                    "{year} was approved into the ledger with run #{a} (jx555 approve); releasing run #{run} would pay the year again"
                )));
            }
            let other: Option<i64> = tx
                .query_row(
                    "SELECT id FROM runs WHERE year = ?1 AND released_at IS NOT NULL",
                    [year],
                    |r| r.get(0),
                )
                .optional()
                .map_err(e)?;
            if let Some(other) = other {
                return Err(StoreError::Release(format!(
                    "run #{other} of {year} is released already; releasing run #{run} too would pay the year twice"
                )));
            }
            let now = crate::now();
            tx.execute("UPDATE runs SET released_at = ?2 WHERE id = ?1", params![run, now])
                .map_err(e)?;
            let mut stmt = tx
                .prepare(
                    "INSERT INTO cases (run_id, idx, pack, rule, subject, enterprise, county, department, state, body, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(e)?;
            let mut content = Vec::new();
            for c in cases {
                let body = json(&c.case)?;
                content.extend_from_slice(body.as_bytes());
                stmt.execute(params![
                    run,
                    c.line as i64,
                    c.pack,
                    c.rule,
                    c.subject,
                    c.case.enterprise,
                    c.case.county,
                    c.case.department,
                    state_code(c.case.state),
                    body,
                    now
                ])
                .map_err(e)?;
            }
            append_audit(tx, path, actor, "run.release", &format!("run:{run}"), digest(&content))?;
            Ok(cases.len())
        })
    }

    fn cases(&self, f: &CaseFilter) -> Result<Vec<StoredCase>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{CASE} WHERE (?1 IS NULL OR run_id = ?1) AND (?2 IS NULL OR state = ?2) \
                 AND (?3 IS NULL OR enterprise = ?3) AND (?4 IS NULL OR county = ?4) \
                 AND (?5 IS NULL OR department = ?5) ORDER BY id"
            ))
            .map_err(&e)?;
        let rows = stmt
            .query_map(
                params![
                    f.run,
                    f.state.map(state_code),
                    f.enterprise,
                    f.county,
                    f.department
                ],
                case_row,
            )
            .map_err(&e)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(stored(&self.path, r.map_err(&e)?)?);
        }
        Ok(out)
    }

    fn case(&self, id: i64) -> Result<Option<(StoredCase, Vec<CaseEvent>)>, StoreError> {
        let e = self.err();
        let Some(found) = self
            .conn
            .query_row(&format!("{CASE} WHERE id = ?1"), [id], case_row)
            .optional()
            .map_err(&e)?
        else {
            return Ok(None);
        };
        let case = stored(&self.path, found)?;
        let mut stmt = self
            .conn
            .prepare("SELECT at, actor, role, action, from_state, to_state FROM case_events WHERE case_id = ?1 ORDER BY id")
            .map_err(&e)?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(&e)?;
        let mut events = Vec::new();
        for r in rows {
            let (at, actor, role, action, from, to) = r.map_err(&e)?;
            events.push(event(&self.path, at, actor, role, &action, &from, &to)?);
        }
        Ok(Some((case, events)))
    }

    fn events(&self, f: &CaseFilter, limit: usize) -> Result<Vec<(i64, CaseEvent)>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.case_id, e.at, e.actor, e.role, e.action, e.from_state, e.to_state \
                 FROM case_events e JOIN cases c ON c.id = e.case_id \
                 WHERE (?1 IS NULL OR c.run_id = ?1) AND (?2 IS NULL OR c.state = ?2) \
                 AND (?3 IS NULL OR c.enterprise = ?3) AND (?4 IS NULL OR c.county = ?4) \
                 AND (?5 IS NULL OR c.department = ?5) ORDER BY e.id DESC LIMIT ?6",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map(
                params![
                    f.run,
                    f.state.map(state_code),
                    f.enterprise,
                    f.county,
                    f.department,
                    limit as i64
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .map_err(&e)?;
        let mut out = Vec::new();
        for r in rows {
            let (id, at, actor, role, action, from, to) = r.map_err(&e)?;
            out.push((id, event(&self.path, at, actor, role, &action, &from, &to)?));
        }
        Ok(out)
    }

    fn record_step(
        &mut self,
        id: i64,
        from: State,
        action: &Action,
        next: &Case,
    ) -> Result<(), StoreError> {
        self.write(|tx, path, actor| step_in(tx, path, actor, id, from, action, next))
    }

    fn publish(&mut self, new: &NewPublication, steps: &[Step]) -> Result<i64, StoreError> {
        self.write(|tx, path, actor| {
            let e = |x| db(path, x);
            // The log as it stands before this batch's own entries: what the notice prints.
            let (count, head) = checkpoint(tx, path)?;
            tx.execute(
                "INSERT INTO publications (department, created_at, ends, contact, checkpoint_count, checkpoint_head) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![new.department, crate::now(), new.ends.to_string(), new.contact, count, head],
            )
            .map_err(e)?;
            let id = tx.last_insert_rowid();
            for (case, from, action, next) in steps {
                step_in(tx, path, actor, *case, *from, action, next)?;
                tx.execute("UPDATE cases SET publication = ?2 WHERE id = ?1", params![case, id])
                    .map_err(e)?;
            }
            let listed: Vec<String> = steps.iter().map(|(c, ..)| c.to_string()).collect();
            append_audit(tx, path, actor, "publication.create", &format!("publication:{id}"), digest(listed.join(",").as_bytes()))?;
            Ok(id)
        })
    }

    fn make_batches(
        &mut self,
        fund: &str,
        parts: &[NewPart],
        steps: &[Step],
    ) -> Result<Vec<i64>, StoreError> {
        self.write(|tx, path, actor| {
            let e = |x| db(path, x);
            let (count, head) = checkpoint(tx, path)?;
            let mut by_payer: BTreeMap<&str, Vec<&NewPart>> = BTreeMap::new();
            for p in parts {
                by_payer.entry(p.payer.as_str()).or_default().push(p);
            }
            let mut ids = Vec::new();
            for (payer, parts) in by_payer {
                tx.execute(
                    "INSERT INTO payment_batches (fund, created_at, checkpoint_count, checkpoint_head) VALUES (?1, ?2, ?3, ?4)",
                    params![format!("{fund}（{payer}）"), crate::now(), count, head],
                )
                .map_err(e)?;
                let id = tx.last_insert_rowid();
                for p in &parts {
                    tx.execute(
                        "INSERT INTO case_parts (case_id, batch_id, payer, amount, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
                        params![p.case, id, p.payer, p.amount],
                    )
                    .map_err(e)?;
                    tx.execute("UPDATE cases SET batch = ?2 WHERE id = ?1", params![p.case, id])
                        .map_err(e)?;
                }
                let listed: Vec<String> = parts.iter().map(|p| format!("{}:{}", p.case, p.amount)).collect();
                append_audit(tx, path, actor, "batch.create", &format!("batch:{id}"), digest(listed.join(",").as_bytes()))?;
                ids.push(id);
            }
            for (case, from, action, next) in steps {
                step_in(tx, path, actor, *case, *from, action, next)?;
            }
            Ok(ids)
        })
    }

    fn settle_batch(
        &mut self,
        id: i64,
        voucher: &str,
        failed: &BTreeMap<i64, String>,
        steps: &[Step],
    ) -> Result<(), StoreError> {
        self.write(|tx, path, actor| {
            let e = |x| db(path, x);
            let n = tx
                .execute(
                    "UPDATE payment_batches SET paid_at = ?2, voucher = ?3 WHERE id = ?1 AND paid_at IS NULL",
                    params![id, crate::now(), voucher],
                )
                .map_err(e)?;
            if n == 0 {
                return Err(StoreError::Release(format!("payment batch #{id} does not exist or was recorded paid already")));
            }
            // The parts first: a case's payment into the ledger names the batches that paid it.
            tx.execute(
                "UPDATE case_parts SET state = 'paid' WHERE batch_id = ?1 AND state = 'pending'",
                [id],
            )
            .map_err(e)?;
            for (case, reason) in failed {
                tx.execute(
                    "UPDATE case_parts SET state = 'failed', reason = ?3 WHERE batch_id = ?1 AND case_id = ?2",
                    params![id, case, reason],
                )
                .map_err(e)?;
            }
            for (case, from, action, next) in steps {
                step_in(tx, path, actor, *case, *from, action, next)?;
            }
            append_audit(tx, path, actor, "batch.paid", &format!("batch:{id}"), digest(voucher.as_bytes()))
        })
    }

    fn parts(&self, case: i64) -> Result<Vec<Part>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{PART} WHERE case_id = ?1 ORDER BY batch_id"))
            .map_err(&e)?;
        let rows = stmt.query_map([case], part_row).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn batch_parts(&self, batch: i64) -> Result<BTreeMap<i64, Part>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{PART} WHERE batch_id = ?1"))
            .map_err(&e)?;
        let rows = stmt.query_map([batch], part_row).map_err(&e)?;
        rows.map(|r| r.map(|p| (p.case, p)))
            .collect::<Result<_, _>>()
            .map_err(&e)
    }

    fn attach(&mut self, case: i64, file: &NewAttachment) -> Result<i64, StoreError> {
        self.write(|tx, path, actor| attach_to(tx, path, actor, Owner::Case, case, file))
    }

    fn attachments(&self, case: i64) -> Result<Vec<Attachment>, StoreError> {
        self.attachments_of(Owner::Case, case)
    }

    fn attachment(&self, case: i64, id: i64) -> Result<Option<(Attachment, Vec<u8>)>, StoreError> {
        self.attachment_of(Owner::Case, case, id)
    }

    fn exclusive_keys(&self) -> Result<std::collections::BTreeMap<i64, String>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, json_extract(l.line, '$.exclusive') FROM cases c \
                 JOIN award_lines l ON l.run_id = c.run_id AND l.idx = c.idx \
                 WHERE json_extract(l.line, '$.exclusive') IS NOT NULL",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn batches(&self) -> Result<Vec<Batch>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{BATCH} ORDER BY id DESC"))
            .map_err(&e)?;
        let rows = stmt.query_map([], batch_row).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn batch(&self, id: i64) -> Result<Option<(Batch, Vec<StoredCase>)>, StoreError> {
        let e = self.err();
        let Some(b) = self
            .conn
            .query_row(&format!("{BATCH} WHERE id = ?1"), [id], batch_row)
            .optional()
            .map_err(&e)?
        else {
            return Ok(None);
        };
        let cases = self.cases_where(
            "id IN (SELECT case_id FROM case_parts WHERE batch_id = ?1)",
            id,
        )?;
        Ok(Some((b, cases)))
    }

    fn publications(&self) -> Result<Vec<Publication>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(&format!("{PUBLICATION} ORDER BY id DESC"))
            .map_err(&e)?;
        let rows = stmt.query_map([], publication).map_err(&e)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(&e)?.map_err(|m| StoreError::Database {
                path: self.path.clone(),
                message: m,
            })?);
        }
        Ok(out)
    }

    fn publication(&self, id: i64) -> Result<Option<(Publication, Vec<StoredCase>)>, StoreError> {
        let e = self.err();
        let Some(p) = self
            .conn
            .query_row(&format!("{PUBLICATION} WHERE id = ?1"), [id], publication)
            .optional()
            .map_err(&e)?
        else {
            return Ok(None);
        };
        let p = p.map_err(|m| StoreError::Database {
            path: self.path.clone(),
            message: m,
        })?;
        Ok(Some((p, self.cases_where("publication = ?1", id)?)))
    }
}

/// The audit log's checkpoint inside a transaction: entries and head hash.
fn checkpoint(tx: &rusqlite::Transaction<'_>, path: &str) -> Result<(i64, String), StoreError> {
    tx.query_row(
        "SELECT count(*), coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '') FROM audit",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|x| db(path, x))
}

const ATTACHMENT: &str =
    "SELECT id, name, mime, size, sha256, uploaded_at, uploaded_by FROM attachments";

/// What an attachment belongs to: an award case or a service request.
#[derive(Debug, Clone, Copy)]
pub(super) enum Owner {
    Case,
    Request,
}

impl Owner {
    /// Its table, the attachment's column naming it, and its word in audit entries.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Owner::Case => ("cases", "case_id", "case"),
            Owner::Request => ("requests", "request_id", "request"),
        }
    }
}

/// Keeps a file with its owner, audited `<owner>.attach` with the file's SHA-256. Its number.
pub(super) fn attach_to(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    actor: &crate::audit::Actor,
    owner: Owner,
    id: i64,
    file: &NewAttachment,
) -> Result<i64, StoreError> {
    let e = |x| db(path, x);
    let (table, column, word) = owner.names();
    let hash = digest(&file.bytes);
    let exists: Option<i64> = tx
        .query_row(
            &format!("SELECT id FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()
        .map_err(e)?;
    if exists.is_none() {
        return Err(match owner {
            Owner::Case => StoreError::NoCase(id),
            Owner::Request => StoreError::Refused(format!("没有第 {id} 号诉求")),
        });
    }
    tx.execute(
        &format!("INSERT INTO attachments ({column}, name, mime, size, sha256, bytes, uploaded_at, uploaded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![id, file.name, file.mime, file.bytes.len() as i64, hash, file.bytes, crate::now(), actor.name],
    )
    .map_err(e)?;
    let file_id = tx.last_insert_rowid();
    append_audit(
        tx,
        path,
        actor,
        &format!("{word}.attach"),
        &format!("{word}:{id}"),
        hash,
    )?;
    Ok(file_id)
}

impl SqliteStore {
    /// The files of an owner, without their bytes.
    pub(super) fn attachments_of(
        &self,
        owner: Owner,
        id: i64,
    ) -> Result<Vec<Attachment>, StoreError> {
        let e = self.err();
        let (_, column, _) = owner.names();
        let mut stmt = self
            .conn
            .prepare(&format!("{ATTACHMENT} WHERE {column} = ?1 ORDER BY id"))
            .map_err(&e)?;
        let rows = stmt.query_map([id], attachment_row).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// One file of an owner, with its bytes.
    pub(super) fn attachment_of(
        &self,
        owner: Owner,
        id: i64,
        file: i64,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StoreError> {
        let e = self.err();
        let (_, column, _) = owner.names();
        let found = self
            .conn
            .query_row(
                &format!("{ATTACHMENT} WHERE {column} = ?1 AND id = ?2"),
                params![id, file],
                attachment_row,
            )
            .optional()
            .map_err(&e)?;
        let Some(a) = found else { return Ok(None) };
        let bytes: Vec<u8> = self
            .conn
            .query_row("SELECT bytes FROM attachments WHERE id = ?1", [file], |r| {
                r.get(0)
            })
            .map_err(&e)?;
        Ok(Some((a, bytes)))
    }
}

fn attachment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        name: r.get(1)?,
        mime: r.get(2)?,
        size: r.get(3)?,
        sha256: r.get(4)?,
        uploaded: (r.get(5)?, r.get(6)?),
    })
}

const BATCH: &str = "SELECT id, fund, created_at, paid_at, voucher, checkpoint_count, checkpoint_head FROM payment_batches";

const PART: &str = "SELECT case_id, batch_id, payer, amount, state, reason FROM case_parts";

fn part_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Part> {
    let state: String = r.get(4)?;
    Ok(Part {
        case: r.get(0)?,
        batch: r.get(1)?,
        payer: r.get(2)?,
        amount: r.get(3)?,
        outcome: match state.as_str() {
            "paid" => PartOutcome::Paid,
            "failed" => PartOutcome::Failed(r.get::<_, Option<String>>(5)?.unwrap_or_default()),
            _ => PartOutcome::Pending,
        },
    })
}

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Batch> {
    let paid_at: Option<String> = r.get(3)?;
    let voucher: Option<String> = r.get(4)?;
    Ok(Batch {
        id: r.get(0)?,
        fund: r.get(1)?,
        created_at: r.get(2)?,
        paid: paid_at.zip(voucher),
        checkpoint: crate::audit::Checkpoint {
            count: r.get(5)?,
            head: r.get(6)?,
        },
    })
}

const PUBLICATION: &str = "SELECT id, department, created_at, ends, contact, checkpoint_count, checkpoint_head FROM publications";

fn publication(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Publication, String>> {
    let ends: String = r.get(3)?;
    let Some(ends) = jx555_lang::types::Date::parse(&ends) else {
        return Ok(Err(format!(
            "a stored 公示 ends on {ends:?}, which is no date"
        )));
    };
    Ok(Ok(Publication {
        id: r.get(0)?,
        department: r.get(1)?,
        created_at: r.get(2)?,
        ends,
        contact: r.get(4)?,
        checkpoint: crate::audit::Checkpoint {
            count: r.get(5)?,
            head: r.get(6)?,
        },
    }))
}

/// A step of a case inside a transaction: the case replaced if still in `from`, its event, its
/// audit entry.
fn step_in(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    actor: &crate::audit::Actor,
    id: i64,
    from: State,
    action: &Action,
    next: &Case,
) -> Result<(), StoreError> {
    let e = |x| db(path, x);
    let now = crate::now();
    let changed = tx
        .execute(
            "UPDATE cases SET state = ?3, body = ?4, updated_at = ?5 WHERE id = ?1 AND state = ?2",
            params![
                id,
                state_code(from),
                state_code(next.state),
                json(next)?,
                now
            ],
        )
        .map_err(e)?;
    if changed == 0 {
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(e)?;
        return Err(match exists {
            Some(_) => StoreError::CaseChanged(id),
            None => StoreError::NoCase(id),
        });
    }
    let action_json = json(action)?;
    tx.execute(
        "INSERT INTO case_events (case_id, at, actor, role, action, from_state, to_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, now, actor.name, actor.role, action_json, state_code(from), state_code(next.state)],
    )
    .map_err(e)?;
    if next.state == State::Paid && from != State::Paid {
        pay_into_ledger(tx, path, id, next.paid.unwrap_or(0))?;
    }
    let kind = state_code_of_kind(action);
    append_audit(
        tx,
        path,
        actor,
        &format!("case.{kind}"),
        &format!("case:{id}"),
        digest(action_json.as_bytes()),
    )
}

/// What was paid goes into the ledger, from the case's line with the amount paid: the ledger holds
/// payments, so a later year's 就高不重复 and 补差 count what was actually paid.
fn pay_into_ledger(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    id: i64,
    paid: i64,
) -> Result<(), StoreError> {
    let e = |x| db(path, x);
    let (run_id, year, line): (i64, i32, String) = tx
        .query_row(
            "SELECT c.run_id, r.year, l.line FROM cases c JOIN runs r ON r.id = c.run_id \
             JOIN award_lines l ON l.run_id = c.run_id AND l.idx = c.idx WHERE c.id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(e)?;
    // The batches that paid its parts, and their vouchers.
    let (batches, vouchers): (Option<String>, Option<String>) = tx
        .query_row(
            "SELECT GROUP_CONCAT(p.batch_id, ','), GROUP_CONCAT(b.voucher, ',') FROM case_parts p \
             JOIN payment_batches b ON b.id = p.batch_id WHERE p.case_id = ?1 AND p.state = 'paid'",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(e)?;
    let provenance = format!(
        "case:{id} batch:{} voucher:{}",
        batches.unwrap_or_else(|| "-".into()),
        vouchers.unwrap_or_else(|| "-".into())
    );
    let mut line: jx555_engine::AwardLine = decode(path, &line)?;
    line.payable = paid;
    let run = jx555_engine::Run {
        year,
        lines: vec![line],
        stats: Vec::new(),
        principles: Vec::new(),
    };
    for x in jx555_engine::Ledger::entries_of(&run) {
        tx.execute(
            "INSERT INTO ledger (run_id, year, pack, rule, subject, exclusive, cap_keys, amount, provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![run_id, x.year, x.pack, x.rule, x.subject, x.exclusive, json(&x.cap_keys)?, x.amount, provenance],
        )
        .map_err(e)?;
    }
    Ok(())
}

/// The action's kind as the audit log names it (`case.Confirm`, `case.Decide` …).
fn state_code_of_kind(a: &Action) -> String {
    serde_json::to_value(a.kind())
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
