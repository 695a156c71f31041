-- The ledger of rewards institutions paid the people who made their achievements (第四十五条): one row per
-- distribution, the whole of it (pool, basis, each person's share and amount) as the JSON of the domain's
-- `Distribution`; what the store filters on is a column.
CREATE TABLE reward_distributions (
    id          {serial},
    owner       TEXT NOT NULL REFERENCES accounts (username),
    division    TEXT NOT NULL CHECK (length(division) = 6),
    achievement TEXT NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('transfer', 'license', 'equity', 'implementation')),
    year        INTEGER NOT NULL,
    body        TEXT NOT NULL,
    recorded_at {timestamp} NOT NULL DEFAULT {now}
);
CREATE INDEX reward_distributions_by_owner ON reward_distributions (owner, achievement);
CREATE INDEX reward_distributions_by_division ON reward_distributions (division);
