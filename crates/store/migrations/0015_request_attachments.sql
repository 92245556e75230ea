-- Attachments of service requests (issue 14), beside those of award cases: the same table, owned by
-- a case or by a request (exactly one), the same rules (PDF, JPG or PNG, ≤ 20 MB, SHA-256 pinned by
-- the audit entry).
CREATE TABLE attachments_new (
  id INTEGER PRIMARY KEY,
  case_id INTEGER REFERENCES cases (id),
  request_id INTEGER REFERENCES requests (id),
  name TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  bytes BLOB NOT NULL,
  uploaded_at TEXT NOT NULL,
  uploaded_by TEXT NOT NULL,
  CHECK ((case_id IS NULL) <> (request_id IS NULL))
);
INSERT INTO attachments_new (id, case_id, name, mime, size, sha256, bytes, uploaded_at, uploaded_by)
  SELECT id, case_id, name, mime, size, sha256, bytes, uploaded_at, uploaded_by FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE INDEX attachments_case ON attachments (case_id);
CREATE INDEX attachments_request ON attachments (request_id);
