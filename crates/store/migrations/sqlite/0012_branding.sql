-- The public pages' look (sqlite). Keep in step with ../postgres/0012_branding.sql.

-- One row: the department's name and welcome text in both languages, an accent colour,
-- and the logo (its bytes in attachment_contents, by hash).
CREATE TABLE portal_branding (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    welcome_zh  TEXT NOT NULL,
    welcome_en  TEXT NOT NULL,
    accent      TEXT NOT NULL,
    logo_sha256 TEXT REFERENCES attachment_contents (sha256),
    logo_type   TEXT,
    updated_at  INTEGER NOT NULL
);
