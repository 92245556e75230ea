//! The embedded store: one SQLite file with WAL and foreign keys, kept by numbered migrations.
//!
//! The facts are kept once, as the Arrow snapshot the engine reads (money as 64-bit fen, decimals at
//! their own scale: nothing is rounded on the way in or out), written in the import's transaction and
//! read back without copying. Runs keep every line as JSON next to the columns that are searched.

mod accounts;
mod calendar;
mod cases;
mod desk;

use crate::audit::{self, Actor, AuditEntry, AuditFilter, Break, Checkpoint};
use crate::{FactsInfo, NewRun, Progress, RunInfo, Store, StoreError};
use arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Builder, Decimal64Builder, Decimal128Builder,
    Int64Builder, StringBuilder,
};
use arrow::record_batch::RecordBatch;
use jx555_engine::{AwardLine, Ledger, LedgerEntry, Run};
use jx555_facts::model::{self, ColumnType, TableSpec};
use jx555_facts::{Dataset, csv_io};
use jx555_lang::types::Date;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::Digest;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

/// The default database file.
pub const DEFAULT_PATH: &str = "jx555.db";

/// A store in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
    path: String,
    actor: Actor,
}

/// The migrations, in order, as they were first written: a migration never changes once released.
/// A step may rewrite rows in code after its SQL, where SQL cannot express the change. The facts
/// are kept in their Arrow snapshot (migration 19): a column added to the canonical model needs a
/// step that adds it to stored snapshots, or their facts are refused (named) until imported again.
const MIGRATIONS: [(&str, Option<RowRewrite>); SCHEMA_VERSION] = [
    (
        include_str!("../migrations/0001_facts_runs_ledger.sql"),
        None,
    ),
    (include_str!("../migrations/0002_facts_snapshot.sql"), None),
    (include_str!("../migrations/0003_indicators.sql"), None),
    (include_str!("../migrations/0004_industrial_item.sql"), None),
    (
        include_str!("../migrations/0005_one_approval_per_year.sql"),
        None,
    ),
    (
        include_str!("../migrations/0006_canonical_ledger_keys.sql"),
        Some(rekey_ledger),
    ),
    (include_str!("../migrations/0007_audit_log.sql"), None),
    (include_str!("../migrations/0008_accounts.sql"), None),
    (include_str!("../migrations/0009_cases.sql"), None),
    (include_str!("../migrations/0010_publications.sql"), None),
    (include_str!("../migrations/0011_payment_batches.sql"), None),
    (
        include_str!("../migrations/0012_ledger_provenance.sql"),
        None,
    ),
    (include_str!("../migrations/0013_attachments.sql"), None),
    (include_str!("../migrations/0014_service_desk.sql"), None),
    (
        include_str!("../migrations/0015_request_attachments.sql"),
        None,
    ),
    (include_str!("../migrations/0016_calendar_years.sql"), None),
    (include_str!("../migrations/0017_payment_parts.sql"), None),
    (include_str!("../migrations/0018_run_settings.sql"), None),
    (
        include_str!("../migrations/0019_facts_in_snapshot.sql"),
        Some(facts_into_snapshot),
    ),
];

