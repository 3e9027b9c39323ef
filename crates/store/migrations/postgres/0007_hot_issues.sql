-- Hot issues and hourly department totals (postgres): tickets per topic per UTC hour, folded from the ticket events by the
-- analytics reactor (kefu_app::hot_issues) and kept about five weeks (the widest report
-- compares with the same hours four weeks back); and the alerts raised to supervisors.

-- facet: category, tag, product or word. tickets: how many tickets said it that hour.
CREATE TABLE hot_topic_hours (
    hour    BIGINT NOT NULL,
    facet   TEXT NOT NULL,
    term    TEXT NOT NULL,
    tickets BIGINT NOT NULL,
    PRIMARY KEY (hour, facet, term)
);

-- The last event whose topics are counted. Separate from the KPI cursor: topics are
-- counted outside the KPI batch (segmenting text is slow work to do in the writer).
CREATE TABLE hot_topic_cursor (
    id       BIGINT PRIMARY KEY,
    event_id BIGINT NOT NULL
);
INSERT INTO hot_topic_cursor (id, event_id) VALUES (1, 0);

-- One alert per topic per UTC day (day = hours since the epoch / 24) at most; the key is
-- what keeps two nodes from both raising it.
CREATE TABLE hot_alerts (
    facet     TEXT NOT NULL,
    term      TEXT NOT NULL,
    day       BIGINT NOT NULL,
    raised_at BIGINT NOT NULL,
    tickets   BIGINT NOT NULL,
    usual     DOUBLE PRECISION NOT NULL,
    surprise  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (facet, term, day)
);
CREATE INDEX hot_alerts_by_time ON hot_alerts (raised_at);

-- The department's totals per UTC hour (every dimension summed): what the dashboard reads
-- for "the same hours a week before" and a report with no filter over hours, a handful
-- of rows where kpi_hours has hundreds per hour. Folded with kpi_hours, in the same
-- transaction.
CREATE TABLE kpi_hour_totals (
    hour                           BIGINT NOT NULL PRIMARY KEY,
    created                        BIGINT NOT NULL DEFAULT 0,
    complaints                     BIGINT NOT NULL DEFAULT 0,
    created_resolved               BIGINT NOT NULL DEFAULT 0,
    transfers                      BIGINT NOT NULL DEFAULT 0,
    first_responses                BIGINT NOT NULL DEFAULT 0,
    first_response_ms              BIGINT NOT NULL DEFAULT 0,
    first_response_business_ms     BIGINT NOT NULL DEFAULT 0,
    next_responses                 BIGINT NOT NULL DEFAULT 0,
    next_response_ms               BIGINT NOT NULL DEFAULT 0,
    resolved                       BIGINT NOT NULL DEFAULT 0,
    resolution_ms                  BIGINT NOT NULL DEFAULT 0,
    resolution_business_ms         BIGINT NOT NULL DEFAULT 0,
    reopened                       BIGINT NOT NULL DEFAULT 0,
    first_resolutions              BIGINT NOT NULL DEFAULT 0,
    first_contact_resolved         BIGINT NOT NULL DEFAULT 0,
    agent_replies                  BIGINT NOT NULL DEFAULT 0,
    sla_first_response_met         BIGINT NOT NULL DEFAULT 0,
    sla_first_response_missed      BIGINT NOT NULL DEFAULT 0,
    sla_next_response_met          BIGINT NOT NULL DEFAULT 0,
    sla_next_response_missed       BIGINT NOT NULL DEFAULT 0,
    sla_resolution_met             BIGINT NOT NULL DEFAULT 0,
    sla_resolution_missed          BIGINT NOT NULL DEFAULT 0,
    sla_arrival_met                BIGINT NOT NULL DEFAULT 0,
    sla_arrival_missed             BIGINT NOT NULL DEFAULT 0,
    first_response_sketch          BYTEA,
    first_response_business_sketch BYTEA,
    next_response_sketch           BYTEA,
    resolution_sketch              BYTEA,
    resolution_business_sketch     BYTEA
);

-- Whether kpi_hour_totals has been filled from the kpi_hours folded before it existed (the
-- reactor does it once, at start, under the cursor's lock).
ALTER TABLE analytics_cursor ADD COLUMN totals_backfilled BOOLEAN NOT NULL DEFAULT FALSE;
