-- Documents attached to a zone's procedure or to one year's report (the provincial government's consent letter, the
-- submission letter, the plan, the ministry's approval, the signed annual report, evidence), kept whole with their
-- SHA-256 and size; their format was recognised from their content before they were stored.
CREATE TABLE documents (
    id          {serial},
    zone_key    TEXT NOT NULL REFERENCES zones (key),
    year        INTEGER,                   -- the report's year; NULL for the procedure's documents
    kind        TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        BIGINT NOT NULL CHECK (size > 0),
    content     {bytes} NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at {timestamp} NOT NULL DEFAULT {now}
);
CREATE INDEX documents_by_zone ON documents (zone_key, id);
