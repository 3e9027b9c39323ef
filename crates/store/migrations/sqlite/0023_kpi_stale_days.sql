-- Days whose daily (and weekly) KPI rows are behind their hourly rows. When the analytics
-- reactor finds a long backlog (a server started after a long stop, or first after
-- `kefu demo`), it folds it as a rebuild does, into the hourly rows only, and lists here
-- each day it touched in the same transaction; then it sets those days' rows (and their
-- weeks') to the sums of their hourly rows and removes them from this list. While any day
-- is listed, reports read the hourly rows. A crash in between leaves the list for the next
-- start to fill. `marks` counts the batches that listed the day: a fill removes the day
-- only if no batch listed it again since the fill read it.
CREATE TABLE kpi_stale_days (
    day   TEXT PRIMARY KEY,
    marks BIGINT NOT NULL DEFAULT 1
);

-- Nothing folded yet (a new database): every daily slice is complete, having no rows, so a
-- first catch-up's filled days need no second fill of the wider slices (0022's default, 1,
-- is for databases upgraded with rows).
UPDATE analytics_cursor SET daily_rows_width = 5
WHERE daily_rows_width = 1 AND event_id = 0 AND NOT EXISTS (SELECT 1 FROM kpi_hours);
