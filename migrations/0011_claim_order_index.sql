DROP INDEX "phone_numbers_due_idx";--> statement-breakpoint
CREATE INDEX "phone_numbers_due_idx" ON "phone_numbers" USING btree ("campaign_id","due_at","id") WHERE status = 0;