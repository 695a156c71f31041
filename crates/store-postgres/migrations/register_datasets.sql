-- A register's counts arrive as a dataset of their own kind.
ALTER TABLE datasets DROP CONSTRAINT datasets_kind_check;
ALTER TABLE datasets ADD CONSTRAINT datasets_kind_check
    CHECK (kind IN ('reference', 'reported', 'registry', 'demo', 'synthetic', 'register'));
