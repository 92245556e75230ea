-- A run's settings (issue 13): values the run fixes for parameters the document leaves open (市区共担's
-- shares). Unlike a what-if's overrides they are the policy as paid: a run with settings only is
-- approved or released like any; its lines carry the city's and the county's parts.
ALTER TABLE runs ADD COLUMN settings TEXT NOT NULL DEFAULT '[]';
