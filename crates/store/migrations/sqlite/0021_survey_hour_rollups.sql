-- Satisfaction rollups by the hour as well as by the day and the 32-day block
-- (sqlite). Keep in step with ../postgres/0021_survey_hour_rollups.sql.
--
-- A report's whole days came from the rollups and its partial edge days from the answers
-- themselves, so a report of "since a date, up to now" counted nearly a whole day of
-- answers at 23:00 (twice: its period's last day and the previous period's first) and
-- almost none at 01:00. Rollup rows now also cover single hours, so only the minutes at
-- a period's edges are counted from the answers.
--
-- The tables are renamed for what they now hold, and a row's start is counted in hours:
-- `span` 1 (an hour), 24 (a UTC day) or 768 (32 days); `start_hour` = hours since
-- 1970-01-01 of the span's first hour, a multiple of the span.

-- Hour rows are most of the rows, so the tables are kept in the order reports read them:
-- WITHOUT ROWID, clustered by (design, slice, span, start, value), so a report grouped by
-- team or agent reads one range of the table itself; the `_by_value` index serves a
-- filter on one value. (A rowid table kept every row twice: in the table and in its key's
-- index.)
CREATE TABLE survey_answer_rollups (
    design_key    TEXT NOT NULL,
    slice         TEXT NOT NULL,
    slice_value   TEXT NOT NULL,
    span          INTEGER NOT NULL,
    start_hour    INTEGER NOT NULL,
    answers       INTEGER NOT NULL,
    scored        INTEGER NOT NULL,
    score_sum     REAL NOT NULL,
    score_squares REAL NOT NULL,
    PRIMARY KEY (design_key, slice, span, start_hour, slice_value)
) WITHOUT ROWID;
CREATE TABLE survey_histogram_rollups (
    design_key  TEXT NOT NULL,
    slice       TEXT NOT NULL,
    slice_value TEXT NOT NULL,
    span        INTEGER NOT NULL,
    start_hour  INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    bucket      INTEGER NOT NULL,
    c0 INTEGER NOT NULL DEFAULT 0,
    c1 INTEGER NOT NULL DEFAULT 0,
    c2 INTEGER NOT NULL DEFAULT 0,
    c3 INTEGER NOT NULL DEFAULT 0,
    c4 INTEGER NOT NULL DEFAULT 0,
    c5 INTEGER NOT NULL DEFAULT 0,
    c6 INTEGER NOT NULL DEFAULT 0,
    c7 INTEGER NOT NULL DEFAULT 0,
    c8 INTEGER NOT NULL DEFAULT 0,
    c9 INTEGER NOT NULL DEFAULT 0,
    c10 INTEGER NOT NULL DEFAULT 0,
    c11 INTEGER NOT NULL DEFAULT 0,
    c12 INTEGER NOT NULL DEFAULT 0,
    c13 INTEGER NOT NULL DEFAULT 0,
    c14 INTEGER NOT NULL DEFAULT 0,
    c15 INTEGER NOT NULL DEFAULT 0,
    c16 INTEGER NOT NULL DEFAULT 0,
    c17 INTEGER NOT NULL DEFAULT 0,
    c18 INTEGER NOT NULL DEFAULT 0,
    c19 INTEGER NOT NULL DEFAULT 0,
    c20 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (design_key, slice, span, start_hour, slice_value, dimension, bucket)
) WITHOUT ROWID;
CREATE TABLE survey_reason_rollups (
    design_key  TEXT NOT NULL,
    slice       TEXT NOT NULL,
    slice_value TEXT NOT NULL,
    span        INTEGER NOT NULL,
    start_hour  INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (design_key, slice, span, start_hour, slice_value, dimension, reason)
) WITHOUT ROWID;

-- Days and blocks, their starts in hours.
INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT design_key, slice, slice_value, span * 24, day * 24, answers, scored, score_sum, score_squares
FROM survey_answer_days ORDER BY design_key, slice, span, day, slice_value;
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT design_key, slice, slice_value, span * 24, day * 24, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20
FROM survey_histogram_days ORDER BY design_key, slice, span, day, slice_value, dimension, bucket;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT design_key, slice, slice_value, span * 24, day * 24, dimension, reason, count
FROM survey_reason_days ORDER BY design_key, slice, span, day, slice_value, dimension, reason;
DROP TABLE survey_answer_days;
DROP TABLE survey_histogram_days;
DROP TABLE survey_reason_days;

