-- Articles numbered by change (sqlite). Keep in step with
-- ../postgres/0026_kb_article_changes.sql.
--
-- The search feeder followed articles by (updated_at, id), but `updated_at` is taken
-- before the write waits for the writer, so an edit stamped earlier could commit after
-- one stamped later that the feeder had already passed, and was never indexed. Every
-- write of an article now takes the next change number inside its transaction: SQLite's
-- single writer commits them in order, and the feeder follows them like ticket events.
ALTER TABLE kb_articles ADD COLUMN change_no INTEGER NOT NULL DEFAULT 0;
UPDATE kb_articles SET change_no = id;
DROP INDEX kb_articles_changed;
CREATE UNIQUE INDEX kb_articles_by_change ON kb_articles (change_no);