/// Rows rewritten by a migration step, inside its transaction.
type RowRewrite = fn(&rusqlite::Transaction<'_>) -> Result<(), String>;

/// The stored ledger keys in the canonical form (migration 0006).
fn rekey_ledger(tx: &rusqlite::Transaction<'_>) -> Result<(), String> {
    use jx555_engine::key;
    let rows: Vec<(i64, Option<String>, String)> = {
        let mut stmt = tx
            .prepare("SELECT id, exclusive, cap_keys FROM ledger")
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<_, _>>().map_err(|e| e.to_string())?
    };
    let mut update = tx
        .prepare("UPDATE ledger SET exclusive = ?1, cap_keys = ?2 WHERE id = ?3")
        .map_err(|e| e.to_string())?;
    for (id, exclusive, caps) in rows {
        let caps: Vec<String> = serde_json::from_str(&caps)
            .map_err(|e| format!("ledger row {id}: its cap keys cannot be read ({e})"))?;
        let caps: Vec<String> = caps.iter().map(|c| key::cap_from_display(c)).collect();
        let caps = serde_json::to_string(&caps).map_err(|e| e.to_string())?;
        let exclusive = exclusive.map(|x| key::exclusive_from_display(&x));
        update
            .execute(params![exclusive, caps, id])
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Migration 19: the facts are kept once, in their snapshot. A table whose facts were only in rows (a
/// store imported before migration 4 cleared its snapshot, and not since) is written into the
/// snapshot first, in the rows' order; then the rows' tables go, children before the enterprises.
fn facts_into_snapshot(tx: &rusqlite::Transaction<'_>) -> Result<(), String> {
    let imported: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'facts')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    let specs = model::tables();
    for spec in &specs {
        let kept: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM facts_snapshot WHERE name = ?1)",
                [spec.name],
                |r| r.get(0),
            )
            .map_err(|e| e.to_string())?;
        if imported && !kept {
            let batch = read_table(tx, spec, "").map_err(|e| e.to_string())?;
            write_snapshot(tx, "", spec.name, &batch, CHUNK_BYTES).map_err(|e| e.to_string())?;
        }
    }
    for spec in specs.iter().rev() {
        tx.execute(&format!("DROP TABLE IF EXISTS \"{}\"", spec.name), [])
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The schema version this code writes; older stores are migrated on open.
pub const SCHEMA_VERSION: usize = 19;

// Migration 2 (0002_facts_snapshot.sql) adds an Arrow snapshot of the facts, written in the import's
// transaction, so loading a million enterprises is a read of a few blobs instead of millions of rows;
// since migration 19 it is the only copy of the facts.

/// The most bytes of Arrow data one snapshot part holds. Arrow's encoder copies a part whole before
/// writing it, so this bounds what an import holds beside the facts (parts were single blobs until
/// migration 19, under SQLite's limit of 1,000,000,000 bytes on one value).
const SNAPSHOT_BYTES: usize = 900_000_000;

/// A table cut into the parts of its snapshot, each at most about `max_bytes` of Arrow IPC. A
/// larger table is cut by columns (whole columns read back side by side without copying); only a
/// single column larger than the limit is also cut by rows (read back, those are concatenated: a copy
/// of that column). The parts are views of `batch`: nothing is copied.
fn snapshot(
    batch: &RecordBatch,
    max_bytes: usize,
) -> Result<Vec<RecordBatch>, arrow::error::ArrowError> {
    // The IPC form adds a little to the arrays' size (padding, the schema): a tenth is kept free.
    let budget = max_bytes / 10 * 9;
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let (mut group, mut size) = (Vec::new(), 0);
    for (i, column) in batch.columns().iter().enumerate() {
        let bytes = column.get_array_memory_size();
        if size + bytes > budget && !group.is_empty() {
            groups.push(std::mem::take(&mut group));
            size = 0;
        }
        group.push(i);
        size += bytes;
    }
    groups.push(group);
    let mut out = Vec::new();
    for group in groups {
        let columns = batch.project(&group)?;
        let bytes = columns.get_array_memory_size();
        let rows_per_part = match bytes <= budget {
            true => columns.num_rows().max(1),
            false => (budget / (bytes / columns.num_rows().max(1) + 1)).max(1),
        };
        let mut start = 0;
        loop {
            out.push(columns.slice(start, rows_per_part.min(columns.num_rows() - start)));
            start += rows_per_part;
            if start >= columns.num_rows() {
                break;
            }
        }
    }
    Ok(out)
}

/// Writes one snapshot part as an Arrow IPC stream.
fn ipc(part: &RecordBatch, out: impl std::io::Write) -> Result<(), arrow::error::ArrowError> {
    let mut w = arrow::ipc::writer::StreamWriter::try_new(out, &part.schema())?;
    w.write(part)?;
    w.finish()
}

/// The most bytes of a snapshot part one row of `facts_snapshot` holds: a part's IPC stream goes
/// into the store a chunk at a time as it is encoded. SQLite copies each bound chunk into memory of
/// its own (from the C allocator): at 16 MB every copy was fresh memory from the kernel (376,000
/// page faults in the million demo's import), at 1 MB it is reused (11,500).
const CHUNK_BYTES: usize = 1 << 20;

/// Writes a table's snapshot parts. Each part's IPC stream is inserted in chunks as the encoder
/// writes it: no copy of a whole part is made beside the encoder's, and no page is written twice
/// (a blob sized first and filled after was written once as zeros, then again).
fn write_snapshot(
    conn: &Connection,
    path: &str,
    name: &str,
    batch: &RecordBatch,
    chunk_bytes: usize,
) -> Result<(), StoreError> {
    /// The chunks of one part, inserted as they fill.
    struct Chunks<'c> {
        stmt: rusqlite::Statement<'c>,
        name: &'c str,
        part: i64,
        chunk: i64,
        bytes: Vec<u8>,
        limit: usize,
    }
    impl Chunks<'_> {
        fn insert(&mut self) -> std::io::Result<()> {
            if self.bytes.is_empty() {
                return Ok(());
            }
            self.stmt
                .execute(params![self.name, self.part, self.chunk, self.bytes])
                .map_err(std::io::Error::other)?;
            self.chunk += 1;
            self.bytes.clear();
            Ok(())
        }
    }
    impl std::io::Write for Chunks<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.limit - self.bytes.len());
            self.bytes.extend_from_slice(&buf[..n]);
            if self.bytes.len() == self.limit {
                self.insert()?;
            }
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let arrow = |x: arrow::error::ArrowError| StoreError::Database {
        path: path.to_string(),
        message: format!("the facts snapshot cannot be written: {x}"),
    };
    let mut chunks = Chunks {
        stmt: conn
            .prepare("INSERT INTO facts_snapshot (name, part, chunk, ipc) VALUES (?1, ?2, ?3, ?4)")
            .map_err(|x| db(path, x))?,
        name,
        part: 0,
        chunk: 0,
        bytes: Vec::with_capacity(chunk_bytes),
        limit: chunk_bytes.max(1),
    };
    for (part, columns) in snapshot(batch, SNAPSHOT_BYTES)
        .map_err(arrow)?
        .iter()
        .enumerate()
    {
        chunks.part = part as i64;
        chunks.chunk = 0;
        ipc(columns, &mut chunks).map_err(arrow)?;
        chunks
            .insert()
            .map_err(|x| arrow(arrow::error::ArrowError::IoError(x.to_string(), x)))?;
    }
    Ok(())
}

/// One table from its snapshot parts, in the order written: parts with the same columns are rows
/// one after the other (concatenated), parts with other columns stand side by side (joined without
/// copying). Stores written before columns were split have only the first kind.
fn from_parts(parts: &[&RecordBatch]) -> Result<RecordBatch, arrow::error::ArrowError> {
    let mut stacked: Vec<RecordBatch> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let schema = parts[i].schema();
        let n = parts[i..]
            .iter()
            .take_while(|p| p.schema() == schema)
            .count();
        stacked.push(match &parts[i..i + n] {
            [one] => (*one).clone(),
            many => arrow::compute::concat_batches(&schema, many.iter().copied())?,
        });
        i += n;
    }
    match stacked.as_slice() {
        [one] => Ok(one.clone()),
        _ => {
            let mut fields = Vec::new();
            let mut columns = Vec::new();
            for b in &stacked {
                fields.extend(b.schema().fields().iter().cloned());
                columns.extend(b.columns().iter().cloned());
            }
            RecordBatch::try_new(
                std::sync::Arc::new(arrow::datatypes::Schema::new(fields)),
                columns,
            )
        }
    }
}

