-- Daily KPI rows are kept for every pair of dimensions too (slice 'team_id,agent_id' with
-- value '3,17', ...), so reports filtered and grouped by two dimensions read days instead
-- of hours. Rollups folded before this version have no such rows: the analytics reactor
-- fills them from the hourly rows once, a day at a time, and then sets this flag (a
-- rebuild sets it too). Until then reports keep reading the hourly rows for them.
ALTER TABLE analytics_cursor ADD COLUMN pair_slices_filled BOOLEAN NOT NULL DEFAULT FALSE;
