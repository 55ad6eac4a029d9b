ALTER TABLE "client_limits" ADD COLUMN "max_active_campaigns" integer;--> statement-breakpoint
ALTER TABLE "client_limits" ADD COLUMN "max_numbers_per_campaign" integer;