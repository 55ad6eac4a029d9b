DROP INDEX "sms_messages_number_attempt_idx";--> statement-breakpoint
DROP INDEX "sms_messages_number_idx";--> statement-breakpoint
CREATE INDEX "sms_messages_number_idx" ON "sms_messages" USING btree ("phone_number_id","attempt_number");