-- The achievement and demand information service: S&T achievements and technology demands, one row each. What the
-- store filters on (kind, status, owner, division, the import batch) are columns; the record's description is the
-- JSON of the domain's `Achievement` or `Demand`. `external_id` is the id the record has where it came from (the
-- holder's own, or a registry's), unique per kind; `version` grows with every change, for optimistic locking.
CREATE TABLE information_records (
    id            {serial},
    kind          TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    external_id   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'closed')),
    owner         TEXT REFERENCES accounts (username),
    division_code TEXT,
    batch         TEXT,
    body          TEXT NOT NULL,
    comment       TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    {timestamp} NOT NULL DEFAULT {now},
    updated_at    {timestamp} NOT NULL DEFAULT {now},
    published_at  {timestamp},             -- when it was last published; the digests follow it
    UNIQUE (kind, external_id)
);
CREATE INDEX information_records_by_status ON information_records (kind, status, id);
CREATE INDEX information_records_by_owner ON information_records (owner, id);
CREATE INDEX information_records_by_batch ON information_records (batch);
CREATE INDEX information_records_by_publication ON information_records (kind, published_at);

-- What each account follows, per kind of record: technical fields and areas (division codes or zone keys), as JSON
-- lists (empty: all); its digest is what was published since `read_until`.
CREATE TABLE subscriptions (
    username   TEXT NOT NULL REFERENCES accounts (username),
    kind       TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    fields     TEXT NOT NULL DEFAULT '[]',
    areas      TEXT NOT NULL DEFAULT '[]',
    read_until TEXT,
    PRIMARY KEY (username, kind)
);

-- Assessments of achievements (科技成果评估): the assessor's scores per dimension, conclusion, evidence and
-- valuation, as the JSON of the domain's `Assessment`; kept, never rewritten.
CREATE TABLE assessments (
    id          {serial},
    record_id   BIGINT NOT NULL REFERENCES information_records (id),
    assessor    TEXT NOT NULL,
    body        TEXT NOT NULL,
    assessed_at {timestamp} NOT NULL DEFAULT {now}
);
CREATE INDEX assessments_by_record ON assessments (record_id, id);
