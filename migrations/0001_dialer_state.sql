ALTER TABLE "calls" ADD COLUMN "answered_by" text;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "voicemail_left" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "end_reason" text;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "sip_code" integer;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "q850_cause" integer;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "carrier" text;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "dialer_id" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "status" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "next_attempt" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "lease_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "last_ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "encoding" text;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "provider_id" text;--> statement-breakpoint
CREATE INDEX "phone_numbers_due_idx" ON "phone_numbers" USING btree ("campaign_id","due_at") WHERE status = 0;--> statement-breakpoint
CREATE INDEX "phone_numbers_dialling_idx" ON "phone_numbers" USING btree ("lease_expires_at") WHERE status = 1;--> statement-breakpoint
CREATE UNIQUE INDEX "sms_messages_number_attempt_idx" ON "sms_messages" USING btree ("phone_number_id","attempt_number");