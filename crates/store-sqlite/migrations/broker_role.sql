-- Brokers (技术经纪人) get accounts of their own. SQLite cannot change a CHECK in place, so the table is made anew;
-- its rows go aside and come back, and so do the sessions that the drop's cascade takes with it. The other tables'
-- references are checked at commit (defer_foreign_keys), by when every account is back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE accounts_before AS SELECT * FROM accounts;
CREATE TEMP TABLE sessions_before AS SELECT * FROM sessions;
DROP TABLE accounts;
CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('ministry', 'province', 'expert', 'institution', 'registrar', 'broker')),
    province_code TEXT CHECK (length(province_code) = 6),
    division_code TEXT CHECK (length(division_code) = 6),
    zone_key      TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO accounts (username, role, province_code, division_code, zone_key, password_hash, disabled, created_at)
SELECT username, role, province_code, division_code, zone_key, password_hash, disabled, created_at
FROM temp.accounts_before;
INSERT INTO sessions SELECT * FROM temp.sessions_before WHERE token_sha256 NOT IN (SELECT token_sha256 FROM sessions);
DROP TABLE temp.accounts_before;
DROP TABLE temp.sessions_before;
