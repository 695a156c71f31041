-- A register's counts arrive as a dataset of their own kind. SQLite cannot alter a CHECK, so the table is
-- rebuilt; the foreign keys that point at it hold again once its rows are back, before the step commits.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE datasets_before_registers AS SELECT * FROM datasets;
DROP TABLE datasets;
CREATE TABLE datasets (
    name        TEXT PRIMARY KEY,
    files       TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    source      TEXT NOT NULL,
    loaded_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    kind        TEXT NOT NULL DEFAULT 'reference'
        CHECK (kind IN ('reference', 'reported', 'registry', 'demo', 'synthetic', 'register')),
    revision    BIGINT NOT NULL DEFAULT 0,
    recorded_by TEXT,
    rows        BIGINT,
    scope       TEXT CHECK (length(scope) = 6)
);
INSERT INTO datasets (name, files, sha256, source, loaded_at, kind, revision, recorded_by, rows, scope)
    SELECT name, files, sha256, source, loaded_at, kind, revision, recorded_by, rows, scope
    FROM datasets_before_registers;
DROP TABLE datasets_before_registers;
