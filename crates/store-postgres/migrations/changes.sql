-- The change log: one row for every write of data (not for logins), in the write's own transaction. Sequence values
-- are taken in one order and committed in another, so each row also keeps its transaction's id: a reader only takes
-- rows of transactions older than every transaction still running (pg_snapshot_xmin), ordered by (tx, id). Nothing
-- can later commit before that point, so a cursor (tx, id) never skips or repeats a change.
CREATE TABLE changes (
    id     BIGSERIAL PRIMARY KEY,
    tx     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    action TEXT NOT NULL,
    at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX changes_in_order ON changes (tx, id);
