-- Accounts, their sessions (by the SHA-256 of the token: a stolen database yields no usable token), and failed
-- logins (shared by every instance, so the rate limit holds behind a load balancer).
CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('ministry', 'province', 'expert', 'institution', 'registrar')),
    province_code TEXT CHECK (length(province_code) = 6),
    division_code TEXT CHECK (length(division_code) = 6),
    zone_key      TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    {timestamp} NOT NULL DEFAULT {now}
);

CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    expires_at   BIGINT NOT NULL           -- Unix seconds
);
CREATE INDEX sessions_by_username ON sessions (username);

CREATE TABLE login_failures (
    subject TEXT NOT NULL,                  -- the username tried
    at      BIGINT NOT NULL                 -- Unix seconds
);
CREATE INDEX login_failures_by_subject ON login_failures (subject, at);
