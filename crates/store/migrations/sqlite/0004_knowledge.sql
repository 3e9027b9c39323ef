-- Knowledge base (SQLite). Keep in step with ../postgres/0004_knowledge.sql.
CREATE TABLE kb_categories (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES kb_categories (id),
    path      TEXT NOT NULL UNIQUE,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE kb_articles (
    id                INTEGER PRIMARY KEY,
    slug              TEXT NOT NULL,
    locale            TEXT NOT NULL,
    translation_group INTEGER, -- NULL: its own group (the id)
    category_id       INTEGER REFERENCES kb_categories (id),
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    tags              TEXT NOT NULL DEFAULT '[]',
    product           TEXT,
    status            TEXT NOT NULL,
    internal          BOOLEAN NOT NULL DEFAULT FALSE,
    owner_id          INTEGER REFERENCES agents (id),
    review_on         TEXT,
    version           INTEGER NOT NULL,
    views             INTEGER NOT NULL DEFAULT 0,
    helpful           INTEGER NOT NULL DEFAULT 0,
    not_helpful       INTEGER NOT NULL DEFAULT 0,
    uses              INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    published_at      INTEGER,
    UNIQUE (locale, slug)
);
-- The search index catches up on articles changed since its checkpoint.
CREATE INDEX kb_articles_changed ON kb_articles (updated_at, id);
CREATE INDEX kb_articles_by_category ON kb_articles (category_id, status);
CREATE INDEX kb_articles_by_group ON kb_articles (translation_group);

-- Every saved text of an article, for history, diff and restore.
CREATE TABLE kb_article_versions (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    tags       TEXT NOT NULL DEFAULT '[]',
    edited_by  INTEGER REFERENCES agents (id),
    edited_at  INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- "Did this help?" answers, with the reason when there is one.
CREATE TABLE kb_feedback (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    helpful    BOOLEAN NOT NULL,
    reason     TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX kb_feedback_by_article ON kb_feedback (article_id, id);

-- Searches that found nothing, by normalised text: what the KB team should write next.
CREATE TABLE search_misses (
    query      TEXT NOT NULL,
    scope      TEXT NOT NULL,
    count      INTEGER NOT NULL,
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (scope, query)
);
