-- A year is paid once: at most one approved run per year, held by the database itself, so two
-- approvals racing for one year cannot both succeed. (A database where a year was already approved
-- twice cannot take this migration: the error names the index, and the duplicate must be undone by
-- hand, with the auditors, before jx555 opens it again.)
CREATE UNIQUE INDEX runs_one_approved_per_year ON runs (year) WHERE approved_at IS NOT NULL;
-- The ledger a run was computed on (SHA-256 of the entries of earlier years); approval refuses a run
-- whose ledger or facts changed since. Runs stored before this column have none and must be re-run.
ALTER TABLE runs ADD COLUMN ledger_state TEXT;
