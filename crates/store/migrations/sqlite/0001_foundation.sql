-- Kefu foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- the two differ only in id columns and types SQLite lacks.
-- Timestamps are INTEGER milliseconds since the epoch, UTC. JSON is stored as TEXT.

CREATE TABLE teams (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    description   TEXT NOT NULL DEFAULT '',
    lead_agent_id INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT,
    skills        TEXT NOT NULL DEFAULT '[]',
    languages     TEXT NOT NULL DEFAULT '[]',
    presence      TEXT NOT NULL DEFAULT 'offline',
    capacity      INTEGER NOT NULL DEFAULT 10,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_by_agent ON team_members (agent_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);

CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    organization  TEXT,
    tier          TEXT NOT NULL DEFAULT 'normal',
    customer_type TEXT,
    external_ids  TEXT NOT NULL DEFAULT '{}',
    tags          TEXT NOT NULL DEFAULT '[]',
    consent_at    INTEGER,
    custom        TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_by_email ON customers (email) WHERE email IS NOT NULL;
CREATE INDEX customers_by_phone ON customers (phone) WHERE phone IS NOT NULL;

CREATE TABLE categories (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES categories (code),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0
);

-- A ticket's number is the highest number so far plus one (from the unique index), taken
-- by the single writer inside the creating transaction: no gaps, no hot counter row.
CREATE TABLE tickets (
    id                  INTEGER PRIMARY KEY,
    number              INTEGER NOT NULL UNIQUE,
    subject             TEXT NOT NULL,
    description         TEXT NOT NULL,
    kind                TEXT NOT NULL,
    channel             TEXT NOT NULL,
    status              TEXT NOT NULL,
    -- 0 low .. 3 urgent, so "most urgent first" is an index order.
    priority            SMALLINT NOT NULL,
    category            TEXT REFERENCES categories (code),
    tags                TEXT NOT NULL DEFAULT '[]',
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    team_id             INTEGER REFERENCES teams (id),
    assignee_id         INTEGER REFERENCES agents (id),
    owner_id            INTEGER REFERENCES agents (id),
    expected_resolution TEXT,
    custom              TEXT NOT NULL DEFAULT '{}',
    transfer_count      INTEGER NOT NULL DEFAULT 0,
    reopen_count        INTEGER NOT NULL DEFAULT 0,
    follow_up_of        INTEGER,
    has_public_reply    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    first_reply_at      INTEGER,
    resolved_at         INTEGER
);
-- One index per inbox query shape (see store/src/tickets.rs, list).
CREATE INDEX tickets_by_status ON tickets (status, created_at, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status, created_at, id);
CREATE INDEX tickets_by_team ON tickets (team_id, status, created_at, id);
CREATE INDEX tickets_by_customer ON tickets (customer_id, created_at, id);
CREATE INDEX tickets_by_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_by_status_priority ON tickets (status, priority, created_at, id);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    kind        TEXT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id   INTEGER,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);

CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    kind       TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   INTEGER,
    data       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

-- Idempotency-Key replays: the first response to a key is kept and returned again.
CREATE TABLE idempotency_keys (
    agent_id      INTEGER NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    ticket_number INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (agent_id, key)
);