-- The hours of the answers given so far, once for all answers (slice '') and once per
-- slice, as `survey_rollups::rebuild` counts them.

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, '', '', 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, '', '', 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, '', '', 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'team', COALESCE(CAST(a.team_id AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.team_id AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'team', COALESCE(CAST(a.team_id AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.team_id AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'team', COALESCE(CAST(a.team_id AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.team_id AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'agent', COALESCE(CAST(a.agent_id AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.agent_id AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'agent', COALESCE(CAST(a.agent_id AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.agent_id AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'agent', COALESCE(CAST(a.agent_id AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.agent_id AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'channel', COALESCE(CAST(a.channel AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.channel AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'channel', COALESCE(CAST(a.channel AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.channel AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'channel', COALESCE(CAST(a.channel AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.channel AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'ticket_kind', COALESCE(CAST(a.ticket_kind AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.ticket_kind AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'ticket_kind', COALESCE(CAST(a.ticket_kind AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.ticket_kind AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'ticket_kind', COALESCE(CAST(a.ticket_kind AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.ticket_kind AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'customer_type', COALESCE(CAST(a.customer_type AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.customer_type AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'customer_type', COALESCE(CAST(a.customer_type AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.customer_type AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'customer_type', COALESCE(CAST(a.customer_type AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.customer_type AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'product', COALESCE(CAST(a.product AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.product AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'product', COALESCE(CAST(a.product AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.product AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'product', COALESCE(CAST(a.product AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.product AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'region', COALESCE(CAST(a.region AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.region AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'region', COALESCE(CAST(a.region AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.region AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'region', COALESCE(CAST(a.region AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.region AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

INSERT INTO survey_answer_rollups (design_key, slice, slice_value, span, start_hour, answers, scored, score_sum, score_squares)
SELECT a.design_key, 'business_line', COALESCE(CAST(a.business_line AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000),
    COUNT(*), COUNT(a.score), COALESCE(SUM(a.score), 0.0), COALESCE(SUM(a.score * a.score), 0.0)
FROM survey_answers a GROUP BY a.design_key, COALESCE(CAST(a.business_line AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000);
INSERT INTO survey_histogram_rollups (design_key, slice, slice_value, span, start_hour, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT a.design_key, 'business_line', COALESCE(CAST(a.business_line AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21,
    SUM(CASE WHEN r.rating % 21 = 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 16 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 17 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 18 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 19 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.rating % 21 = 20 THEN 1 ELSE 0 END)
FROM survey_ratings r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.business_line AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.rating / 21;
INSERT INTO survey_reason_rollups (design_key, slice, slice_value, span, start_hour, dimension, reason, count)
SELECT a.design_key, 'business_line', COALESCE(CAST(a.business_line AS TEXT), ''), 1, ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason, COUNT(*)
FROM survey_reasons r JOIN survey_answers a ON a.id = r.answer_id
GROUP BY a.design_key, COALESCE(CAST(a.business_line AS TEXT), ''), ((a.submitted_at - ((a.submitted_at % 3600000) + 3600000) % 3600000) / 3600000), r.dimension, r.reason;

-- Made after the rows are in (one sort instead of an insert per row).
CREATE INDEX survey_answer_rollups_by_value ON survey_answer_rollups (design_key, slice, slice_value, span, start_hour);
CREATE INDEX survey_histogram_rollups_by_value ON survey_histogram_rollups (design_key, slice, slice_value, span, start_hour);
CREATE INDEX survey_reason_rollups_by_value ON survey_reason_rollups (design_key, slice, slice_value, span, start_hour);

-- A report filtered by two slices (no rollup) looks up each matching answer's ratings and
-- reasons. Kept in answer order (WITHOUT ROWID): one B-tree search an answer instead of
-- two (the key's index, then the row), and no key index stored beside the rows.
CREATE TABLE survey_ratings_by_answer (
    answer_id INTEGER NOT NULL REFERENCES survey_answers (id),
    question  TEXT NOT NULL,
    dimension TEXT NOT NULL,
    rating    INTEGER NOT NULL,
    PRIMARY KEY (answer_id, question)
) WITHOUT ROWID;
INSERT INTO survey_ratings_by_answer (answer_id, question, dimension, rating)
SELECT answer_id, question, dimension, rating FROM survey_ratings ORDER BY answer_id, question;
DROP TABLE survey_ratings;
ALTER TABLE survey_ratings_by_answer RENAME TO survey_ratings;

CREATE TABLE survey_reasons_by_answer (
    answer_id INTEGER NOT NULL REFERENCES survey_answers (id),
    dimension TEXT NOT NULL,
    reason    TEXT NOT NULL,
    PRIMARY KEY (answer_id, dimension, reason)
) WITHOUT ROWID;
INSERT INTO survey_reasons_by_answer (answer_id, dimension, reason)
SELECT answer_id, dimension, reason FROM survey_reasons ORDER BY answer_id, dimension, reason;
DROP TABLE survey_reasons;
ALTER TABLE survey_reasons_by_answer RENAME TO survey_reasons;
