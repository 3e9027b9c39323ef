-- Satisfaction reports filtered by two slices (postgres). Keep in step with
-- ../sqlite/0025_survey_pair_rollups.sql.
--
-- From this version every answer also adds to rollup rows of each pair of slices (slice
-- `team+channel`, value the two values, see `survey_rollups::pair_value`) at the day and
-- block spans, so a report on team X and channel web, or on team X by agent, reads rows
-- instead of every answer of its period. Answers given before this version are not in
-- those rows: the server fills them at start, a day at a time, and sets `pairs_filled`;
-- until then such reports count the answers, as before.
CREATE TABLE survey_rollup_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    pairs_filled BOOLEAN NOT NULL
);
INSERT INTO survey_rollup_state (id, pairs_filled)
SELECT 1, NOT EXISTS (SELECT 1 FROM survey_answers);
