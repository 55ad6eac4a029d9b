CREATE TABLE "phone_number_batches" (
	"campaign_id" integer NOT NULL,
	"first_id" bigint NOT NULL,
	"last_id" bigint NOT NULL,
	"number_count" integer NOT NULL,
	CONSTRAINT "phone_number_batches_campaign_id_first_id_pk" PRIMARY KEY("campaign_id","first_id")
);
--> statement-breakpoint
ALTER TABLE "phone_number_batches" ADD CONSTRAINT "phone_number_batches_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "phone_numbers_campaign_id_idx" ON "phone_numbers" USING btree ("campaign_id","id");--> statement-breakpoint
-- One row per campaign per statement that adds numbers (schema.ts: phoneNumberBatches), written by the database so
-- that no insert path (create, add numbers, a future COPY) can leave it out. A statement trigger reads the statement's
-- new rows once: a few microseconds per batch, not per row.
CREATE FUNCTION "phone_number_batches_record"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "phone_number_batches" ("campaign_id", "first_id", "last_id", "number_count")
  SELECT "campaign_id", min("id"), max("id"), count(*)::int FROM "added_numbers" GROUP BY "campaign_id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "phone_number_batches_record" AFTER INSERT ON "phone_numbers"
  REFERENCING NEW TABLE AS "added_numbers" FOR EACH STATEMENT EXECUTE FUNCTION "phone_number_batches_record"();
--> statement-breakpoint
-- Numbers stored before this migration: one batch per run of consecutive ids of a campaign.
INSERT INTO "phone_number_batches" ("campaign_id", "first_id", "last_id", "number_count")
SELECT "campaign_id", min("id"), max("id"), count(*)::int
FROM (SELECT "campaign_id", "id", "id" - row_number() OVER (PARTITION BY "campaign_id" ORDER BY "id") AS "run" FROM "phone_numbers") AS "numbered"
GROUP BY "campaign_id", "run";
