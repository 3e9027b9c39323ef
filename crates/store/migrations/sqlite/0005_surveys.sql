-- Satisfaction surveys (SQLite). Keep in step with ../postgres/0005_surveys.sql.

-- Every version of every design; the highest version of a key is the one sent.
CREATE TABLE survey_designs (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    spec       TEXT NOT NULL, -- JSON DesignSpec
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_by INTEGER REFERENCES agents (id),
    created_at INTEGER NOT NULL,
    UNIQUE (key, version)
);

-- When a survey goes out by itself.
CREATE TABLE survey_triggers (
    id            INTEGER PRIMARY KEY,
    design_key    TEXT NOT NULL,
    delay_minutes INTEGER NOT NULL,
    channels      TEXT NOT NULL DEFAULT '[]', -- ticket channels; empty: all
    quiet_days    INTEGER NOT NULL,           -- at most one survey per customer per N days
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- One survey sent to one customer. Its link is signed with the key in app_secrets
-- (nothing secret is stored here), so it can be shown again to the agent or the portal.
CREATE TABLE survey_sends (
    id          INTEGER PRIMARY KEY,
    design_id   INTEGER NOT NULL REFERENCES survey_designs (id),
    ticket_id   INTEGER REFERENCES tickets (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    origin      TEXT NOT NULL, -- resolution, manual, callback
    created_by  INTEGER REFERENCES agents (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    opened_at   INTEGER,
    reminded_at INTEGER,
    answered_at INTEGER
);
CREATE INDEX survey_sends_by_customer ON survey_sends (customer_id, created_at);
CREATE INDEX survey_sends_by_ticket ON survey_sends (ticket_id);

-- An answer, with the facts of its ticket at the time it was given (for slices).
CREATE TABLE survey_answers (
    id                 INTEGER PRIMARY KEY,
    send_id            INTEGER NOT NULL UNIQUE REFERENCES survey_sends (id),
    design_id          INTEGER NOT NULL REFERENCES survey_designs (id),
    design_key         TEXT NOT NULL,
    ticket_id          INTEGER REFERENCES tickets (id),
    customer_id        INTEGER NOT NULL REFERENCES customers (id),
    team_id            INTEGER,
    agent_id           INTEGER,
    channel            TEXT,
    ticket_kind        TEXT,
    customer_type      TEXT,
    product            TEXT,
    region             TEXT,
    business_line      TEXT,
    score              REAL,
    low                BOOLEAN NOT NULL,
    comment            TEXT,
    answer             TEXT NOT NULL, -- JSON Answer
    entered_by         INTEGER REFERENCES agents (id), -- an agent on a callback
    followup_ticket_id INTEGER REFERENCES tickets (id),
    submitted_at       INTEGER NOT NULL
);
CREATE INDEX survey_answers_by_design ON survey_answers (design_key, submitted_at);
CREATE INDEX survey_answers_by_ticket ON survey_answers (ticket_id);

CREATE TABLE survey_ratings (
    answer_id INTEGER NOT NULL REFERENCES survey_answers (id),
    question  TEXT NOT NULL,
    dimension TEXT NOT NULL,
    rating    INTEGER NOT NULL,
    PRIMARY KEY (answer_id, question)
);

CREATE TABLE survey_reasons (
    answer_id INTEGER NOT NULL REFERENCES survey_answers (id),
    dimension TEXT NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (answer_id, dimension, reason)
);

-- A callback campaign (回访): customers of a segment, each called once in the period.
CREATE TABLE survey_campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    design_id   INTEGER NOT NULL REFERENCES survey_designs (id),
    segment     TEXT NOT NULL, -- JSON: what customers it chose, for the record
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    created_by  INTEGER REFERENCES agents (id),
    created_at  INTEGER NOT NULL
);

-- One customer to call: the survey an agent fills in on the phone, attempts, outcome.
CREATE TABLE survey_callbacks (
    id              INTEGER PRIMARY KEY,
    campaign_id     INTEGER NOT NULL REFERENCES survey_campaigns (id),
    send_id         INTEGER NOT NULL UNIQUE REFERENCES survey_sends (id),
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    agent_id        INTEGER REFERENCES agents (id),
    due_on          TEXT NOT NULL,
    status          TEXT NOT NULL, -- pending, answered, no_answer (gave up), refused
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at INTEGER,
    note            TEXT,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX survey_callbacks_queue ON survey_callbacks (status, due_on);
CREATE INDEX survey_callbacks_by_agent ON survey_callbacks (agent_id, status, due_on);

-- Improvement actions (PDCA) against a low-score reason; reports compare the reason's
-- rate before and after.
CREATE TABLE survey_actions (
    id          INTEGER PRIMARY KEY,
    design_key  TEXT NOT NULL,
    dimension   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    what        TEXT NOT NULL,
    owner_id    INTEGER REFERENCES agents (id),
    due_on      TEXT,
    done_at     INTEGER,
    created_by  INTEGER REFERENCES agents (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX survey_actions_by_design ON survey_actions (design_key, created_at);

-- Positive comments that name an agent: the team's praise wall and the service star.
CREATE TABLE survey_praise (
    answer_id    INTEGER NOT NULL REFERENCES survey_answers (id),
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    team_id      INTEGER,
    comment      TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (answer_id, agent_id)
);
CREATE INDEX survey_praise_by_time ON survey_praise (submitted_at);

-- Rollups of answers over UTC days (span 1, `day` = days since 1970-01-01) and over
-- 32-day blocks (span 32, `day` = the block's first day, a multiple of 32), per slice:
-- slice '' (all answers, value '') or a slice name (team, agent, channel, ticket_kind,
-- customer_type, product, region, business_line) with its value as text ('' when the
-- answer had none). Reports read whole blocks and days from here and only the partial
-- days at a period's edges from the answers.
CREATE TABLE survey_answer_days (
    design_key    TEXT NOT NULL,
    slice         TEXT NOT NULL,
    slice_value   TEXT NOT NULL,
    span          INTEGER NOT NULL,
    day           INTEGER NOT NULL,
    answers       INTEGER NOT NULL,
    scored        INTEGER NOT NULL,
    score_sum     REAL NOT NULL,
    score_squares REAL NOT NULL,
    PRIMARY KEY (design_key, slice, slice_value, span, day)
);
CREATE INDEX survey_answer_days_by_day ON survey_answer_days (design_key, slice, span, day);

CREATE TABLE survey_rating_days (
    design_key  TEXT NOT NULL,
    slice       TEXT NOT NULL,
    slice_value TEXT NOT NULL,
    span        INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    rating      INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (design_key, slice, slice_value, span, day, dimension, rating)
);
CREATE INDEX survey_rating_days_by_day ON survey_rating_days (design_key, slice, span, day);

CREATE TABLE survey_reason_days (
    design_key  TEXT NOT NULL,
    slice       TEXT NOT NULL,
    slice_value TEXT NOT NULL,
    span        INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (design_key, slice, slice_value, span, day, dimension, reason)
);
CREATE INDEX survey_reason_days_by_day ON survey_reason_days (design_key, slice, span, day);

-- Keys the application makes once and every node shares (e.g. the survey-link key).
CREATE TABLE app_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