/// The batches of one snapshot blob, decoded without copying: the arrays point into `buffer`.
fn read_part(
    mut buffer: arrow::buffer::Buffer,
) -> Result<Vec<RecordBatch>, arrow::error::ArrowError> {
    let mut decoder = arrow::ipc::reader::StreamDecoder::new();
    let mut out = Vec::new();
    while !buffer.is_empty() {
        if let Some(batch) = decoder.decode(&mut buffer)? {
            out.push(batch);
        }
    }
    decoder.finish()?;
    Ok(out)
}

impl SqliteStore {
    /// Opens (or creates) the store at `path` and brings its schema up to date. A file this process
    /// may not write (a read-only mount, no permission) is opened read-only: it can be read, and a
    /// change says why it cannot be made.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let cannot_write = path.is_file()
            && std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .is_err_and(|e| {
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::PermissionDenied
                            | std::io::ErrorKind::ReadOnlyFilesystem
                    )
                });
        if cannot_write {
            return SqliteStore::open_read_only(path);
        }
        SqliteStore::open_writable(path)
    }

    /// Opens an existing store for reading only; its schema must be this version's (a migration
    /// would need to write).
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| db(&shown, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| db(&shown, e))?;
        let store = SqliteStore {
            conn,
            path: shown.clone(),
            actor: Actor::local(),
        };
        let version: usize = store
            .meta("schema_version")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if version != SCHEMA_VERSION {
            return Err(StoreError::Database {
                path: shown,
                message: format!(
                    "it is read-only here and at schema {version}, and this jx555 needs schema \
                     {SCHEMA_VERSION}; open it once where it can be written, to migrate it"
                ),
            });
        }
        Ok(store)
    }

    fn open_writable(path: &Path) -> Result<SqliteStore, StoreError> {
        let shown = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| db(&shown, e))?;
        let mut store = SqliteStore {
            conn,
            path: shown,
            actor: Actor::local(),
        };
        store.setup()?;
        Ok(store)
    }

    /// A store in memory, for tests.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| db(":memory:", e))?;
        let mut store = SqliteStore {
            conn,
            path: ":memory:".into(),
            actor: Actor::local(),
        };
        store.setup()?;
        Ok(store)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |e| db(&self.path, e)
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = |x| db(&path, x);
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON;")
            .map_err(e)?;
        // Writers wait for each other (an approval holds the write lock while it checks) instead of
        // failing at once with "database is locked".
        self.conn
            .busy_timeout(std::time::Duration::from_secs(30))
            .map_err(e)?;
        let _: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(e)?;
        let migrations = MIGRATIONS;
        let tx = self.conn.transaction().map_err(e)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )
        .map_err(e)?;
        let version: usize = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(e)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        for (i, (sql, rewrite)) in migrations.iter().enumerate().skip(version) {
            tx.execute_batch(sql).map_err(e)?;
            if let Some(rewrite) = rewrite {
                rewrite(&tx).map_err(|message| StoreError::Database {
                    path: path.clone(),
                    message: format!("migration {}: {message}", i + 1),
                })?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                [(i + 1).to_string()],
            )
            .map_err(e)?;
        }
        tx.commit().map_err(e)
    }

    /// The journal mode, whether foreign keys are enforced, and the schema version: what a reader of
    /// the file would see.
    pub fn status(&self) -> Result<(String, bool, String), StoreError> {
        let e = self.err();
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(&e)?;
        let fk: i64 = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .map_err(&e)?;
        Ok((
            mode,
            fk == 1,
            self.meta("schema_version")?.unwrap_or_default(),
        ))
    }

    /// Reads every facts table from the Arrow snapshot written with the facts. A table the snapshot
    /// lacks has no rows; a column it lacks (facts stored before the model had it, with no migration
    /// to add it) is an error that says so, not a column of nulls.
    fn read_tables(&self) -> Result<Vec<(&'static str, RecordBatch)>, StoreError> {
        let decode = |x: arrow::error::ArrowError| StoreError::Database {
            path: self.path.clone(),
            message: x.to_string(),
        };
        // Each part's chunks are read straight from their pages into one aligned Arrow buffer, and
        // decoded without copying: the arrays point into it (a million enterprises' snapshot is
        // 760 MB).
        let mut stmt = self
            .conn
            .prepare(
                "SELECT rowid, name, part, length(ipc) FROM facts_snapshot ORDER BY name, part, chunk",
            )
            .map_err(self.err())?;
        let listed: Vec<(i64, String, i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let mut parts: Vec<(String, RecordBatch)> = Vec::new();
        for chunks in listed.chunk_by(|a, b| (&a.1, a.2) == (&b.1, b.2)) {
            let len = |c: &(i64, String, i64, i64)| usize::try_from(c.3).unwrap_or(0);
            let mut bytes =
                arrow::buffer::MutableBuffer::from_len_zeroed(chunks.iter().map(len).sum());
            let mut at = 0;
            for chunk in chunks {
                let mut blob = self
                    .conn
                    .blob_open(rusqlite::MAIN_DB, "facts_snapshot", "ipc", chunk.0, true)
                    .map_err(self.err())?;
                let into = &mut bytes.as_slice_mut()[at..at + len(chunk)];
                std::io::Read::read_exact(&mut blob, into).map_err(|x| StoreError::Database {
                    path: self.path.clone(),
                    message: format!("the facts snapshot cannot be read: {x}"),
                })?;
                at += len(chunk);
            }
            for batch in read_part(bytes.into()).map_err(decode)? {
                parts.push((chunks[0].1.clone(), batch));
            }
        }
        let mut tables = Vec::new();
        for spec in model::tables() {
            let mine: Vec<&RecordBatch> = parts
                .iter()
                .filter(|(n, _)| n == spec.name)
                .map(|(_, b)| b)
                .collect();
            let batch = match mine.as_slice() {
                [] => jx555_facts::import::empty(&spec),
                parts => from_parts(parts).map_err(decode)?,
            };
            if let Some(c) = spec
                .columns
                .iter()
                .find(|c| batch.column_by_name(c.name).is_none())
            {
                return Err(StoreError::Database {
                    path: self.path.clone(),
                    message: format!(
                        "the stored facts' table {} has no column {}: they were stored before it \
                         was added; import them again",
                        spec.name, c.name
                    ),
                });
            }
            tables.push((spec.name, batch));
        }
        Ok(tables)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(self.err())
    }
}

