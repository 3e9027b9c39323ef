-- Analytics (sqlite): hourly and daily KPI rollups folded from the ticket events by the analytics
-- reactor (kefu_app::analytics), the per-ticket state the fold carries between batches,
-- and the reactor's cursor. All derived: `kefu analytics rebuild` empties and refills them.

-- One row per UTC hour (hours since the epoch) and dimensions; team_id / agent_id 0 mean
-- none. Counters add up across rows; the sketches (DDSketch, binary) merge.
CREATE TABLE kpi_hours (
    hour                           BIGINT NOT NULL,
    team_id                        BIGINT NOT NULL,
    agent_id                       BIGINT NOT NULL,
    channel                        TEXT NOT NULL,
    kind                           TEXT NOT NULL,
    priority                       TEXT NOT NULL,
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
    first_response_sketch          BLOB,
    first_response_business_sketch BLOB,
    next_response_sketch           BLOB,
    resolution_sketch              BLOB,
    resolution_business_sketch     BLOB,
    PRIMARY KEY (hour, team_id, agent_id, channel, kind, priority)
);
CREATE INDEX kpi_hours_by_team ON kpi_hours (team_id, hour);
CREATE INDEX kpi_hours_by_agent ON kpi_hours (agent_id, hour);

-- The same values per day (in the reporting zone: the first calendar's) for all tickets
-- (slice '') and for each single dimension (slice 'team_id', 'agent_id', 'channel', 'kind',
-- 'priority' with its value, '0' for no team or agent): a report over months filtered or
-- grouped by at most one dimension reads a few rows per day.
CREATE TABLE kpi_days (
    day                            TEXT NOT NULL,
    slice                          TEXT NOT NULL,
    slice_value                    TEXT NOT NULL,
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
    first_response_sketch          BLOB,
    first_response_business_sketch BLOB,
    next_response_sketch           BLOB,
    resolution_sketch              BLOB,
    resolution_business_sketch     BLOB,
    PRIMARY KEY (slice, slice_value, day)
);
CREATE INDEX kpi_days_by_day ON kpi_days (slice, day);

-- What the fold remembers about each ticket (kefu_domain::analytics::fold::TicketTrack).
CREATE TABLE analytics_tracks (
    ticket_id BIGINT PRIMARY KEY,
    track     TEXT NOT NULL
);

-- The last event folded into the rollups; one row, locked by the batch that moves it, so
-- several nodes never fold the same event twice.
CREATE TABLE analytics_cursor (
    id         SMALLINT PRIMARY KEY,
    event_id   BIGINT NOT NULL,
    rebuilt_at BIGINT
);
INSERT INTO analytics_cursor (id, event_id) VALUES (1, 0);
