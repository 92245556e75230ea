-- The facts are kept once, in their Arrow snapshot (facts_snapshot), the form every reader reads
-- (issue 16). Until now each import also wrote them as rows, one table per canonical table: 9.1
-- million rows for a million enterprises, two thirds of the import's time, read by nothing but
-- stores whose snapshot a migration had cleared. This step's code (facts_into_snapshot) writes such
-- rows into the snapshot, in their order, then drops the tables of rows.
--
-- A snapshot part is kept in chunks, rows inserted as the encoder writes them. A part was one blob,
-- sized by a first encoding and filled by a second: SQLite wrote its pages once as zeros and again
-- with the data, and the first encoding was work thrown away. A part stored before is its chunk 0.
CREATE TABLE facts_snapshot_chunks (
  name TEXT NOT NULL,
  part INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  ipc BLOB NOT NULL,
  PRIMARY KEY (name, part, chunk)
);
INSERT INTO facts_snapshot_chunks (name, part, chunk, ipc)
  SELECT name, part, 0, ipc FROM facts_snapshot;
DROP TABLE facts_snapshot;
ALTER TABLE facts_snapshot_chunks RENAME TO facts_snapshot;
