-- Articles numbered by change (postgres). Keep in step with
-- ../sqlite/0026_kb_article_changes.sql.
--
-- The search feeder followed articles by (updated_at, id), but `updated_at` is taken
-- before the write waits for the writer, so an edit stamped earlier could commit after
-- one stamped later that the feeder had already passed, and was never indexed. Every
-- write of an article now takes the next number of a sequence; as with ticket events,
-- another node may commit a smaller number after a larger one, which the feeder's
-- settling cursor waits for.
CREATE SEQUENCE kb_article_changes;
ALTER TABLE kb_articles ADD COLUMN change_no BIGINT;
UPDATE kb_articles SET change_no = id;
SELECT setval('kb_article_changes', COALESCE((SELECT MAX(change_no) FROM kb_articles), 0) + 1, false);
ALTER TABLE kb_articles
    ALTER COLUMN change_no SET DEFAULT nextval('kb_article_changes'),
    ALTER COLUMN change_no SET NOT NULL;
DROP INDEX kb_articles_changed;
CREATE UNIQUE INDEX kb_articles_by_change ON kb_articles (change_no);
