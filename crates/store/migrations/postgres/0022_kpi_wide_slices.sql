-- Daily KPI rows are kept for every subset of the five dimensions from this version on
-- (slices of three, four and five dimensions beside all tickets, the single dimensions and
-- the pairs), so every report reads days. This says up to how many dimensions the daily
-- slices are complete: 1 or 2 after an upgrade (as `pair_slices_filled`, which it
-- replaces, said), -1 while a rebuild has folded only the hourly rows. The analytics
-- reactor (and the rebuild, at its end) fills the missing slices from the hourly rows a
-- day at a time and sets 5; until then reports needing them read the hourly rows.
ALTER TABLE analytics_cursor ADD COLUMN daily_rows_width SMALLINT NOT NULL DEFAULT 1;
UPDATE analytics_cursor SET daily_rows_width = 2 WHERE pair_slices_filled;
