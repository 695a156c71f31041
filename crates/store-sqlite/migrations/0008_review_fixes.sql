-- A batch belongs to the province it was recorded for (NULL: national, the ministry or the command line); only
-- that province or the ministry may replace it.
ALTER TABLE datasets ADD COLUMN scope TEXT CHECK (length(scope) = 6);

-- Draft report values used to be stored as a batch on every save, and so were public at once. A report's values
-- are now stored when the ministry accepts it: remove what unaccepted reports left behind.
DELETE FROM element_values WHERE dataset IN
    (SELECT 'report:' || zone_key || '-' || year FROM annual_reports WHERE status <> 'accepted');
DELETE FROM zone_values WHERE dataset IN
    (SELECT 'report:' || zone_key || '-' || year FROM annual_reports WHERE status <> 'accepted');
DELETE FROM datasets WHERE name IN
    (SELECT 'report:' || zone_key || '-' || year FROM annual_reports WHERE status <> 'accepted');

-- Assumed terms ran two calendar years, shorter than the 3 to 5 years the guideline sets: make them three.
UPDATE zone_lifecycle SET term_end = printf('%04d-12-31', CAST(substr(term_start, 1, 4) AS INTEGER) + 2)
    WHERE term_assumed = 1 AND term_start LIKE '____-01-01';

-- Each zone's approval note and source in Chinese, for the Chinese pages (the English ones stay for the English).
ALTER TABLE zones ADD COLUMN approval_note_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE zones ADD COLUMN source_zh TEXT NOT NULL DEFAULT '';

-- The two tables a registry import fills, hundreds of thousands of rows at a time, keyed by their primary keys
-- alone (WITHOUT ROWID): one b-tree each instead of a table and an index of the same key.
CREATE TABLE contract_rollups_keyed (
    dataset       TEXT NOT NULL REFERENCES datasets (name),
    side          TEXT NOT NULL CHECK (side IN ('seller', 'buyer')),
    division_code TEXT NOT NULL CHECK (length(division_code) = 6),
    year          INTEGER NOT NULL,
    contract_type TEXT NOT NULL,
    contracts     INTEGER NOT NULL,
    turnover      TEXT NOT NULL,           -- yuan, exact decimal text
    tech_amount   TEXT NOT NULL,           -- yuan, exact decimal text
    PRIMARY KEY (dataset, side, division_code, year, contract_type)
) WITHOUT ROWID;
INSERT INTO contract_rollups_keyed
    SELECT dataset, side, division_code, year, contract_type, contracts, turnover, tech_amount FROM contract_rollups;
DROP TABLE contract_rollups;
ALTER TABLE contract_rollups_keyed RENAME TO contract_rollups;

CREATE TABLE element_values_keyed (
    element       TEXT NOT NULL,
    division_code TEXT NOT NULL CHECK (length(division_code) = 6),
    year          INTEGER NOT NULL,
    value         TEXT NOT NULL,        -- exact decimal text, never REAL
    dataset       TEXT NOT NULL REFERENCES datasets (name),
    note          TEXT,                 -- what a report cites for the value
    PRIMARY KEY (element, division_code, year, dataset)
) WITHOUT ROWID;
INSERT INTO element_values_keyed SELECT element, division_code, year, value, dataset, note FROM element_values;
DROP TABLE element_values;
ALTER TABLE element_values_keyed RENAME TO element_values;
CREATE INDEX element_values_by_dataset ON element_values (dataset);
