-- Policies in force per zone, checks of their implementation, and the library of replicable experience.
CREATE TABLE policies (
    id         {serial},
    zone_key   TEXT NOT NULL REFERENCES zones (key),
    level      TEXT NOT NULL CHECK (level IN ('national', 'local')),
    issuer     TEXT NOT NULL,
    number     TEXT NOT NULL,
    issued     TEXT NOT NULL,
    title      TEXT NOT NULL,
    provisions TEXT NOT NULL
);
CREATE INDEX policies_by_zone ON policies (zone_key, id);

CREATE TABLE policy_checks (
    id         {serial},
    policy_id  BIGINT NOT NULL REFERENCES policies (id),
    checked_on TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    finding    TEXT NOT NULL CHECK (finding IN ('implemented', 'partial', 'not_implemented')),
    evidence   TEXT NOT NULL,
    annex_row  INTEGER CHECK (annex_row IN (13, 14, 15))
);
CREATE INDEX policy_checks_by_policy ON policy_checks (policy_id, id);

CREATE TABLE experiences (
    id           {serial},
    zone_key     TEXT NOT NULL REFERENCES zones (key),
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    policies     TEXT NOT NULL DEFAULT '[]',   -- JSON list of policy ids
    published_on TEXT
);
