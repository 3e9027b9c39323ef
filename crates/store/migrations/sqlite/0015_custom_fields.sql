-- Custom ticket fields defined by admins (sqlite). Keep in step with ../postgres/0015_custom_fields.sql.

-- A field's key is its key in tickets.custom; options is a JSON list (select fields).
CREATE TABLE custom_fields (
    key        TEXT PRIMARY KEY,
    label_zh   TEXT NOT NULL,
    label_en   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '[]',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    position   INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
