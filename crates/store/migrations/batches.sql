-- Import batches share the datasets table with reference data: every value points to the dataset it came from,
-- and a dataset says what kind of source it is, when it was recorded relative to the others, by whom, and how many
-- rows its file had.
ALTER TABLE datasets ADD COLUMN kind TEXT NOT NULL DEFAULT 'reference'
    CHECK (kind IN ('reference', 'reported', 'registry', 'demo', 'synthetic'));
ALTER TABLE datasets ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE datasets ADD COLUMN recorded_by TEXT;
ALTER TABLE datasets ADD COLUMN rows BIGINT;
UPDATE datasets SET kind = 'demo' WHERE name = 'published-figures';

-- What a report cites for one value (a bulletin, a table), beside the batch it came in.
ALTER TABLE element_values ADD COLUMN note TEXT;
CREATE INDEX element_values_by_dataset ON element_values (dataset);

-- Values that exist only for a zone as a whole (special funds, featured indicators).
CREATE TABLE zone_values (
    element  TEXT NOT NULL,
    zone_key TEXT NOT NULL REFERENCES zones (key),
    year     INTEGER NOT NULL,
    value    {decimal} NOT NULL,
    dataset  TEXT NOT NULL REFERENCES datasets (name),
    note     TEXT,
    PRIMARY KEY (element, zone_key, year, dataset)
);
CREATE INDEX zone_values_by_dataset ON zone_values (dataset);

-- Registry micro-data rolled up per batch, side, basic unit, registration year and contract type.
CREATE TABLE contract_rollups (
    dataset       TEXT NOT NULL REFERENCES datasets (name),
    side          TEXT NOT NULL CHECK (side IN ('seller', 'buyer')),
    division_code TEXT NOT NULL CHECK (length(division_code) = 6),
    year          INTEGER NOT NULL,
    contract_type TEXT NOT NULL,
    contracts     BIGINT NOT NULL,
    turnover      {decimal} NOT NULL,        -- yuan
    tech_amount   {decimal} NOT NULL,        -- yuan
    PRIMARY KEY (dataset, side, division_code, year, contract_type)
);