impl SqliteStore {
    /// Runs `f` in a write transaction and commits.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &str, &crate::audit::Actor) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path.clone();
        let actor = self.actor.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| db(&path, e))?;
        let out = f(&tx, &path, &actor)?;
        tx.commit().map_err(|e| db(&path, e))?;
        Ok(out)
    }
}

fn db(path: &str, e: rusqlite::Error) -> StoreError {
    let read_only = e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly);
    StoreError::Database {
        path: path.to_string(),
        message: if read_only {
            "the database can be read but not changed here (no write access); nothing was changed"
                .to_string()
        } else {
            e.to_string()
        },
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|x| StoreError::Database {
        path: String::new(),
        message: format!("cannot encode a value to store: {x}"),
    })
}

/// Reads a table of the facts' rows (the relational copy stores kept before migration 19) into the
/// Arrow types the import gives, in the order the rows were written. A column the table lacks (the
/// model grew after it) reads as nulls.
fn read_table(conn: &Connection, spec: &TableSpec, path: &str) -> Result<RecordBatch, StoreError> {
    let e = |x| db(path, x);
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info(\"{}\")", spec.name))
        .map_err(e)?;
    let have: Vec<String> = stmt
        .query_map([], |r| r.get(1))
        .map_err(e)?
        .collect::<Result<_, _>>()
        .map_err(e)?;
    let cols: Vec<String> = spec
        .columns
        .iter()
        .map(|c| {
            if have.iter().any(|h| h == c.name) {
                format!("\"{}\"", c.name)
            } else {
                "NULL".to_string()
            }
        })
        .collect();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {} FROM \"{}\" ORDER BY rowid",
            cols.join(", "),
            spec.name
        ))
        .map_err(e)?;
    enum B {
        Bool(BooleanBuilder),
        Int(Int64Builder),
        Money(Decimal64Builder),
        Dec(Decimal128Builder, u8, i8),
        Date(Date32Builder),
        Text(StringBuilder),
    }
    let mut builders: Vec<B> = spec
        .columns
        .iter()
        .map(|c| match c.ty {
            ColumnType::Bool => B::Bool(BooleanBuilder::new()),
            ColumnType::Int | ColumnType::Year => B::Int(Int64Builder::new()),
            ColumnType::Money => B::Money(Decimal64Builder::new()),
            ColumnType::Decimal | ColumnType::Percent => B::Dec(Decimal128Builder::new(), 28, 6),
            ColumnType::Date => B::Date(Date32Builder::new()),
            _ => B::Text(StringBuilder::new()),
        })
        .collect();
    let mut rows = stmt.query([]).map_err(e)?;
    while let Some(row) = rows.next().map_err(e)? {
        for (i, b) in builders.iter_mut().enumerate() {
            // Borrowed values: no allocation per cell.
            let v = row.get_ref(i).map_err(e)?;
            let int = || v.as_i64_or_null().map_err(|x| e(x.into()));
            let text = || v.as_str_or_null().map_err(|x| e(x.into()));
            match b {
                B::Bool(b) => b.append_option(int()?.map(|v| v != 0)),
                B::Int(b) => b.append_option(int()?),
                B::Money(b) => b.append_option(int()?),
                B::Dec(b, _, _) => b.append_option(int()?.map(i128::from)),
                B::Date(b) => b.append_option(text()?.and_then(Date::parse).map(Date::to_days)),
                B::Text(b) => b.append_option(text()?),
            }
        }
    }
    let arrays: Vec<(&str, ArrayRef)> = spec
        .columns
        .iter()
        .zip(builders)
        .map(|(c, b)| {
            let a: ArrayRef = match b {
                B::Bool(mut b) => Arc::new(b.finish()),
                B::Int(mut b) => Arc::new(b.finish()),
                B::Money(mut b) => {
                    let a = b.finish();
                    Arc::new(a.clone().with_precision_and_scale(18, 2).unwrap_or(a))
                }
                B::Dec(mut b, p, s) => {
                    let a = b.finish();
                    Arc::new(a.clone().with_precision_and_scale(p, s).unwrap_or(a))
                }
                B::Date(mut b) => Arc::new(b.finish()),
                B::Text(mut b) => Arc::new(b.finish()),
            };
            (c.name, a)
        })
        .collect();
    RecordBatch::try_from_iter(arrays).map_err(|x| StoreError::Database {
        path: path.to_string(),
        message: x.to_string(),
    })
}

