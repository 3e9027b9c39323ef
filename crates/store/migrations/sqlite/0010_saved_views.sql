-- Saved personal views (sqlite). Keep in step with ../postgres/0010_saved_views.sql.

-- An agent's named ticket-list filter: the list's query string (only known, validated
-- parameters), shown as a tab in the agent's inbox.
CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (agent_id, name)
);
