CREATE TABLE "sms_receipts_early" (
	"provider" text NOT NULL,
	"provider_message_id" text NOT NULL,
	"state" text NOT NULL,
	"error" text,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sms_receipts_early_provider_provider_message_id_pk" PRIMARY KEY("provider","provider_message_id")
);
--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "status_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD COLUMN "error" text;--> statement-breakpoint
-- Texts written before: their last change is not known, so it shows as their sentAt; a failed one's error is its reason.
UPDATE "sms_messages" SET "status_at" = "sent_at", "error" = CASE WHEN "status" LIKE 'failed: %' THEN substr("status", 9) END;--> statement-breakpoint
ALTER TABLE "sms_messages" ALTER COLUMN "status_at" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "sms_receipts_early_received_idx" ON "sms_receipts_early" USING btree ("received_at");