impl Store for SqliteStore {
    fn replace_facts(
        &mut self,
        data: &Dataset,
        progress: Progress<'_>,
    ) -> Result<FactsInfo, StoreError> {
        let path = self.path.clone();
        let e = |x| db(&path, x);
        let total: usize = data.tables.iter().map(|(_, b)| b.num_rows()).sum();
        // The hash (the facts' canonical CSV through SHA-256, seconds at a million enterprises) is
        // computed on the other core while SQLite writes.
        std::thread::scope(|threads| {
            let hash = threads.spawn(|| csv_io::hash(data));
            let tx = self.conn.transaction().map_err(e)?;
            tx.execute("DELETE FROM facts_snapshot", []).map_err(e)?;
            let mut done = 0usize;
            for (name, batch) in &data.tables {
                write_snapshot(&tx, &path, name, batch, CHUNK_BYTES)?;
                done += batch.num_rows();
                if let ControlFlow::Break(()) = progress(done, total) {
                    // Dropping the transaction rolls it back: the store is as it was.
                    return Err(StoreError::Aborted);
                }
            }
            let hash = hash.join().map_err(|_| StoreError::Database {
                path: path.clone(),
                message: "the facts' hash could not be computed".into(),
            })?;
            let info = FactsInfo {
                hash,
                enterprises: data.enterprises(),
                imported_at: crate::now(),
            };
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('facts', ?1)",
                [json(&info)?],
            )
            .map_err(e)?;
            append_audit(
                &tx,
                &path,
                &self.actor,
                "facts.import",
                "facts",
                info.hash.clone(),
            )?;
            tx.commit().map_err(e)?;
            Ok(info)
        })
    }

    fn facts(&self) -> Result<Option<(Dataset, FactsInfo)>, StoreError> {
        let Some(info) = self.facts_info()? else {
            return Ok(None);
        };
        Ok(Some((
            Dataset {
                tables: self.read_tables()?,
            },
            info,
        )))
    }

    fn facts_info(&self) -> Result<Option<FactsInfo>, StoreError> {
        let Some(info) = self.meta("facts")? else {
            return Ok(None);
        };
        serde_json::from_str(&info)
            .map(Some)
            .map_err(|x| StoreError::Database {
                path: self.path.clone(),
                message: x.to_string(),
            })
    }

    fn save_run(&mut self, new: &NewRun<'_>) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let e = |x| db(&path, x);
        let tx = self.conn.transaction().map_err(e)?;
        let result = Run {
            lines: Vec::new(),
            ..new.run.clone()
        };
        tx.execute(
            "INSERT INTO runs (year, packs, facts_hash, overrides, created_at, total, lines, result, ledger_state, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                new.run.year,
                json(&new.packs)?,
                new.facts_hash,
                json(&new.overrides)?,
                crate::now(),
                new.run.total(),
                new.run.lines.len() as i64,
                json(&result)?,
                crate::ledger_state(new.ledger, new.run.year),
                json(&new.settings)?
            ],
        )
        .map_err(e)?;
        let id = tx.last_insert_rowid();
        // The run's digest: its record and every line, as stored.
        let mut content = sha2::Sha256::new();
        content.update(json(&result)?.as_bytes());
        content.update(json(&new.overrides)?.as_bytes());
        content.update(json(&new.settings)?.as_bytes());
        {
            let mut stmt = tx
                .prepare("INSERT INTO award_lines (run_id, idx, pack, rule, subject, enterprise, county, payable, status, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                .map_err(e)?;
            for (i, l) in new.run.lines.iter().enumerate() {
                let line = json(l)?;
                content.update(line.as_bytes());
                let status = l.standing().id();
                stmt.execute(params![
                    id,
                    i as i64,
                    l.rule.pack,
                    l.rule.id,
                    l.subject,
                    l.enterprise,
                    l.county,
                    l.payable,
                    status,
                    line
                ])
                .map_err(e)?;
            }
        }
        let digest = content
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        append_audit(
            &tx,
            &path,
            &self.actor,
            "run.save",
            &format!("run:{id}"),
            digest,
        )?;
        tx.commit().map_err(e)?;
        Ok(id)
    }

    fn run(&self, id: i64) -> Result<(RunInfo, Run), StoreError> {
        let e = self.err();
        let (info, result) = self
            .conn
            .query_row(
                "SELECT id, year, packs, facts_hash, overrides, created_at, total, lines, approved_at, result, settings FROM runs WHERE id = ?1",
                [id],
                |r| Ok((run_info(r), r.get::<_, String>(9)?)),
            )
            .optional()
            .map_err(&e)?
            .ok_or(StoreError::NoRun(id))?;
        let info = info?;
        let mut run: Run = decode(&self.path, &result)?;
        run.lines = read_lines(&self.conn, id, &self.path)?;
        Ok((info, run))
    }

    fn run_info(&self, id: i64) -> Result<RunInfo, StoreError> {
        self.conn
            .query_row(
                "SELECT id, year, packs, facts_hash, overrides, created_at, total, lines, approved_at, settings FROM runs WHERE id = ?1",
                [id],
                |r| Ok(run_info(r)),
            )
            .optional()
            .map_err(self.err())?
            .ok_or(StoreError::NoRun(id))?
    }

    fn run_lines(
        &self,
        id: i64,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<AwardLine>, StoreError> {
        self.run_info(id)?;
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT line FROM award_lines WHERE run_id = ?1 ORDER BY idx LIMIT ?2 OFFSET ?3",
            )
            .map_err(&e)?;
        let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let lines = stmt
            .query_map(params![id, clamp(limit), clamp(offset)], |r| {
                r.get::<_, String>(0)
            })
            .map_err(&e)?;
        lines.map(|l| decode(&self.path, &l.map_err(&e)?)).collect()
    }

    fn runs(&self) -> Result<Vec<RunInfo>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare("SELECT id, year, packs, facts_hash, overrides, created_at, total, lines, approved_at, settings FROM runs ORDER BY id DESC")
            .map_err(&e)?;
        let rows = stmt.query_map([], |r| Ok(run_info(r))).map_err(&e)?;
        rows.map(|r| r.map_err(&e)?).collect()
    }

    fn approve(&mut self, id: i64) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let e = |x| db(&path, x);
        // IMMEDIATE takes the write lock before the checks are read, so two approvals of one year
        // are serialised: the second sees the first and is refused. The unique index on approved
        // runs per year holds even against a writer that skips these checks.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e)?;
        let (info, result, ledger_state) = tx
            .query_row(
                "SELECT id, year, packs, facts_hash, overrides, created_at, total, lines, approved_at, result, ledger_state, settings FROM runs WHERE id = ?1",
                [id],
                |r| Ok((run_info(r), r.get::<_, String>(9)?, r.get::<_, Option<String>>(10)?)),
            )
            .optional()
            .map_err(e)?
            .ok_or(StoreError::NoRun(id))?;
        let info = info?;
        if let Some(at) = info.approved_at {
            return Err(StoreError::AlreadyApproved(id, at));
        }
        if !info.overrides.is_empty() {
            return Err(StoreError::WhatIf(id));
        }
        let other: Option<i64> = tx
            .query_row(
                "SELECT id FROM runs WHERE year = ?1 AND approved_at IS NOT NULL AND id != ?2",
                params![info.year, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?;
        if let Some(other) = other {
            return Err(StoreError::YearApproved {
                run: id,
                other,
                year: info.year,
            });
        }
        // A released year is paid case by case, each payment into the ledger: approving a run of
        // it too would write the year twice.
        let released: Option<i64> = tx
            .query_row(
                "SELECT id FROM runs WHERE year = ?1 AND released_at IS NOT NULL",
                [info.year],
                |r| r.get(0),
            )
            .optional()
            .map_err(e)?;
        if let Some(r) = released {
            return Err(StoreError::Release(format!(
                "run #{r} of {} is released: its cases go into the ledger as they are paid; approving run #{id} too would pay the year twice",
                info.year
            )));
        }
        let facts: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'facts'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(e)?;
        let facts: Option<FactsInfo> = facts.map(|f| decode(&path, &f)).transpose()?;
        if facts.as_ref().map(|f| f.hash.as_str()) != Some(info.facts_hash.as_str()) {
            return Err(StoreError::Stale {
                run: id,
                year: info.year,
                what: "the facts were imported again since".into(),
            });
        }
        let now = crate::ledger_state(&read_ledger(&tx, &path)?, info.year);
        if ledger_state.as_deref() != Some(now.as_str()) {
            return Err(StoreError::Stale {
                run: id,
                year: info.year,
                what: match ledger_state {
                    None => {
                        "it was stored before jx555 recorded the ledger a run is computed on".into()
                    }
                    Some(_) => "an earlier year was approved into the ledger since".into(),
                },
            });
        }
        let mut run: Run = decode(&path, &result)?;
        run.lines = read_lines(&tx, id, &path)?;
        let entries = Ledger::entries_of(&run);
        {
            let mut stmt = tx
                .prepare("INSERT INTO ledger (run_id, year, pack, rule, subject, exclusive, cap_keys, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .map_err(e)?;
            for x in &entries {
                stmt.execute(params![
                    id,
                    x.year,
                    x.pack,
                    x.rule,
                    x.subject,
                    x.exclusive,
                    json(&x.cap_keys)?,
                    x.amount
                ])
                .map_err(e)?;
            }
        }
        let changed = tx
            .execute(
                "UPDATE runs SET approved_at = ?1 WHERE id = ?2 AND approved_at IS NULL",
                params![crate::now(), id],
            )
            .map_err(e)?;
        if changed != 1 {
            return Err(StoreError::AlreadyApproved(id, "just now".into()));
        }
        append_audit(
            &tx,
            &path,
            &self.actor,
            "run.approve",
            &format!("run:{id}"),
            audit::digest(json(&entries)?.as_bytes()),
        )?;
        tx.commit().map_err(e)?;
        Ok(entries.len())
    }

    fn ledger(&self) -> Result<Ledger, StoreError> {
        read_ledger(&self.conn, &self.path)
    }

    fn payments(&self) -> Result<Vec<(LedgerEntry, String)>, StoreError> {
        read_payments(&self.conn, &self.path)
    }

    fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, actor, role, action, object, digest, prev, hash FROM audit \
                 WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR object = ?3) \
                 ORDER BY seq",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map(
                params![filter.since, filter.actor, filter.object],
                audit_entry,
            )
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    fn verify_audit(&self) -> Result<Result<Checkpoint, Break>, StoreError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, role, action, object, digest, prev, hash FROM audit ORDER BY seq")
            .map_err(&e)?;
        let rows = stmt.query_map([], audit_entry).map_err(&e)?;
        audit::verify(rows).map_err(&e)
    }
}

