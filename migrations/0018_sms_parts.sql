CREATE TABLE "sms_message_parts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sms_message_id" bigint NOT NULL,
	"part_number" smallint NOT NULL,
	"provider" text NOT NULL,
	"provider_message_id" text NOT NULL,
	"state" text NOT NULL,
	"error" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sms_message_parts" ADD CONSTRAINT "sms_message_parts_sms_message_id_sms_messages_id_fk" FOREIGN KEY ("sms_message_id") REFERENCES "public"."sms_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sms_message_parts_provider_id_idx" ON "sms_message_parts" USING btree ("provider","provider_message_id");--> statement-breakpoint
CREATE INDEX "sms_message_parts_message_idx" ON "sms_message_parts" USING btree ("sms_message_id");