-- Annual reports: status and version of each zone-year's report, its text, the values as drafted (the same values
-- are stored as the batch report:<zone>-<year>, where indicators read them), and a snapshot at the last submission.
CREATE TABLE annual_reports (
    zone_key     TEXT NOT NULL REFERENCES zones (key),
    year         INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    version      BIGINT NOT NULL,
    report_text  TEXT NOT NULL DEFAULT '',
    values_json  TEXT NOT NULL DEFAULT '[]',
    snapshot     TEXT,
    submitted_at TEXT,
    late         INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    comment      TEXT,
    PRIMARY KEY (zone_key, year)
);
