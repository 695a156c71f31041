-- Experts' grades of Annex 2 rows 13-15 (the policy environment) per zone and year, against the rubric of each row:
-- the row's value for the zone-year is the mean of its graders' scores. One grade per expert, zone, year and row;
-- grading again replaces it.
CREATE TABLE grades (
    zone_key  TEXT NOT NULL REFERENCES zones (key),
    year      INTEGER NOT NULL,
    annex_row INTEGER NOT NULL CHECK (annex_row IN (13, 14, 15)),
    username  TEXT NOT NULL REFERENCES accounts (username),
    score     INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    reasons   TEXT NOT NULL,
    evidence  TEXT NOT NULL,
    policies  TEXT NOT NULL DEFAULT '[]',   -- JSON list of the zone's policy ids cited
    graded_at {timestamp} NOT NULL DEFAULT {now},
    PRIMARY KEY (zone_key, year, annex_row, username)
);
