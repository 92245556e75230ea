-- Ledger keys in the canonical form of jx555_engine::key: values, not the text shown to a reader, and
-- cap pools of the pack rather than of one rule's step. The rows are rewritten by code right after
-- this file (sqlite.rs, rekey_ledger): `group|shown|…` becomes `group|value|…`, and
-- `pack|rule|capN|shown|…` becomes `pack|value|…`.
SELECT 1;
