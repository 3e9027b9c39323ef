-- Service engine (SQLite): calendars, SLA policies and per-ticket clocks, the durable
-- timers, commitments, notifications, automation rules and routing. Keep in step with
-- ../postgres/0002_service_engine.sql.

CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    -- The calendar as JSON (kefu_domain::calendar_spec::CalendarSpec).
    spec       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Ranked: the active policy with the lowest position whose conditions match applies.
CREATE TABLE sla_policies (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    position      INTEGER NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    conditions    TEXT NOT NULL DEFAULT '{}',
    targets       TEXT NOT NULL DEFAULT '[]',
    calendar_id   INTEGER REFERENCES calendars (id),
    pause_on_hold BOOLEAN NOT NULL DEFAULT FALSE,
    warn_percent  INTEGER NOT NULL DEFAULT 80,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The clocks live on the ticket row (the command that changes a ticket rewrites them in
-- the same statement); the summary columns serve the list filters and the scheduler.
ALTER TABLE tickets ADD COLUMN sla TEXT;
ALTER TABLE tickets ADD COLUMN sla_due_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_warn_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_check_at INTEGER;
ALTER TABLE tickets ADD COLUMN sla_breached BOOLEAN NOT NULL DEFAULT FALSE;
-- Service facts, stored when they happen.
ALTER TABLE tickets ADD COLUMN first_response_ms INTEGER;
ALTER TABLE tickets ADD COLUMN first_response_business_ms INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_ms INTEGER;
ALTER TABLE tickets ADD COLUMN resolution_business_ms INTEGER;
ALTER TABLE tickets ADD COLUMN agent_replies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN first_contact_resolved BOOLEAN;
ALTER TABLE tickets ADD COLUMN arrived_at INTEGER;
-- Routing requirements.
ALTER TABLE tickets ADD COLUMN language TEXT;
ALTER TABLE tickets ADD COLUMN required_skills TEXT NOT NULL DEFAULT '[]';
-- Every index here is written by every ticket create with a running clock, so there are
-- two, not three: `sla=at_risk` walks the due-time index from now on (the tickets at risk
-- are the ones due soonest) and checks the warning instant on the row.
CREATE INDEX tickets_by_sla_check ON tickets (sla_check_at) WHERE sla_check_at IS NOT NULL;
CREATE INDEX tickets_by_sla_due ON tickets (sla_due_at, id) WHERE sla_due_at IS NOT NULL;
-- "Tickets I own but others hold" (first-contact ownership).
CREATE INDEX tickets_by_owner ON tickets (owner_id, status, created_at, id) WHERE owner_id IS NOT NULL;
-- The queue of a team: unassigned work, most urgent first, then oldest (tickets without a
-- team are in no routed queue, and cost this index nothing).
CREATE INDEX tickets_queue ON tickets (team_id, priority DESC, created_at, id)
    WHERE team_id IS NOT NULL AND assignee_id IS NULL AND status NOT IN ('resolved', 'closed');

ALTER TABLE teams ADD COLUMN routing TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE teams ADD COLUMN last_assigned_agent_id INTEGER;
-- Open tickets assigned to an agent, kept by the commands that change assignments, so a
-- routing decision never counts tickets.
ALTER TABLE agents ADD COLUMN open_tickets INTEGER NOT NULL DEFAULT 0;
UPDATE agents SET open_tickets = (
    SELECT COUNT(*) FROM tickets
    WHERE tickets.assignee_id = agents.id AND tickets.status NOT IN ('resolved', 'closed'));
-- A VIP's dedicated agent (专属客服).
ALTER TABLE customers ADD COLUMN dedicated_agent_id INTEGER REFERENCES agents (id);

-- Durable timers: a row is deleted in the same transaction as the work it triggers, so
-- each fires once, also across a crash.
CREATE TABLE timers (
    id         INTEGER PRIMARY KEY,
    due_at     INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    subject_id INTEGER,
    payload    TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX timers_by_due ON timers (due_at, id);
CREATE INDEX timers_by_subject ON timers (kind, subject_id);

CREATE TABLE commitments (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    agent_id    INTEGER NOT NULL REFERENCES agents (id),
    what        TEXT NOT NULL,
    due_at      INTEGER NOT NULL,
    remind_at   INTEGER,
    -- open, kept, broken, cancelled
    status      TEXT NOT NULL,
    overdue     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX commitments_by_agent ON commitments (agent_id, status, due_at, id);
CREATE INDEX commitments_by_ticket ON commitments (ticket_id, id);
-- Kept and broken per agent over a period.
CREATE INDEX commitments_resolved ON commitments (resolved_at) WHERE resolved_at IS NOT NULL;

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    kind       TEXT NOT NULL,
    ticket_id  INTEGER,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_by_agent ON notifications (agent_id, id);
CREATE INDEX notifications_unread ON notifications (agent_id, id) WHERE read_at IS NULL;

CREATE TABLE automation_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    position   INTEGER NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    -- The rule as JSON (kefu_domain::automation::RuleSpec).
    spec       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Seeds (DOMAIN.md response standards): an office calendar and four ranked policies.
-- chat first reply 30 s; complaints resolved in 72 h; e-mail 24 h; web and app 15 min.
INSERT INTO calendars (name, spec, created_at, updated_at) VALUES (
    '工作时间 Office hours',
    '{"zone":"Asia/Shanghai","weekly":{"monday":["09:00-12:00","13:30-18:00"],"tuesday":["09:00-12:00","13:30-18:00"],"wednesday":["09:00-12:00","13:30-18:00"],"thursday":["09:00-12:00","13:30-18:00"],"friday":["09:00-12:00","13:30-18:00"]},"holidays":[],"working_days":[]}',
    0, 0);
INSERT INTO sla_policies (name, position, conditions, targets, calendar_id, warn_percent, created_at, updated_at) VALUES
    ('在线咨询 Chat', 10, '{"channels":["chat"]}',
     '[{"metric":"first_response","seconds":30,"business_hours":false},{"metric":"next_response","seconds":60,"business_hours":false}]',
     NULL, 80, 0, 0),
    ('投诉 72 小时解决 Complaints: 72 h resolution', 20, '{"kinds":["complaint"]}',
     '[{"metric":"first_response","seconds":900,"business_hours":true},{"metric":"resolution","seconds":259200,"business_hours":false}]',
     (SELECT MIN(id) FROM calendars), 80, 0, 0),
    ('邮件 Email', 30, '{"channels":["email"]}',
     '[{"metric":"first_response","seconds":86400,"business_hours":false}]',
     NULL, 80, 0, 0),
    ('网页与应用 Web and app', 40, '{"channels":["web","api","wechat","phone"]}',
     '[{"metric":"first_response","seconds":900,"business_hours":true},{"metric":"next_response","seconds":3600,"business_hours":true}]',
     (SELECT MIN(id) FROM calendars), 80, 0, 0);
