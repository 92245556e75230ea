-- Payment batches (支付批次, issue 13): 财政 puts cleared cases of one fund into a batch, exports the
-- bank file, and records the batch paid with its voucher; each case's payment goes into the ledger.
CREATE TABLE payment_batches (
  id INTEGER PRIMARY KEY,
  fund TEXT NOT NULL,
  created_at TEXT NOT NULL,
  paid_at TEXT,
  voucher TEXT,
  checkpoint_count INTEGER NOT NULL,
  checkpoint_head TEXT NOT NULL
);
ALTER TABLE cases ADD COLUMN batch INTEGER REFERENCES payment_batches (id);
