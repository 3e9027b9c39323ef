-- The audit log (sqlite). Keep in step with ../postgres/0011_audit_log.sql.

-- Every change an admin or supervisor makes to how the department works (SLA policies,
-- calendars, rules, macros, agents, teams, surveys), written in the transaction of the
-- change. actor_id NULL: the machine's operator (the command line).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    actor_id     INTEGER REFERENCES agents (id),
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   INTEGER,
    data         TEXT NOT NULL,
    at           INTEGER NOT NULL
);
