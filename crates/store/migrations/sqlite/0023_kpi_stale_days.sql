-- Days whose daily (and weekly) KPI rows are behind their hourly rows. When the analytics
-- reactor finds a long backlog (a server started after a long stop, or first after
-- `kefu demo`), it folds it as a rebuild does, into the hourly rows only, and lists here
-- each day it touched in the same transaction; then it sets those days' rows (and their
-- weeks') to the sums of their hourly rows and removes them from this list. While any day
-- is listed, reports read the hourly rows. A crash in between leaves the list for the next
-- start to fill.
CREATE TABLE kpi_stale_days (
    day TEXT PRIMARY KEY
);
