-- Payment parts (拨付分项, issue 13): a batch is one fund's payments by one payer (a county's treasury
-- or the city's). Under 市区共担 a case is paid in two parts — the city's share from the city's batch,
-- the county's share from its county's — otherwise in one part by its treasury. A case is paid when
-- all its parts are.
CREATE TABLE case_parts (
  case_id INTEGER NOT NULL REFERENCES cases (id),
  batch_id INTEGER NOT NULL REFERENCES payment_batches (id),
  payer TEXT NOT NULL,
  amount INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'failed')),
  reason TEXT,
  PRIMARY KEY (case_id, batch_id)
);
CREATE INDEX case_parts_batch ON case_parts (batch_id);
-- Cases batched before parts: one part each, the whole amount, by the case's treasury.
INSERT INTO case_parts (case_id, batch_id, payer, amount, state, reason)
SELECT id, batch,
  CASE WHEN county IS NULL THEN '市财政' ELSE county || '财政' END,
  COALESCE(json_extract(body, '$.amount'), 0),
  CASE state WHEN 'Paid' THEN 'paid' WHEN 'PaymentFailed' THEN 'failed' WHEN 'Corrected' THEN 'failed'
    ELSE 'pending' END,
  NULL
FROM cases WHERE batch IS NOT NULL;
