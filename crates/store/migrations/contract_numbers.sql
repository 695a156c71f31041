-- The contract numbers each registry file counted (a contracts batch's rows are rolled up and say no number), so
-- that TTDZ does not register, and count, one of those contracts a second time. A national file holds millions, so
-- they are grouped by a hash of the number (ttdz_domain::counted::bucket_of) into 4,096 groups, each one sorted text
-- of a number a line: a file is a few thousand rows however long, and a registration reads one group per file.
-- Files imported before this table existed keep no numbers until they are imported again.
CREATE TABLE contract_numbers (
    bucket  INTEGER NOT NULL CHECK (bucket >= 0 AND bucket < 4096),
    dataset TEXT NOT NULL REFERENCES datasets (name),
    numbers TEXT NOT NULL,
    PRIMARY KEY (bucket, dataset)
);
