-- The ledger holds what was paid (issue 13). Each entry says where the payment is recorded: the
-- entries written before cases existed came from an approved run (jx555 approve), which counts as
-- paid; a case's entry names the case, its payment batch and the voucher.
ALTER TABLE ledger ADD COLUMN provenance TEXT NOT NULL DEFAULT 'approved run';
