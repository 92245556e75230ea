-- Accounts, their sessions and API tokens (issue 12). Secrets are never stored: a password as its
-- Argon2id hash, a session id and an API token as their SHA-256, so a copy of the file opens no door.
CREATE TABLE accounts (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  scope TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  must_change INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  account TEXT REFERENCES accounts (name),
  csrf TEXT NOT NULL,
  created INTEGER NOT NULL,
  seen INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL REFERENCES accounts (name),
  hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at INTEGER,
  revoked_at TEXT
);
