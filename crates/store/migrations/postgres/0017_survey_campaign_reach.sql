-- Satisfaction: reports filtered by several slices, campaigns that know their sends
-- (PostgreSQL). Keep in step with ../sqlite/0017_survey_campaign_reach.sql.

-- A report filtered by two slices (team and channel, ...) has no rollup and counts the
-- period's answers. This index holds every slice, so those counts read it alone instead
-- of each answer's row; it replaces the (design_key, submitted_at) index it starts with.
CREATE INDEX survey_answers_by_design_slices ON survey_answers (design_key, submitted_at) INCLUDE (
    team_id, agent_id, channel, ticket_kind, customer_type, product, region, business_line, low, score
);
DROP INDEX survey_answers_by_design;

-- How a campaign reaches its customers: `phone` (calls for agents) or `email`.
ALTER TABLE survey_campaigns ADD COLUMN channel TEXT NOT NULL DEFAULT 'phone';
-- The campaign a send belongs to, so a campaign can report how many answered.
ALTER TABLE survey_sends ADD COLUMN campaign_id BIGINT REFERENCES survey_campaigns (id);
-- A campaign's counts (sent, opened, answered; its calls by status) read only these.
CREATE INDEX survey_sends_by_campaign ON survey_sends (campaign_id, answered_at, opened_at) WHERE campaign_id IS NOT NULL;
CREATE INDEX survey_callbacks_by_campaign ON survey_callbacks (campaign_id, status);

-- Earlier campaigns: a phone campaign's sends are its calls'; an e-mail campaign's sends
-- were written in the campaign's own transaction, at its instant, for its design (a
-- campaign with calls is a phone campaign, whatever else shares its instant). An e-mail
-- campaign that reached nobody has no sends and stays labelled `phone`.
UPDATE survey_sends SET campaign_id = (SELECT b.campaign_id FROM survey_callbacks b WHERE b.send_id = survey_sends.id)
WHERE origin = 'callback';
UPDATE survey_sends SET campaign_id = (
    SELECT c.id FROM survey_campaigns c
    WHERE c.created_at = survey_sends.created_at AND c.design_id = survey_sends.design_id
      AND NOT EXISTS (SELECT 1 FROM survey_callbacks b WHERE b.campaign_id = c.id)
    ORDER BY c.id LIMIT 1
)
WHERE origin = 'campaign';
UPDATE survey_campaigns SET channel = 'email'
WHERE EXISTS (SELECT 1 FROM survey_sends s WHERE s.campaign_id = survey_campaigns.id AND s.origin = 'campaign');

-- How long after a mailed survey its one reminder goes out (was always 3 days); 0: never.
ALTER TABLE survey_triggers ADD COLUMN reminder_days BIGINT NOT NULL DEFAULT 3;
ALTER TABLE survey_campaigns ADD COLUMN reminder_days BIGINT NOT NULL DEFAULT 3;
