-- Custom ticket fields defined by admins (PostgreSQL). Keep in step with ../sqlite/0015_custom_fields.sql.

-- A field's key is its key in tickets.custom; options is a JSON list (select fields).
CREATE TABLE custom_fields (
    key        TEXT PRIMARY KEY,
    label_zh   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '[]',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    position   BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
