-- Registry micro-data rolled up per batch, the seller's and the buyer's basic unit and the registration year: the
-- technology flow between places, at the finest level contracts name, so that any zone can be summed from it.
CREATE TABLE contract_flows (
    dataset         TEXT NOT NULL REFERENCES datasets (name),
    seller_division TEXT NOT NULL CHECK (length(seller_division) = 6),
    buyer_division  TEXT NOT NULL CHECK (length(buyer_division) = 6),
    year            INTEGER NOT NULL,
    contracts       BIGINT NOT NULL,
    turnover        {decimal} NOT NULL,        -- yuan
    PRIMARY KEY (dataset, seller_division, buyer_division, year)
);
CREATE INDEX contract_flows_by_year ON contract_flows (year);
