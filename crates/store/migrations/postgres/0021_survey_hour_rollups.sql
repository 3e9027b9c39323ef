-- Satisfaction rollups by the hour as well as by the day and the 32-day block
-- (PostgreSQL). Keep in step with ../sqlite/0021_survey_hour_rollups.sql.
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

ALTER TABLE survey_answer_days RENAME TO survey_answer_rollups;
ALTER TABLE survey_histogram_days RENAME TO survey_histogram_rollups;
ALTER TABLE survey_reason_days RENAME TO survey_reason_rollups;
DROP INDEX survey_answer_days_by_day;
DROP INDEX survey_histogram_days_by_day;
DROP INDEX survey_reason_days_by_day;
ALTER TABLE survey_answer_rollups RENAME COLUMN day TO start_hour;
ALTER TABLE survey_histogram_rollups RENAME COLUMN day TO start_hour;
ALTER TABLE survey_reason_rollups RENAME COLUMN day TO start_hour;
ALTER TABLE survey_answer_rollups RENAME CONSTRAINT survey_answer_days_pkey TO survey_answer_rollups_pkey;
ALTER TABLE survey_histogram_rollups RENAME CONSTRAINT survey_histogram_days_pkey TO survey_histogram_rollups_pkey;
ALTER TABLE survey_reason_rollups RENAME CONSTRAINT survey_reason_days_pkey TO survey_reason_rollups_pkey;

-- Days and blocks in hours. The new spans (24, 768) are not among the old (1, 32), so no
-- row's new key meets another's old one.
UPDATE survey_answer_rollups SET span = span * 24, start_hour = start_hour * 24;
UPDATE survey_histogram_rollups SET span = span * 24, start_hour = start_hour * 24;
UPDATE survey_reason_rollups SET span = span * 24, start_hour = start_hour * 24;

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

-- The primary key (design, slice, value, span, start) serves a filter on one value; these
-- indexes serve a report grouped by a slice (every value of a span's range). Made after
-- the rows are in (one sort instead of an insert per row).
CREATE INDEX survey_answer_rollups_by_start ON survey_answer_rollups (design_key, slice, span, start_hour);
CREATE INDEX survey_histogram_rollups_by_start ON survey_histogram_rollups (design_key, slice, span, start_hour);
CREATE INDEX survey_reason_rollups_by_start ON survey_reason_rollups (design_key, slice, span, start_hour);

-- (SQLite also keeps its rollups, ratings and reasons WITHOUT ROWID, clustered in the
-- order reports read them; PostgreSQL's tables are heaps, read through the indexes above
-- and the ratings' and reasons' primary keys as before.)
