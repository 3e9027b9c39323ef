-- Outbound mail and the customers' own sign-in (sqlite). Keep in step with ../postgres/0014_mail.sql.

-- Mail waiting to go out, written in the transaction of what it tells (nothing promised
-- to a customer is lost in a crash); the sender leases a batch, sends it, and marks each
-- one sent, or tries again later.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER,
    last_error      TEXT,
    sent_at         INTEGER,
    failed_at       INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- One-time sign-in links for returning customers (the token's SHA-256; used once), and
-- the address each was sent to: the one the customer proves they read.
CREATE TABLE customer_sign_in_links (
    token_hash  TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- A signed-in customer's session on the portal (the cookie's token, hashed), with the
-- address it was proven for: it shows the requests filed with that address only.
CREATE TABLE customer_sessions (
    token_hash  TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX customer_sessions_by_expiry ON customer_sessions (expires_at);
