-- Self-service on the portal (PostgreSQL). Keep in step with ../sqlite/0016_portal_deflection.sql.

-- One row per portal visit that read a suggested article or filed a request; the visit
-- is the portal's visit cookie, kept only as its SHA-256. Times in Unix milliseconds.
CREATE TABLE portal_visits (
    visit_hash    TEXT PRIMARY KEY,
    seen_at       BIGINT NOT NULL,
    first_read_at BIGINT,
    reads         INTEGER NOT NULL DEFAULT 0,
    submitted_at  BIGINT
);
CREATE INDEX portal_visits_by_first_read ON portal_visits (first_read_at);
CREATE INDEX portal_visits_by_submitted ON portal_visits (submitted_at);
