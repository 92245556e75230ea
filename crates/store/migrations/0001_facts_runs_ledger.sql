CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE "enterprises" (
  "uscc" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "county" TEXT,
  "industry" TEXT,
  "manufacturing" INTEGER,
  "cluster" TEXT,
  "emerging" TEXT,
  "chain" TEXT,
  PRIMARY KEY (uscc)
);
CREATE TABLE "enterprise_years" (
  "uscc" TEXT NOT NULL,
  "year" INTEGER NOT NULL,
  "above_scale" INTEGER,
  "revenue" INTEGER,
  "output" INTEGER,
  "value_added" INTEGER,
  "tax_paid" INTEGER,
  "local_contribution" INTEGER,
  "private500_rank" INTEGER,
  "performance_leader" INTEGER,
  PRIMARY KEY (uscc, year),
  FOREIGN KEY (uscc) REFERENCES enterprises (uscc)
);
CREATE TABLE "recognitions" (
  "id" TEXT NOT NULL,
  "uscc" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "level" TEXT NOT NULL,
  "year" INTEGER NOT NULL,
  "granted_amount" INTEGER,
  "approved_amount" INTEGER,
  PRIMARY KEY (id),
  FOREIGN KEY (uscc) REFERENCES enterprises (uscc)
);
CREATE TABLE "projects" (
  "id" TEXT NOT NULL,
  "uscc" TEXT NOT NULL,
  "name" TEXT,
  "kind" TEXT NOT NULL,
  "level" TEXT,
  "year" INTEGER,
  "investment" INTEGER,
  "funds_arrived" INTEGER,
  "foreign_usd" INTEGER,
  "global_leader" INTEGER,
  "progress" INTEGER,
  "design_fee" INTEGER,
  "approved_amount" INTEGER,
  PRIMARY KEY (id),
  FOREIGN KEY (uscc) REFERENCES enterprises (uscc)
);
CREATE TABLE "parks" (
  "id" TEXT NOT NULL,
  "name" TEXT,
  "county" TEXT,
  "year" INTEGER,
  "land_area" INTEGER,
  "floor_area_before" INTEGER,
  "floor_area_after" INTEGER,
  "approved_amount" INTEGER,
  PRIMARY KEY (id)
);
CREATE TABLE "organisations" (
  "id" TEXT NOT NULL,
  "name" TEXT,
  "kind" TEXT NOT NULL,
  "level" TEXT,
  "county" TEXT,
  "year" INTEGER,
  "city_registered" INTEGER,
  "legal_person" INTEGER,
  "assessed" INTEGER,
  "granted_amount" INTEGER,
  "approved_amount" INTEGER,
  PRIMARY KEY (id)
);
CREATE TABLE "land_parcels" (
  "id" TEXT NOT NULL,
  "uscc" TEXT NOT NULL,
  "year" INTEGER,
  "area" INTEGER,
  "far" INTEGER,
  "completed" INTEGER,
  "approved_amount" INTEGER,
  PRIMARY KEY (id),
  FOREIGN KEY (uscc) REFERENCES enterprises (uscc)
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  year INTEGER NOT NULL,
  packs TEXT NOT NULL,
  facts_hash TEXT NOT NULL,
  overrides TEXT NOT NULL,
  created_at TEXT NOT NULL,
  total INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  result TEXT NOT NULL,
  approved_at TEXT
);
CREATE TABLE award_lines (
  run_id INTEGER NOT NULL REFERENCES runs (id),
  idx INTEGER NOT NULL,
  pack TEXT NOT NULL,
  rule TEXT NOT NULL,
  subject TEXT NOT NULL,
  enterprise TEXT,
  county TEXT,
  payable INTEGER NOT NULL,
  status TEXT NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (run_id, idx)
);
CREATE INDEX award_lines_enterprise ON award_lines (enterprise);
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id),
  year INTEGER NOT NULL,
  pack TEXT NOT NULL,
  rule TEXT NOT NULL,
  subject TEXT NOT NULL,
  exclusive TEXT,
  cap_keys TEXT NOT NULL,
  amount INTEGER NOT NULL
);