/// Appends an audit entry inside the transaction of the change it records.
fn append_audit(
    tx: &rusqlite::Transaction<'_>,
    path: &str,
    actor: &Actor,
    action: &str,
    object: &str,
    digest: String,
) -> Result<(), StoreError> {
    let e = |x| db(path, x);
    let (seq, prev): (i64, String) = tx
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(e)?
        .unwrap_or((0, String::new()));
    let mut entry = AuditEntry {
        seq: seq + 1,
        at: crate::now(),
        actor: actor.name.clone(),
        role: actor.role.clone(),
        action: action.to_string(),
        object: object.to_string(),
        digest,
        prev,
        hash: String::new(),
    };
    entry.hash = entry.expected_hash();
    tx.execute(
        "INSERT INTO audit (seq, at, actor, role, action, object, digest, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.role,
            entry.action,
            entry.object,
            entry.digest,
            entry.prev,
            entry.hash
        ],
    )
    .map_err(e)?;
    Ok(())
}

fn audit_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        role: r.get(3)?,
        action: r.get(4)?,
        object: r.get(5)?,
        digest: r.get(6)?,
        prev: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// The ledger as stored, in the order it was written.
fn read_ledger(conn: &Connection, path: &str) -> Result<Ledger, StoreError> {
    Ok(Ledger::new(
        read_payments(conn, path)?
            .into_iter()
            .map(|(e, _)| e)
            .collect(),
    ))
}

