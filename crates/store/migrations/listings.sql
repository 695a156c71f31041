-- Listings and auctions of achievements (挂牌交易, 拍卖). The terms are the JSON of the domain's `ListingTerms`;
-- what the store filters on is a column. Every bid raises the listing's version, so two bids on one auction are
-- checked against the bids the other placed. A close that makes a deal names the winning bid and the contract it
-- drafted, in the same transaction.
CREATE TABLE listings (
    id          {serial},
    owner       TEXT NOT NULL REFERENCES accounts (username),
    status      TEXT NOT NULL CHECK (status IN ('open', 'sold', 'unsold', 'withdrawn')),
    method      TEXT NOT NULL CHECK (method IN ('agreement', 'listing', 'auction')),
    seller_division TEXT NOT NULL CHECK (length(seller_division) = 6),
    closes_on   TEXT NOT NULL,           -- ISO date
    body        TEXT NOT NULL,
    winning_bid BIGINT,
    contract_id BIGINT REFERENCES contracts (id),
    reason      TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  {timestamp} NOT NULL DEFAULT {now},
    updated_at  {timestamp} NOT NULL DEFAULT {now}
);
CREATE INDEX listings_by_status ON listings (status, closes_on);
CREATE INDEX listings_by_owner ON listings (owner, id);

CREATE TABLE listing_bids (
    id              {serial},
    listing_id      BIGINT NOT NULL REFERENCES listings (id),
    bidder          TEXT NOT NULL REFERENCES accounts (username),
    buyer_name      TEXT NOT NULL,
    buyer_division  TEXT NOT NULL CHECK (length(buyer_division) = 6),
    amount_yuan     {decimal} NOT NULL,
    placed_at       TEXT NOT NULL        -- ISO 8601
);
CREATE INDEX listing_bids_by_listing ON listing_bids (listing_id, id);
