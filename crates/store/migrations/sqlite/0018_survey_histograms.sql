-- Satisfaction rollups with a whole histogram per row (SQLite). Keep in step with
-- ../postgres/0018_survey_histograms.sql.
--
-- A report grouped by team or agent read one row per rating value of every dimension, day
-- and group (survey_rating_days): ten rows where one would do. Here a row holds the counts
-- of 21 consecutive ratings (c0 = rating bucket*21, ... c20 = bucket*21 + 20); a design's
-- scale spans at most 20 steps from a minimum of 0 or more, so most designs fill bucket 0
-- and none needs more than two buckets.
CREATE TABLE survey_histogram_days (
    design_key  TEXT NOT NULL,
    slice       TEXT NOT NULL,
    slice_value TEXT NOT NULL,
    span        INTEGER NOT NULL,
    day         INTEGER NOT NULL,
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
    PRIMARY KEY (design_key, slice, slice_value, span, day, dimension, bucket)
);
CREATE INDEX survey_histogram_days_by_day ON survey_histogram_days (design_key, slice, span, day);

INSERT INTO survey_histogram_days (design_key, slice, slice_value, span, day, dimension, bucket, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20)
SELECT design_key, slice, slice_value, span, day, dimension, rating / 21,
    SUM(CASE WHEN rating % 21 = 0 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 1 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 2 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 3 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 4 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 5 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 6 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 7 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 8 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 9 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 10 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 11 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 12 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 13 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 14 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 15 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 16 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 17 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 18 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 19 THEN count ELSE 0 END),
    SUM(CASE WHEN rating % 21 = 20 THEN count ELSE 0 END)
FROM survey_rating_days
GROUP BY design_key, slice, slice_value, span, day, dimension, rating / 21;

DROP TABLE survey_rating_days;
