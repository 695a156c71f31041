-- The audit trail: one row per write, appended in the same transaction as the write, never changed.
CREATE TABLE audit_log (
    id            {serial},
    at            {timestamp} NOT NULL DEFAULT {now},
    actor         TEXT NOT NULL,
    origin        TEXT NOT NULL,
    action        TEXT NOT NULL,
    zone_key      TEXT,
    province_code TEXT,
    subject       TEXT NOT NULL,
    before_json   TEXT,
    after_json    TEXT
);
CREATE INDEX audit_by_zone ON audit_log (zone_key, id);
CREATE INDEX audit_by_actor ON audit_log (actor, id);
