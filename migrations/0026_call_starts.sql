CREATE TABLE "call_starts" (
	"started_at" timestamp with time zone NOT NULL,
	"campaign_id" integer NOT NULL,
	"carrier" text NOT NULL,
	"calls" integer NOT NULL,
	CONSTRAINT "call_starts_started_at_campaign_id_carrier_pk" PRIMARY KEY("started_at","campaign_id","carrier")
);
--> statement-breakpoint
ALTER TABLE "call_starts" ADD CONSTRAINT "call_starts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The last minute's starts as the calls have them, so that a dialer upgraded mid-campaign counts the second before it.
INSERT INTO "call_starts" ("started_at", "campaign_id", "carrier", "calls")
SELECT c."start_time", p."campaign_id", coalesce(c."carrier", ''), count(*)::int
FROM "calls" c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
WHERE c."start_time" > now() - interval '1 minute'
GROUP BY 1, 2, 3;
