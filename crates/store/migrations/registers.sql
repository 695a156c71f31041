-- The registers of the technology market (transfer institutions, brokers, investors, maker spaces, incubated
-- firms): one row per entry, its whole record as JSON; the year-end counts each register's batch holds are
-- rebuilt from these rows in the transaction that changes one.
CREATE TABLE register_entries (
    id          {serial},
    register    TEXT NOT NULL CHECK (register IN ('national_tt_institutions', 'university_tt_offices',
                    'tech_brokers', 'angel_vc_institutions', 'maker_spaces', 'incubated_tech_firms')),
    division    TEXT NOT NULL CHECK (length(division) = 6),
    name        TEXT NOT NULL,
    valid_from  TEXT NOT NULL,           -- ISO date
    valid_until TEXT,                    -- ISO date; open while NULL
    body        TEXT NOT NULL,           -- the entry as JSON
    version     BIGINT NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  {timestamp} NOT NULL DEFAULT {now},
    updated_at  {timestamp} NOT NULL DEFAULT {now}
);
CREATE INDEX register_entries_by_division ON register_entries (register, division);
