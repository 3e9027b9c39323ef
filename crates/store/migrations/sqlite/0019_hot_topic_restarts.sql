-- The hot-topic cursor remembers when a rebuild last restarted it (SQLite). Keep in step
-- with ../postgres/0019_hot_topic_restarts.sql.
--
-- A topic batch counts outside the writer and commits only if the cursor has not moved
-- since it read it. After a rebuild (cursor back to 0) another batch can bring the event
-- id back to the very value the first one read; the restart instant tells the two apart,
-- as analytics_cursor.rebuilt_at does for the KPI fold.
ALTER TABLE hot_topic_cursor ADD COLUMN rebuilt_at BIGINT;
