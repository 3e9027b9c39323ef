-- Merged and related tickets (PostgreSQL). Keep in step with ../sqlite/0009_ticket_relations.sql.

-- A ticket merged into another: it is closed, and the customer's later messages on it
-- go to the target.
CREATE TABLE ticket_merges (
    source_id BIGINT PRIMARY KEY REFERENCES tickets (id),
    target_id BIGINT NOT NULL REFERENCES tickets (id),
    merged_by BIGINT REFERENCES agents (id),
    merged_at BIGINT NOT NULL
);
CREATE INDEX ticket_merges_by_target ON ticket_merges (target_id);

-- Related tickets, one row per direction, so either side lists the other by its key.
CREATE TABLE ticket_links (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    linked_id  BIGINT NOT NULL REFERENCES tickets (id),
    created_by BIGINT REFERENCES agents (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, linked_id)
);
