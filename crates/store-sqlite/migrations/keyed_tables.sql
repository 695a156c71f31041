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