/// The ledger's entries with where each payment is recorded, in the order written.
fn read_payments(conn: &Connection, path: &str) -> Result<Vec<(LedgerEntry, String)>, StoreError> {
    let e = |x| db(path, x);
    let mut stmt = conn
        .prepare(
            "SELECT year, pack, rule, subject, exclusive, cap_keys, amount, provenance FROM ledger ORDER BY id",
        )
        .map_err(e)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
            ))
        })
        .map_err(e)?;
    let mut entries = Vec::new();
    for row in rows {
        let (year, pack, rule, subject, exclusive, cap_keys, amount, provenance) =
            row.map_err(e)?;
        entries.push((
            LedgerEntry {
                year,
                pack,
                rule,
                subject,
                exclusive,
                cap_keys: decode(path, &cap_keys)?,
                amount,
            },
            provenance,
        ));
    }
    Ok(entries)
}

/// A run's lines, in order.
fn read_lines(conn: &Connection, id: i64, path: &str) -> Result<Vec<AwardLine>, StoreError> {
    let e = |x| db(path, x);
    let mut stmt = conn
        .prepare("SELECT line FROM award_lines WHERE run_id = ?1 ORDER BY idx")
        .map_err(e)?;
    let lines = stmt.query_map([id], |r| r.get::<_, String>(0)).map_err(e)?;
    lines.map(|l| decode(path, &l.map_err(e)?)).collect()
}

fn decode<T: serde::de::DeserializeOwned>(path: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|x| StoreError::Database {
        path: path.to_string(),
        message: x.to_string(),
    })
}

