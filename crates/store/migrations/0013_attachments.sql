-- Attachments of a case's application (issue 13): PDF, JPG or PNG up to 20 MB, kept with their
-- SHA-256 (which the audit entry of the upload pins).
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases (id),
  name TEXT NOT NULL,
  mime TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  bytes BLOB NOT NULL,
  uploaded_at TEXT NOT NULL,
  uploaded_by TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id);
