-- The kept counts' campaign indexes carry the counts as key columns, so that the campaign list's progress (a page of
-- 50 campaigns, a few count rows each) is read from the indexes alone: each count row was a heap page of its own
-- (their rows are made as writers need them, so a campaign's are scattered), 0.3-0.5 ms of a page's statement on
-- PostgreSQL (EXPLAIN ANALYZE, issue 10's campaign-summary bench). A count update now changes an indexed column (no
-- HOT update): a few rows per dialer statement, not per number.
DROP INDEX "campaign_call_counts_campaign_idx";--> statement-breakpoint
DROP INDEX "campaign_number_counts_campaign_idx";--> statement-breakpoint
CREATE INDEX "campaign_call_counts_campaign_idx" ON "campaign_call_counts" USING btree ("campaign_id","outcome","calls","price");--> statement-breakpoint
CREATE INDEX "campaign_number_counts_campaign_idx" ON "campaign_number_counts" USING btree ("campaign_id","status","numbers");