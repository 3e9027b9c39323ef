-- Attachments (sqlite). Keep in step with ../postgres/0008_attachments.sql.
--
-- Files live in the database, not in the data dir: they are written in the same
-- transaction as the message they came with (a crash keeps both or neither), they are in
-- every backup of the database, and every node of a PostgreSQL deployment can serve them.
-- Contents are stored once per SHA-256 (a screenshot sent twice costs its bytes once).

CREATE TABLE attachment_contents (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
);

-- message_id NULL: sent with the request itself (the portal form).
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
    message_id   INTEGER REFERENCES messages (id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL REFERENCES attachment_contents (sha256),
    author_kind  TEXT NOT NULL,
    author_id    INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id, id);
