-- Technology contracts filed and registered in TTDZ (技术合同认定登记). What the store filters on is a column; the
-- contract as filed (and as registered: the technical part the registrar may correct) is the JSON of the domain's
-- `ContractFiling`, its steps with reasons the JSON list `history`. `contract_no` is set at registration and unique:
-- a contract is registered once. Registered contracts of a year make the batch `registry:live:YEAR`, rebuilt in the
-- transaction of every registration, revocation or cancellation.
CREATE TABLE contracts (
    id              {serial},
    contract_no     TEXT UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('filed', 'registered', 'refused', 'revoked', 'cancelled')),
    filed_by        TEXT NOT NULL REFERENCES accounts (username),
    seller_division TEXT NOT NULL CHECK (length(seller_division) = 6),
    locality        TEXT,
    year            INTEGER,
    body            TEXT NOT NULL,
    history         TEXT NOT NULL DEFAULT '[]',
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      {timestamp} NOT NULL DEFAULT {now},
    updated_at      {timestamp} NOT NULL DEFAULT {now}
);
CREATE INDEX contracts_by_status ON contracts (status, seller_division);
CREATE INDEX contracts_by_year ON contracts (year, status);
CREATE INDEX contracts_by_filer ON contracts (filed_by, id);
