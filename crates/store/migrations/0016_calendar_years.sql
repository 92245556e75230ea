-- Years of the official working-day calendar loaded by officials (each November the State Council
-- publishes the next year's holidays and 调休 working days): the year's rows as `date,kind,name` CSV,
-- replacing the bundled file's rows for that year. Each load is audited.
CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  csv TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  loaded_by TEXT NOT NULL
);
