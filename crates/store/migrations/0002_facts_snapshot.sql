CREATE TABLE facts_snapshot (
  name TEXT NOT NULL,
  part INTEGER NOT NULL,
  ipc BLOB NOT NULL,
  PRIMARY KEY (name, part)
);