/// A run's record. Its packs and overrides must read back: a damaged what-if must never pass for a
/// payout run with no overrides.
fn run_info(r: &rusqlite::Row<'_>) -> Result<RunInfo, StoreError> {
    let id: i64 = r.get(0).map_err(|x| db("", x))?;
    let field = |i: usize| r.get::<_, String>(i).map_err(|x| db("", x));
    let damaged = |what: &str, x: serde_json::Error| StoreError::Database {
        path: String::new(),
        message: format!(
            "run #{id}: its stored {what} cannot be read ({x}); the database is damaged"
        ),
    };
    let get = |x| db("", x);
    Ok(RunInfo {
        id,
        year: r.get(1).map_err(get)?,
        packs: serde_json::from_str(&field(2)?).map_err(|x| damaged("packs", x))?,
        facts_hash: r.get(3).map_err(get)?,
        overrides: serde_json::from_str(&field(4)?).map_err(|x| damaged("overrides", x))?,
        created_at: r.get(5).map_err(get)?,
        total: r.get(6).map_err(get)?,
        lines: usize::try_from(r.get::<_, i64>(7).map_err(get)?).unwrap_or(0),
        approved_at: r.get(8).map_err(get)?,
        settings: serde_json::from_str(&r.get::<_, String>("settings").map_err(get)?)
            .map_err(|x| damaged("settings", x))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table larger than a part is written in several blobs and read back whole, whether the
    /// parts cut it by columns, by rows too, or (stores written before) by rows only.
    #[test]
    fn a_snapshot_in_many_parts_reads_back_whole() {
        let data = jx555_facts::demo::generate(300, 7).expect("demo");
        let batch = data.table("enterprise_years").expect("years");
        let decode = |parts: Vec<RecordBatch>| -> Vec<RecordBatch> {
            parts
                .iter()
                .flat_map(|p| {
                    let mut bytes = Vec::new();
                    ipc(p, &mut bytes).expect("encode");
                    read_part(arrow::buffer::Buffer::from_vec(bytes)).expect("decode")
                })
                .collect()
        };
        let whole =
            |parts: &[RecordBatch]| from_parts(&parts.iter().collect::<Vec<_>>()).expect("read");
        // Under the limit: one part.
        assert_eq!(snapshot(batch, 100_000_000).expect("parts").len(), 1);
        // Every column fits a part, not all of them: parts of whole columns, read side by side
        // without copying (the table's arrays are the parts' own).
        let largest = batch
            .columns()
            .iter()
            .map(|c| c.get_array_memory_size())
            .max()
            .expect("columns");
        let by_columns = decode(snapshot(batch, largest + largest / 2).expect("parts"));
        assert!(by_columns.len() > 2, "{} parts", by_columns.len());
        assert!(by_columns.iter().all(|p| p.num_rows() == batch.num_rows()));
        let read = whole(&by_columns);
        assert_eq!(&read, batch);
        let first = by_columns[0].column(0).to_data();
        assert_eq!(
            read.column(0).to_data().buffers()[0].as_ptr(),
            first.buffers()[0].as_ptr()
        );
        // A column larger than a part: cut by rows too.
        let by_rows = decode(snapshot(batch, 20_000).expect("parts"));
        assert!(by_rows.iter().any(|p| p.num_rows() < batch.num_rows()));
        assert_eq!(&whole(&by_rows), batch);
        // A store written before: every part all the columns, some of the rows.
        let old: Vec<RecordBatch> = (0..batch.num_rows())
            .step_by(100)
            .map(|start| batch.slice(start, 100.min(batch.num_rows() - start)))
            .collect();
        assert!(old.len() > 5);
        assert_eq!(&whole(&old), batch);
    }

    /// A store whose facts were kept only as rows (a migration cleared its snapshot) opens with
    /// them in the snapshot, in the rows' order, and the tables of rows gone; a table that had its
    /// snapshot keeps it (one blob then, its first chunk now), not the rows beside it.
    #[test]
    fn facts_kept_as_rows_move_into_the_snapshot() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);")
            .expect("meta");
        for (sql, _) in &MIGRATIONS[..18] {
            conn.execute_batch(sql).expect("migration");
        }
        let (b, a) = (
            jx555_facts::cell::with_check_char("91330402MA2B0000B"),
            jx555_facts::cell::with_check_char("91330402MA2B0000A"),
        );
        let t = |name: &str, headers: &[&str], rows: &[&[&str]]| jx555_facts::RawTable {
            source: name.into(),
            name: name.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
                .into(),
        };
        let want = jx555_facts::validate(
            &[
                t(
                    "enterprises",
                    &[
                        "uscc",
                        "name",
                        "county",
                        "industry",
                        "manufacturing",
                        "industrial",
                    ],
                    &[
                        &[&b, "乙", "南湖区", "1711", "是", "是"],
                        &[&a, "甲", "海盐县", "3825", "是", "否"],
                    ],
                ),
                t(
                    "enterprise_years",
                    &["uscc", "year", "above_scale", "revenue"],
                    &[
                        &[&b, "2022", "是", "1234.56"],
                        &[&a, "2021", "否", ""],
                        &[&a, "2020", "", "0.07"],
                    ],
                ),
                t(
                    "recognitions",
                    &["id", "uscc", "kind", "level", "year", "granted_amount"],
                    &[&["R1", &a, "专精特新小巨人", "provincial", "2021", "500000"]],
                ),
                t(
                    "land_parcels",
                    &["id", "uscc", "year", "area", "far"],
                    &[&["L1", &b, "2022", "12.5", "1.8"]],
                ),
                t(
                    "indicators",
                    &["target", "year", "value"],
                    &[&["制造业增加值占GDP比重", "2023", "0.3"]],
                ),
            ],
            None,
        )
        .expect("valid");
        conn.execute_batch(&format!(
            "INSERT INTO meta VALUES ('schema_version', '18'),
               ('facts', '{{\"hash\":\"h\",\"enterprises\":2,\"imported_at\":\"t\"}}');
             INSERT INTO enterprises (uscc, name, county, industry, manufacturing, industrial)
               VALUES ('{b}', '旧名', '南湖区', '1711', 1, 1), ('{a}', '甲', '海盐县', '3825', 1, 0);
             INSERT INTO enterprise_years (uscc, year, above_scale, revenue) VALUES
               ('{b}', 2022, 1, 123456), ('{a}', 2021, 0, NULL), ('{a}', 2020, NULL, 7);
             INSERT INTO recognitions (id, uscc, kind, level, year, granted_amount)
               VALUES ('R1', '{a}', '专精特新小巨人', 'provincial', 2021, 50000000);
             INSERT INTO land_parcels (id, uscc, year, area, far) VALUES ('L1', '{b}', 2022, 12500000, 1800000);
             INSERT INTO indicators (target, year, value) VALUES ('制造业增加值占GDP比重', 2023, 300000);"
        ))
        .expect("rows");
        let mut blob = Vec::new();
        ipc(want.table("enterprises").expect("enterprises"), &mut blob).expect("encode");
        conn.execute(
            "INSERT INTO facts_snapshot (name, part, ipc) VALUES ('enterprises', 0, ?1)",
            [blob],
        )
        .expect("an old snapshot");
        let mut store = SqliteStore {
            conn,
            path: ":memory:".into(),
            actor: Actor::local(),
        };
        store.setup().expect("migrated");
        let (back, _) = store.facts().expect("read").expect("facts");
        assert_eq!(csv_io::to_csv(&back), csv_io::to_csv(&want));
        assert_eq!(back.table("parks").map(RecordBatch::num_rows), Some(0));
        let rows_tables = count(
            &store.conn,
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('enterprises', 'enterprise_years', 'recognitions')",
        );
        assert_eq!(rows_tables, 0);
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).expect("a count")
    }

    /// A part larger than a chunk is kept in many and reads back whole.
    #[test]
    fn a_part_in_many_chunks_reads_back_whole() {
        let data = jx555_facts::demo::generate(300, 5).expect("demo");
        let mut store = SqliteStore::in_memory().expect("store");
        store
            .replace_facts(&data, &mut |_, _| ControlFlow::Continue(()))
            .expect("written");
        let years = data.table("enterprise_years").expect("years");
        store
            .conn
            .execute(
                "DELETE FROM facts_snapshot WHERE name = 'enterprise_years'",
                [],
            )
            .expect("cleared");
        write_snapshot(&store.conn, "", "enterprise_years", years, 1000).expect("chunks");
        let chunks = count(
            &store.conn,
            "SELECT COUNT(*) FROM facts_snapshot WHERE name = 'enterprise_years'",
        );
        assert!(chunks > 10, "{chunks} chunks");
        let (back, _) = store.facts().expect("read").expect("facts");
        assert_eq!(back, data);
    }

    /// Facts stored before the model had a column are refused by name, not read with it missing.
    #[test]
    fn a_stored_table_without_a_model_column_is_named() {
        let data = jx555_facts::demo::generate(20, 3).expect("demo");
        let tables = data
            .tables
            .iter()
            .map(|(n, b)| {
                let mut b = b.clone();
                if *n == "enterprises" {
                    b.remove_column(b.schema().index_of("chain").expect("chain"));
                }
                (*n, b)
            })
            .collect();
        let mut store = SqliteStore::in_memory().expect("store");
        store
            .replace_facts(&Dataset { tables }, &mut |_, _| ControlFlow::Continue(()))
            .expect("written");
        let err = store.facts().map(|_| ()).expect_err("refused").to_string();
        assert!(
            err.contains("enterprises") && err.contains("chain"),
            "{err}"
        );
    }
}
