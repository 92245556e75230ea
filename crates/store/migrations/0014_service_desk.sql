-- The 「一九千万」 service desk (issue 14): service requests (诉求) kept whole as JSON, their columns
-- for queues; every step an event and an audit entry in the same transaction. The provider registry
-- (服务供给机构), and clause （二十）'s events: utility connections and project approvals. Moments are
-- Beijing time written `YYYY-MM-DD HH:MM`, so they sort as text.
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  enterprise TEXT NOT NULL,
  hub TEXT NOT NULL,
  assignee TEXT,
  state TEXT NOT NULL,
  category TEXT NOT NULL,
  channel TEXT NOT NULL,
  caller TEXT,
  text TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  raised_by TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX requests_hub ON requests (hub, state);
CREATE INDEX requests_enterprise ON requests (enterprise);
CREATE INDEX requests_assignee ON requests (assignee, state);
CREATE INDEX requests_submitted ON requests (submitted_at);
CREATE TABLE request_events (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests (id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL
);
CREATE INDEX request_events_request ON request_events (request_id);
CREATE TABLE providers (
  uscc TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  categories TEXT NOT NULL,
  counties TEXT NOT NULL,
  registered TEXT NOT NULL
);
CREATE TABLE utility_connections (
  id INTEGER PRIMARY KEY,
  enterprise TEXT NOT NULL,
  utility TEXT NOT NULL,
  confirmed_at TEXT NOT NULL,
  connected_at TEXT NOT NULL,
  UNIQUE (enterprise, utility, confirmed_at)
);
CREATE TABLE project_approvals (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL UNIQUE,
  enterprise TEXT NOT NULL,
  started TEXT NOT NULL,
  approved TEXT NOT NULL
);
