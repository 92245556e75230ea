-- Award cases (奖补事项, issue 13): a released run's lines, each on its path to payment. The case is
-- kept whole as JSON (its state also in a column for queues); every transition is an event, and an
-- audit entry in the same transaction.
CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  idx INTEGER NOT NULL,
  pack TEXT NOT NULL,
  rule TEXT NOT NULL,
  subject TEXT NOT NULL,
  enterprise TEXT,
  county TEXT,
  department TEXT NOT NULL,
  state TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (run_id, idx)
);
CREATE INDEX cases_state ON cases (state);
CREATE INDEX cases_enterprise ON cases (enterprise);
CREATE INDEX cases_county ON cases (county);
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases (id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id);
ALTER TABLE runs ADD COLUMN released_at TEXT;
