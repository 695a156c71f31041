-- The change log: one row for every write of data (not for logins), in the write's own transaction. SQLite has one
-- writer at a time, so ids follow commit order and a reader's cursor is the last id it saw.
CREATE TABLE changes (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind   TEXT NOT NULL,                   -- what was written: import, report, lifecycle, policy, account, ...
    key    TEXT NOT NULL,                   -- which record: a batch name, a zone-year, a zone key, a username, ...
    action TEXT NOT NULL,                   -- as the audit trail names it
    at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
