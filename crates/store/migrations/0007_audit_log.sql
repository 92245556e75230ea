-- The audit log: every change to the store, appended in the same transaction as the change, each entry
-- holding the hash of the one before (SHA-256), so that an edited or removed entry breaks the chain at
-- that entry. Nothing in jx555 updates or deletes an entry; these triggers refuse it to any writer
-- that goes through SQLite without dropping them first (which `jx555 audit verify` would then show).
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  digest TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit (actor);
CREATE INDEX audit_object ON audit (object);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
