-- Each zone's place in the procedure, with a version for optimistic concurrency, and the history of every step.
CREATE TABLE zone_lifecycle (
    zone_key     TEXT PRIMARY KEY REFERENCES zones (key),
    stage        TEXT NOT NULL,
    term_start   TEXT,
    term_end     TEXT,
    term_assumed INTEGER NOT NULL DEFAULT 0 CHECK (term_assumed IN (0, 1)),
    version      BIGINT NOT NULL
);

CREATE TABLE lifecycle_events (
    id         {serial},
    zone_key   TEXT NOT NULL REFERENCES zones (key),
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         {timestamp} NOT NULL DEFAULT {now},
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    document   TEXT NOT NULL            -- JSON
);
CREATE INDEX lifecycle_events_by_zone ON lifecycle_events (zone_key, id);

CREATE TABLE expert_assignments (
    zone_key TEXT NOT NULL REFERENCES zones (key),
    username TEXT NOT NULL REFERENCES accounts (username),
    reviewed INTEGER NOT NULL DEFAULT 0 CHECK (reviewed IN (0, 1)),
    PRIMARY KEY (zone_key, username)
);
