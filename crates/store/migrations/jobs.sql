-- Background jobs: a job claims its period (a day) by inserting it; the instance whose insert succeeds runs it, so
-- with several servers on one database each job runs once a period.
CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    period     TEXT NOT NULL,
    claimed_at {timestamp} NOT NULL DEFAULT {now},
    PRIMARY KEY (job, period)
);

-- Reminders the jobs leave for the people who must act: one per zone, kind and subject, however often a job runs.
CREATE TABLE todos (
    id            {serial},
    zone_key      TEXT NOT NULL REFERENCES zones (key),
    province_code TEXT NOT NULL CHECK (length(province_code) = 6),
    kind          TEXT NOT NULL CHECK (kind IN ('report_due', 'term_end')),
    subject       TEXT NOT NULL,            -- the report's year, or the term's last day
    due_on        TEXT NOT NULL,            -- ISO 8601
    created_at    {timestamp} NOT NULL DEFAULT {now},
    UNIQUE (zone_key, kind, subject)
);
