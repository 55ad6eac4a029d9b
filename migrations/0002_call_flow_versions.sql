CREATE TABLE "call_flow_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"call_flow_id" integer NOT NULL,
	"version" integer NOT NULL,
	"document" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "call_flows" ADD COLUMN "current_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "call_flow_versions" ADD CONSTRAINT "call_flow_versions_call_flow_id_call_flows_id_fk" FOREIGN KEY ("call_flow_id") REFERENCES "public"."call_flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "call_flow_versions_flow_version_idx" ON "call_flow_versions" USING btree ("call_flow_id","version");--> statement-breakpoint
-- Existing single-message flows become version 1 of a flow document with one say step (src/callflow/simple-flow.ts).
INSERT INTO "call_flow_versions" ("call_flow_id", "version", "document", "created_at")
SELECT "id", 1, jsonb_build_object(
	'version', 1,
	'start', 'message',
	'steps', jsonb_build_array(jsonb_build_object('id', 'message', 'type', 'say', 'text', "message")),
	'voicemail', jsonb_build_object('say', "voicemail_message"),
	'smsOnBusy', "sms_text"
), "created_at" FROM "call_flows";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "call_flow_version_id" integer;--> statement-breakpoint
-- Campaigns made before versions existed run version 1 of their flow.
UPDATE "campaigns" SET "call_flow_version_id" = v."id"
FROM "call_flow_versions" v WHERE v."call_flow_id" = "campaigns"."call_flow_id" AND v."version" = 1;--> statement-breakpoint
ALTER TABLE "campaigns" ALTER COLUMN "call_flow_version_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_call_flow_version_id_call_flow_versions_id_fk" FOREIGN KEY ("call_flow_version_id") REFERENCES "public"."call_flow_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_flows" DROP COLUMN "message";--> statement-breakpoint
ALTER TABLE "call_flows" DROP COLUMN "voicemail_message";--> statement-breakpoint
ALTER TABLE "call_flows" DROP COLUMN "sms_text";
