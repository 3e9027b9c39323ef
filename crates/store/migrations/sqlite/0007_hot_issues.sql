-- Hot issues (sqlite): tickets per topic per UTC hour, folded from the ticket events by the
-- analytics reactor (kefu_app::hot_issues) and kept about five weeks (the widest report
-- compares with the same hours four weeks back); and the alerts raised to supervisors.

-- facet: category, tag, product or word. tickets: how many tickets said it that hour.
CREATE TABLE hot_topic_hours (
    hour    INTEGER NOT NULL,
    facet   TEXT NOT NULL,
    term    TEXT NOT NULL,
    tickets INTEGER NOT NULL,
    PRIMARY KEY (hour, facet, term)
) WITHOUT ROWID;

-- The last event whose topics are counted. Separate from the KPI cursor: topics are
-- counted outside the KPI batch (segmenting text is slow work to do in the writer).
CREATE TABLE hot_topic_cursor (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL
);
INSERT INTO hot_topic_cursor (id, event_id) VALUES (1, 0);

-- One alert per topic per UTC day (day = hours since the epoch / 24) at most; the key is
-- what keeps two nodes from both raising it.
CREATE TABLE hot_alerts (
    facet     TEXT NOT NULL,
    term      TEXT NOT NULL,
    day       INTEGER NOT NULL,
    raised_at INTEGER NOT NULL,
    tickets   INTEGER NOT NULL,
    usual     REAL NOT NULL,
    surprise  REAL NOT NULL,
    PRIMARY KEY (facet, term, day)
);
CREATE INDEX hot_alerts_by_time ON hot_alerts (raised_at);
