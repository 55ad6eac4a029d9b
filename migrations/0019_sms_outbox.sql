CREATE TABLE "sms_outbox" (
	"sms_message_id" bigint PRIMARY KEY NOT NULL,
	"to_number" text NOT NULL,
	"sender" text NOT NULL,
	"lease_owner" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"reclaims" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sms_outbox" ADD CONSTRAINT "sms_outbox_sms_message_id_sms_messages_id_fk" FOREIGN KEY ("sms_message_id") REFERENCES "public"."sms_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sms_outbox_lease_idx" ON "sms_outbox" USING btree ("lease_until");