//! [`Desk`] on SQLite: a request and each of its steps with its audit entry in one transaction; the
//! registry and the （二十） events all or none.

use super::{SqliteStore, append_audit, db, json};
use crate::StoreError;
use crate::audit::Actor;
use crate::audit::digest;
use crate::desk::{Desk, History, NewRequest, RequestEvent, RequestFilter, StoredRequest};
use jx555_lang::types::Date;
use jx555_workflow::clock::Moment;
use jx555_workflow::request::{Action, Request};
use jx555_workflow::service::{Approval, Connection, Provider};
use rusqlite::{OptionalExtension, params};

/// A value's name as serde writes it (`Submitted`, `Policy`): stable, and readable in the database.
fn code<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn decode<T: serde::de::DeserializeOwned>(path: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Database {
        path: path.to_string(),
        message: format!("a stored request or event cannot be read: {e}"),
    })
}

fn decode_code<T: serde::de::DeserializeOwned>(path: &str, s: &str) -> Result<T, StoreError> {
    decode(path, &format!("\"{s}\""))
}

fn moment(path: &str, s: &str) -> Result<Moment, StoreError> {
    Moment::parse(s).map_err(|message| StoreError::Database {
        path: path.to_string(),
        message,
    })
}

fn date(path: &str, s: &str) -> Result<Date, StoreError> {
    Date::parse(s).ok_or_else(|| StoreError::Database {
        path: path.to_string(),
        message: format!("{s:?} is not a date"),
    })
}

const REQUEST: &str = "SELECT id, body, text, channel, caller, raised_by FROM requests";

type RequestRow = (i64, String, String, String, Option<String>, String);

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RequestRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn stored(
    path: &str,
    (id, body, text, channel, caller, raised_by): RequestRow,
) -> Result<StoredRequest, StoreError> {
    Ok(StoredRequest {
        id,
        request: decode(path, &body)?,
        text,
        channel: decode_code(path, &channel)?,
        caller,
        raised_by,
    })
}

/// Stores a new request with its audit entry (`request.raise`). Its number.
fn insert_request(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    actor: &Actor,
    new: &NewRequest,
) -> Result<i64, StoreError> {
    let e = |x| db(path, x);
    let r = &new.request;
    let body = json(r)?;
    tx.execute(
        "INSERT INTO requests (enterprise, hub, assignee, state, category, channel, caller, text, submitted_at, raised_by, body, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            r.enterprise,
            r.hub,
            r.assignee,
            code(r.state),
            code(r.category),
            code(new.channel),
            new.caller,
            new.text,
            r.submitted.to_string(),
            actor.name,
            body,
            crate::now()
        ],
    )
    .map_err(e)?;
    let id = tx.last_insert_rowid();
    append_audit(
        tx,
        path,
        actor,
        "request.raise",
        &format!("request:{id}"),
        digest(format!("{body}\n{}", new.text).as_bytes()),
    )?;
    Ok(id)
}

/// Replaces request `id` by `next` if it is still as `before` (a concurrent change is refused, not
/// overwritten), with its event and audit entry (`request.<action>`).
#[allow(clippy::too_many_arguments)]
fn step_request(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    actor: &Actor,
    id: i64,
    before: &Request,
    action: &Action,
    next: &Request,
    at: Moment,
) -> Result<(), StoreError> {
    let e = |x| db(path, x);
    // The whole request as it was read: any change meanwhile (an escalation keeps the state)
    // refuses the step rather than overwriting it.
    let changed = tx
        .execute(
            "UPDATE requests SET state = ?3, assignee = ?4, body = ?5, updated_at = ?6 WHERE id = ?1 AND body = ?2",
            params![id, json(before)?, code(next.state), next.assignee, json(next)?, crate::now()],
        )
        .map_err(e)?;
    if changed == 0 {
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM requests WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(e)?;
        return Err(match exists {
            Some(_) => StoreError::Refused(format!("第 {id} 号诉求已被他人办理，请刷新后重试")),
            None => StoreError::Refused(format!("没有第 {id} 号诉求")),
        });
    }
    let action_json = json(action)?;
    tx.execute(
        "INSERT INTO request_events (request_id, at, actor, role, action, from_state, to_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, at.to_string(), actor.name, actor.role, action_json, code(before.state), code(next.state)],
    )
    .map_err(e)?;
    let kind = code(action.kind());
    append_audit(
        tx,
        path,
        actor,
        &format!("request.{kind}"),
        &format!("request:{id}"),
        digest(action_json.as_bytes()),
    )
}

/// Refuses a batch that repeats what is stored, naming the first repeat.
fn refuse_repeat(what: String) -> StoreError {
    StoreError::Refused(format!("{what} 已录入；本次导入未保存任何记录"))
}

