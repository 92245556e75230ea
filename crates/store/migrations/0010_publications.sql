-- 公示 batches (issue 13): a lead department publishes its ready cases together, for a number of
-- working days, with a contact; the audit log's checkpoint at that moment is printed on the notice.
CREATE TABLE publications (
  id INTEGER PRIMARY KEY,
  department TEXT NOT NULL,
  created_at TEXT NOT NULL,
  ends TEXT NOT NULL,
  contact TEXT NOT NULL,
  checkpoint_count INTEGER NOT NULL,
  checkpoint_head TEXT NOT NULL
);
ALTER TABLE cases ADD COLUMN publication INTEGER REFERENCES publications (id);
