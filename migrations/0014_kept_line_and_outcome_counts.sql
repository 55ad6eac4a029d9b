CREATE TABLE "call_outcome_minutes" (
	"campaign_id" integer NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"live" integer DEFAULT 0 NOT NULL,
	"abandoned" integer DEFAULT 0 NOT NULL,
	"machine" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "call_outcome_minutes_campaign_id_minute_pk" PRIMARY KEY("campaign_id","minute")
);
--> statement-breakpoint
CREATE TABLE "lines_in_use" (
	"campaign_id" integer NOT NULL,
	"carrier" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "lines_in_use_campaign_id_carrier_pk" PRIMARY KEY("campaign_id","carrier")
);
--> statement-breakpoint
ALTER TABLE "call_outcome_minutes" ADD CONSTRAINT "call_outcome_minutes_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lines_in_use" ADD CONSTRAINT "lines_in_use_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The kept counts start from what is stored (schema.ts: linesInUse, callOutcomeMinutes). Numbers being dialled
-- (status 1, Dialling) with their current attempt's carrier:
INSERT INTO "lines_in_use" ("campaign_id", "carrier", "calls")
SELECT p."campaign_id", coalesce(c."carrier", ''), count(*)::int
FROM "phone_numbers" p
LEFT JOIN "calls" c ON c."phone_number_id" = p."id" AND c."attempt_number" = p."next_attempt"
WHERE p."status" = 1
GROUP BY 1, 2;
--> statement-breakpoint
-- Recorded calls (outcome other than 0, InProgress) by start minute, counting outcomes 5 (Answered), 8 (Abandoned)
-- and 4 (AnsweringMachine) as src/domain/enums.ts numbers them; every recorded call makes its minute's row.
INSERT INTO "call_outcome_minutes" ("campaign_id", "minute", "live", "abandoned", "machine")
SELECT p."campaign_id", date_trunc('minute', c."start_time", 'UTC'),
       count(*) FILTER (WHERE c."outcome" = 5)::int, count(*) FILTER (WHERE c."outcome" = 8)::int,
       count(*) FILTER (WHERE c."outcome" = 4)::int
FROM "calls" c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
WHERE c."outcome" <> 0
GROUP BY 1, 2;
--> statement-breakpoint
-- call_outcome_minutes is kept by the database, as phone_number_batches is (0012): a statement trigger on calls reads
-- the statement's rows once, so no writer of call results (the dialer's batches, a recovery, an import) can leave it
-- out. Each call adds itself to its start minute when it has an outcome, and an update takes the old outcome away.
CREATE FUNCTION "call_outcome_minutes_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "call_outcome_minutes" ("campaign_id", "minute", "live", "abandoned", "machine")
  SELECT p."campaign_id", date_trunc('minute', c."start_time", 'UTC'),
         count(*) FILTER (WHERE c."outcome" = 5)::int, count(*) FILTER (WHERE c."outcome" = 8)::int,
         count(*) FILTER (WHERE c."outcome" = 4)::int
  FROM "new_calls" c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
  WHERE c."outcome" <> 0
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("campaign_id", "minute") DO UPDATE SET "live" = "call_outcome_minutes"."live" + excluded."live",
    "abandoned" = "call_outcome_minutes"."abandoned" + excluded."abandoned", "machine" = "call_outcome_minutes"."machine" + excluded."machine";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "call_outcome_minutes_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "call_outcome_minutes" ("campaign_id", "minute", "live", "abandoned", "machine")
  SELECT p."campaign_id", date_trunc('minute', d."start_time", 'UTC'), sum(d."live")::int, sum(d."abandoned")::int, sum(d."machine")::int
  FROM (
    SELECT "phone_number_id", "start_time", ("outcome" = 5)::int AS "live", ("outcome" = 8)::int AS "abandoned", ("outcome" = 4)::int AS "machine"
    FROM "new_calls" WHERE "outcome" <> 0
    UNION ALL
    SELECT "phone_number_id", "start_time", -("outcome" = 5)::int, -("outcome" = 8)::int, -("outcome" = 4)::int
    FROM "old_calls" WHERE "outcome" IN (4, 5, 8)
  ) d JOIN "phone_numbers" p ON p."id" = d."phone_number_id"
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("campaign_id", "minute") DO UPDATE SET "live" = "call_outcome_minutes"."live" + excluded."live",
    "abandoned" = "call_outcome_minutes"."abandoned" + excluded."abandoned", "machine" = "call_outcome_minutes"."machine" + excluded."machine";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "call_outcome_minutes_add" AFTER INSERT ON "calls"
  REFERENCING NEW TABLE AS "new_calls" FOR EACH STATEMENT EXECUTE FUNCTION "call_outcome_minutes_add"();
--> statement-breakpoint
CREATE TRIGGER "call_outcome_minutes_change" AFTER UPDATE ON "calls"
  REFERENCING OLD TABLE AS "old_calls" NEW TABLE AS "new_calls" FOR EACH STATEMENT EXECUTE FUNCTION "call_outcome_minutes_change"();
