-- Web UI sign-in sessions (SQLite). Keep in step with ../postgres/0003_web_ui.sql.
-- The cookie carries a random token; only its SHA-256 hash is stored, so a copy of the
-- database does not sign anyone in. Each session has its own CSRF token for forms.
CREATE TABLE web_sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    agent_id     INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
-- "Your sessions" and signing an agent out everywhere.
CREATE INDEX web_sessions_by_agent ON web_sessions (agent_id, id);

-- The inbox's live counts (see domain/src/inbox.rs): one row per view and subject
-- (agent or team; 0 for none), moved by the commands in the ticket's own transaction, so
-- counts never scan the ticket table. Derived data: `rebuild_inbox_counts` rebuilds it.
CREATE TABLE inbox_counts (
    scope      TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (scope, subject_id)
);

-- Customer portal tracking links: the customer holds a random token, we keep its hash.
CREATE TABLE portal_links (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX portal_links_by_ticket ON portal_links (ticket_id);

-- Macros (canned responses): a text per language with variables such as
-- {{ customer.name }} and {{ ticket.number }}, rendered when an agent inserts one.
CREATE TABLE macros (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    body_zh    TEXT NOT NULL,
    body_en    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Password links an admin issues (an invitation, or a reset): single use, short-lived,
-- the token hashed like every secret we hand out.
CREATE TABLE password_links (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