impl SqliteStore {
    /// Inserts events all or none: `insert` says 0 for one already stored, which refuses the lot
    /// (named by `repeat`); audited `<what>.import` with the digest of the events.
    fn add_events<T: serde::Serialize>(
        &mut self,
        what: &str,
        list: &[T],
        insert: impl Fn(&rusqlite::Transaction<'_>, &T) -> rusqlite::Result<usize>,
        repeat: impl Fn(&T) -> String,
    ) -> Result<usize, StoreError> {
        self.write(|tx, path, actor| {
            let mut content = Vec::new();
            for x in list {
                if insert(tx, x).map_err(|e| db(path, e))? == 0 {
                    return Err(refuse_repeat(repeat(x)));
                }
                content.extend_from_slice(json(x)?.as_bytes());
            }
            append_audit(
                tx,
                path,
                actor,
                &format!("{what}.import"),
                &format!("{what}:{}", list.len()),
                digest(&content),
            )?;
            Ok(list.len())
        })
    }

    /// The four text columns of each row `sql` selects for `year` (its `?1`; all with None).
    fn four_texts(&self, sql: &str, year: Option<i32>) -> Result<Vec<[String; 4]>, StoreError> {
        let e = self.err();
        let mut stmt = self.conn.prepare(sql).map_err(&e)?;
        let rows = stmt
            .query_map([year.map(|y| y.to_string())], |r| {
                Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }
}

impl Desk for SqliteStore {
    fn raise(&mut self, new: &NewRequest) -> Result<i64, StoreError> {
        self.write(|tx, path, actor| insert_request(tx, path, actor, new))
    }

    fn load_history(&mut self, list: &[History]) -> Result<usize, StoreError> {
        self.write(|tx, path, _| {
            for h in list {
                let id = insert_request(tx, path, &h.raised_by, &h.new)?;
                let mut before = &h.new.request;
                for (actor, action, next, at) in &h.steps {
                    step_request(tx, path, actor, id, before, action, next, *at)?;
                    before = next;
                }
            }
            Ok(list.len())
        })
    }

    fn requests(&self, f: &RequestFilter) -> Result<Vec<StoredRequest>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{REQUEST} WHERE (?1 IS NULL OR hub = ?1) AND (?2 IS NULL OR enterprise = ?2) \
                 AND (?3 IS NULL OR assignee = ?3) AND (?4 = 0 OR state NOT IN ('Resolved', 'Closed')) \
                 AND (?5 IS NULL OR submitted_at >= ?5) AND (?6 IS NULL OR submitted_at < ?6) ORDER BY id"
            ))
            .map_err(&e)?;
        let rows = stmt
            .query_map(
                params![
                    f.hub,
                    f.enterprise,
                    f.assignee,
                    f.open,
                    f.since.map(|d| d.to_string()),
                    f.until.map(|d| d.to_string())
                ],
                request_row,
            )
            .map_err(&e)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(stored(&self.path, r.map_err(&e)?)?);
        }
        Ok(out)
    }

    fn request(&self, id: i64) -> Result<Option<(StoredRequest, Vec<RequestEvent>)>, StoreError> {
        let e = self.err();
        let found = self
            .conn
            .query_row(&format!("{REQUEST} WHERE id = ?1"), [id], request_row)
            .optional()
            .map_err(&e)?;
        let Some(row) = found else {
            return Ok(None);
        };
        let request = stored(&self.path, row)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, actor, role, action, from_state, to_state FROM request_events \
                 WHERE request_id = ?1 ORDER BY id",
            )
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
            events.push(RequestEvent {
                at: moment(&self.path, &at)?,
                actor,
                role,
                action: decode(&self.path, &action)?,
                from: decode_code(&self.path, &from)?,
                to: decode_code(&self.path, &to)?,
            });
        }
        Ok(Some((request, events)))
    }

    fn record_request_step(
        &mut self,
        id: i64,
        before: &Request,
        action: &Action,
        next: &Request,
        at: Moment,
    ) -> Result<(), StoreError> {
        self.write(|tx, path, actor| step_request(tx, path, actor, id, before, action, next, at))
    }

    fn providers(&self) -> Result<Vec<Provider>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare("SELECT uscc, name, categories, counties, registered FROM providers ORDER BY name, uscc")
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(&e)?;
        let mut out = Vec::new();
        for r in rows {
            let (uscc, name, categories, counties, registered) = r.map_err(&e)?;
            out.push(Provider {
                uscc,
                name,
                categories: decode(&self.path, &categories)?,
                counties: decode(&self.path, &counties)?,
                registered: date(&self.path, &registered)?,
            });
        }
        Ok(out)
    }

    fn save_providers(&mut self, list: &[Provider]) -> Result<(usize, usize), StoreError> {
        self.write(|tx, path, actor| {
            let e = |x| db(path, x);
            let (mut added, mut updated) = (0, 0);
            let mut content = Vec::new();
            for p in list {
                let known: Option<String> = tx
                    .query_row("SELECT registered FROM providers WHERE uscc = ?1", [&p.uscc], |r| r.get(0))
                    .optional()
                    .map_err(e)?;
                let row = json(p)?;
                content.extend_from_slice(row.as_bytes());
                // A provider's registration date stays the first one.
                tx.execute(
                    "INSERT INTO providers (uscc, name, categories, counties, registered) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, categories = excluded.categories, counties = excluded.counties",
                    params![p.uscc, p.name, json(&p.categories)?, json(&p.counties)?, p.registered.to_string()],
                )
                .map_err(e)?;
                if known.is_some() {
                    updated += 1;
                } else {
                    added += 1;
                }
            }
            append_audit(tx, path, actor, "providers.import", &format!("providers:{}", list.len()), digest(&content))?;
            Ok((added, updated))
        })
    }

    fn add_connections(&mut self, list: &[Connection]) -> Result<usize, StoreError> {
        self.add_events(
            "connections",
            list,
            |tx, c| {
                tx.execute(
                    "INSERT INTO utility_connections (enterprise, utility, confirmed_at, connected_at) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT DO NOTHING",
                    params![c.enterprise, code(c.utility), c.confirmed.to_string(), c.connected.to_string()],
                )
            },
            |c| format!("{} 于 {} 确认的用{}报装", c.enterprise, c.confirmed, c.utility.name()),
        )
    }

    fn connections(&self, year: Option<i32>) -> Result<Vec<Connection>, StoreError> {
        self.four_texts(
            "SELECT enterprise, utility, confirmed_at, connected_at FROM utility_connections \
             WHERE ?1 IS NULL OR substr(confirmed_at, 1, 4) = ?1 ORDER BY confirmed_at, id",
            year,
        )?
        .into_iter()
        .map(|[enterprise, utility, confirmed, connected]| {
            Ok(Connection {
                enterprise,
                utility: decode_code(&self.path, &utility)?,
                confirmed: moment(&self.path, &confirmed)?,
                connected: moment(&self.path, &connected)?,
            })
        })
        .collect()
    }

    fn add_approvals(&mut self, list: &[Approval]) -> Result<usize, StoreError> {
        self.add_events(
            "approvals",
            list,
            |tx, a| {
                tx.execute(
                    "INSERT INTO project_approvals (project, enterprise, started, approved) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT DO NOTHING",
                    params![a.project, a.enterprise, a.started.to_string(), a.approved.to_string()],
                )
            },
            |a| format!("项目 {} 的审批", a.project),
        )
    }

    fn approvals(&self, year: Option<i32>) -> Result<Vec<Approval>, StoreError> {
        self.four_texts(
            "SELECT project, enterprise, started, approved FROM project_approvals \
             WHERE ?1 IS NULL OR substr(approved, 1, 4) = ?1 ORDER BY approved, id",
            year,
        )?
        .into_iter()
        .map(|[project, enterprise, started, approved]| {
            Ok(Approval {
                project,
                enterprise,
                started: date(&self.path, &started)?,
                approved: date(&self.path, &approved)?,
            })
        })
        .collect()
    }

    fn attach_to_request(
        &mut self,
        request: i64,
        file: &crate::cases::NewAttachment,
    ) -> Result<i64, StoreError> {
        self.write(|tx, path, actor| {
            super::cases::attach_to(tx, path, actor, super::cases::Owner::Request, request, file)
        })
    }

    fn request_attachments(
        &self,
        request: i64,
    ) -> Result<Vec<crate::cases::Attachment>, StoreError> {
        self.attachments_of(super::cases::Owner::Request, request)
    }

    fn request_attachment(
        &self,
        request: i64,
        id: i64,
    ) -> Result<Option<(crate::cases::Attachment, Vec<u8>)>, StoreError> {
        self.attachment_of(super::cases::Owner::Request, request, id)
    }

    fn yearly_reach(&self) -> Result<Vec<crate::desk::Reach>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT y, SUM(hubs), MAX(city), SUM(enterprises) FROM ( \
                   SELECT CAST(substr(e.at, 1, 4) AS INTEGER) AS y, \
                     COUNT(DISTINCT CASE WHEN r.hub != ?1 THEN r.hub END) AS hubs, \
                     MAX(r.hub = ?1) AS city, 0 AS enterprises \
                   FROM request_events e JOIN requests r ON r.id = e.request_id \
                   WHERE e.action = '\"Accept\"' GROUP BY y \
                   UNION ALL \
                   SELECT CAST(substr(submitted_at, 1, 4) AS INTEGER), 0, 0, COUNT(DISTINCT enterprise) \
                   FROM requests GROUP BY 1 \
                 ) GROUP BY y ORDER BY y",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([jx555_workflow::request::CITY_HUB], |r| {
                Ok(crate::desk::Reach {
                    year: r.get(0)?,
                    county_hubs: r.get::<_, i64>(1)?.unsigned_abs(),
                    city_hub: r.get::<_, i64>(2)? > 0,
                    enterprises: r.get::<_, i64>(3)?.unsigned_abs(),
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&e)
    }
}
