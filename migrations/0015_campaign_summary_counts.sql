CREATE TABLE "campaign_call_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"outcome" smallint NOT NULL,
	"calls" integer NOT NULL,
	"human" integer NOT NULL,
	"machine" integer NOT NULL,
	"price" numeric(16, 4) NOT NULL,
	"seconds" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_call_minutes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"calls" integer NOT NULL,
	"answered" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_number_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"status" smallint NOT NULL,
	"numbers" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_call_counts" ADD CONSTRAINT "campaign_call_counts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_call_minutes" ADD CONSTRAINT "campaign_call_minutes_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_number_counts" ADD CONSTRAINT "campaign_number_counts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_call_counts_campaign_idx" ON "campaign_call_counts" USING btree ("campaign_id","outcome");--> statement-breakpoint
CREATE INDEX "campaign_call_minutes_campaign_idx" ON "campaign_call_minutes" USING btree ("campaign_id","minute");--> statement-breakpoint
CREATE INDEX "campaign_number_counts_campaign_idx" ON "campaign_number_counts" USING btree ("campaign_id","status");--> statement-breakpoint
-- A campaign's summary (issue 11) reads kept counts (schema.ts: campaignNumberCounts, campaignCallCounts,
-- campaignCallMinutes) instead of its numbers and calls. Statement triggers on phone_numbers and calls read each
-- statement's rows once (the pattern of 0012 and 0014) and hand their changes to the two functions below, so no writer
-- (the dialer's claim and results, a cancel, an import) can leave them out.
--
-- The functions never wait for a row lock: the dialer's claim holds lines_in_use rows after the rows its statements
-- changed, and its result statements the other way round, so counters kept as one row per key locked by both would
-- deadlock two dialer transactions (and serialize every result behind the claim). A change is added to a row of its key
-- that no other transaction holds (FOR UPDATE SKIP LOCKED; a row this transaction holds already is taken again), or to
-- a new row when every row of the key is held. Readers sum the key's rows.
--
-- Changes come as parallel arrays (campaign, key, deltas...), any grain: they are summed per key here, and a key whose
-- deltas sum to nothing (a lease renewed, a number put back to the same status) writes nothing.
CREATE FUNCTION "campaign_numbers_apply"("campaign_ids" integer[], "statuses" smallint[], "deltas" integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH "changed" AS (
    SELECT d."campaign_id", d."status", sum(d."delta")::int AS "delta"
    FROM unnest("campaign_ids", "statuses", "deltas") AS d("campaign_id", "status", "delta")
    GROUP BY 1, 2 HAVING sum(d."delta") <> 0
  ),
  "slot" AS (
    SELECT ch.*, (SELECT k."id" FROM "campaign_number_counts" k WHERE k."campaign_id" = ch."campaign_id" AND k."status" = ch."status"
                  LIMIT 1 FOR UPDATE SKIP LOCKED) AS "id"
    FROM "changed" ch
  ),
  "bumped" AS (
    UPDATE "campaign_number_counts" k SET "numbers" = k."numbers" + s."delta" FROM "slot" s WHERE k."id" = s."id"
  )
  INSERT INTO "campaign_number_counts" ("campaign_id", "status", "numbers")
  SELECT s."campaign_id", s."status", s."delta" FROM "slot" s WHERE s."id" IS NULL;
END
$$;
--> statement-breakpoint
-- Calls: by outcome (with who answered, price and seconds) and by start minute (with those a person answered,
-- outcome 5 Answered as src/domain/enums.ts numbers it).
CREATE FUNCTION "campaign_calls_apply"(
  "campaign_ids" integer[], "outcomes" smallint[], "minutes" timestamptz[], "call_deltas" integer[], "human_deltas" integer[],
  "machine_deltas" integer[], "price_deltas" numeric[], "seconds_deltas" bigint[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH "d" AS (
    SELECT * FROM unnest("campaign_ids", "outcomes", "minutes", "call_deltas", "human_deltas", "machine_deltas", "price_deltas", "seconds_deltas")
      AS d("campaign_id", "outcome", "minute", "calls", "human", "machine", "price", "seconds")
  ),
  "by_outcome" AS (
    SELECT d."campaign_id", d."outcome", sum(d."calls")::int AS "calls", sum(d."human")::int AS "human", sum(d."machine")::int AS "machine",
           sum(d."price") AS "price", sum(d."seconds")::bigint AS "seconds"
    FROM "d" GROUP BY 1, 2
    HAVING (sum(d."calls"), sum(d."human"), sum(d."machine"), sum(d."price"), sum(d."seconds")) <> (0, 0, 0, 0, 0)
  ),
  "outcome_slot" AS (
    SELECT o.*, (SELECT k."id" FROM "campaign_call_counts" k WHERE k."campaign_id" = o."campaign_id" AND k."outcome" = o."outcome"
                 LIMIT 1 FOR UPDATE SKIP LOCKED) AS "id"
    FROM "by_outcome" o
  ),
  "outcome_bumped" AS (
    UPDATE "campaign_call_counts" k SET "calls" = k."calls" + s."calls", "human" = k."human" + s."human", "machine" = k."machine" + s."machine",
      "price" = k."price" + s."price", "seconds" = k."seconds" + s."seconds"
    FROM "outcome_slot" s WHERE k."id" = s."id"
  ),
  "outcome_added" AS (
    INSERT INTO "campaign_call_counts" ("campaign_id", "outcome", "calls", "human", "machine", "price", "seconds")
    SELECT s."campaign_id", s."outcome", s."calls", s."human", s."machine", s."price", s."seconds" FROM "outcome_slot" s WHERE s."id" IS NULL
  ),
  "by_minute" AS (
    SELECT d."campaign_id", d."minute", sum(d."calls")::int AS "calls", coalesce(sum(d."calls") FILTER (WHERE d."outcome" = 5), 0)::int AS "answered"
    FROM "d" GROUP BY 1, 2
    HAVING (sum(d."calls"), coalesce(sum(d."calls") FILTER (WHERE d."outcome" = 5), 0)) <> (0, 0)
  ),
  "minute_slot" AS (
    SELECT m.*, (SELECT k."id" FROM "campaign_call_minutes" k WHERE k."campaign_id" = m."campaign_id" AND k."minute" = m."minute"
                 LIMIT 1 FOR UPDATE SKIP LOCKED) AS "id"
    FROM "by_minute" m
  ),
  "minute_bumped" AS (
    UPDATE "campaign_call_minutes" k SET "calls" = k."calls" + s."calls", "answered" = k."answered" + s."answered"
    FROM "minute_slot" s WHERE k."id" = s."id"
  )
  INSERT INTO "campaign_call_minutes" ("campaign_id", "minute", "calls", "answered")
  SELECT s."campaign_id", s."minute", s."calls", s."answered" FROM "minute_slot" s WHERE s."id" IS NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "campaign_numbers_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "campaign_numbers_apply"(array_agg(n."campaign_id"), array_agg(n."status"), array_agg(n."numbers"))
  FROM (SELECT "campaign_id", "status", count(*)::int AS "numbers" FROM "added_numbers" GROUP BY 1, 2) n
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "campaign_numbers_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "campaign_numbers_apply"(array_agg(n."campaign_id"), array_agg(n."status"), array_agg(n."numbers"))
  FROM (
    SELECT "campaign_id", "status", sum("sign")::int AS "numbers"
    FROM (SELECT "campaign_id", "status", 1 AS "sign" FROM "new_numbers" UNION ALL SELECT "campaign_id", "status", -1 FROM "old_numbers") x
    GROUP BY 1, 2
  ) n
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Numbers are deleted with their campaign (whose counts the foreign key deletes): only numbers of campaigns that are
-- still there are taken off.
CREATE FUNCTION "campaign_numbers_removed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "campaign_numbers_apply"(array_agg(n."campaign_id"), array_agg(n."status"), array_agg(n."numbers"))
  FROM (SELECT "campaign_id", "status", -count(*)::int AS "numbers" FROM "removed_numbers" GROUP BY 1, 2) n
  WHERE EXISTS (SELECT 1 FROM "campaigns" c WHERE c."id" = n."campaign_id")
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "campaign_calls_added"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "campaign_calls_apply"(array_agg(d."campaign_id"), array_agg(d."outcome"), array_agg(d."minute"), array_agg(d."calls"),
    array_agg(d."human"), array_agg(d."machine"), array_agg(d."price"), array_agg(d."seconds"))
  FROM (
    SELECT p."campaign_id", c."outcome", date_trunc('minute', c."start_time", 'UTC') AS "minute", count(*)::int AS "calls",
           count(*) FILTER (WHERE c."answered_by" = 'human')::int AS "human", count(*) FILTER (WHERE c."answered_by" = 'machine')::int AS "machine",
           sum(c."price") AS "price", sum(c."seconds_duration")::bigint AS "seconds"
    FROM "new_calls" c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
    GROUP BY 1, 2, 3
  ) d
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "campaign_calls_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "campaign_calls_apply"(array_agg(d."campaign_id"), array_agg(d."outcome"), array_agg(d."minute"), array_agg(d."calls"),
    array_agg(d."human"), array_agg(d."machine"), array_agg(d."price"), array_agg(d."seconds"))
  FROM (
    SELECT p."campaign_id", c."outcome", date_trunc('minute', c."start_time", 'UTC') AS "minute", sum(c."sign")::int AS "calls",
           coalesce(sum(c."sign") FILTER (WHERE c."answered_by" = 'human'), 0)::int AS "human",
           coalesce(sum(c."sign") FILTER (WHERE c."answered_by" = 'machine'), 0)::int AS "machine",
           sum(c."sign" * c."price") AS "price", sum(c."sign" * c."seconds_duration")::bigint AS "seconds"
    FROM (
      SELECT "phone_number_id", "outcome", "start_time", "answered_by", "price", "seconds_duration", 1 AS "sign" FROM "new_calls"
      UNION ALL
      SELECT "phone_number_id", "outcome", "start_time", "answered_by", "price", "seconds_duration", -1 FROM "old_calls"
    ) c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
    GROUP BY 1, 2, 3
  ) d
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- What is stored already, counted once, before the triggers start adding to it.
INSERT INTO "campaign_number_counts" ("campaign_id", "status", "numbers")
SELECT "campaign_id", "status", count(*)::int FROM "phone_numbers" GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO "campaign_call_counts" ("campaign_id", "outcome", "calls", "human", "machine", "price", "seconds")
SELECT p."campaign_id", c."outcome", count(*)::int, count(*) FILTER (WHERE c."answered_by" = 'human')::int,
       count(*) FILTER (WHERE c."answered_by" = 'machine')::int, sum(c."price"), sum(c."seconds_duration")::bigint
FROM "calls" c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO "campaign_call_minutes" ("campaign_id", "minute", "calls", "answered")
SELECT p."campaign_id", date_trunc('minute', c."start_time", 'UTC'), count(*)::int, count(*) FILTER (WHERE c."outcome" = 5)::int
FROM "calls" c JOIN "phone_numbers" p ON p."id" = c."phone_number_id"
GROUP BY 1, 2;
--> statement-breakpoint
CREATE TRIGGER "campaign_numbers_added" AFTER INSERT ON "phone_numbers"
  REFERENCING NEW TABLE AS "added_numbers" FOR EACH STATEMENT EXECUTE FUNCTION "campaign_numbers_added"();
--> statement-breakpoint
CREATE TRIGGER "campaign_numbers_changed" AFTER UPDATE ON "phone_numbers"
  REFERENCING OLD TABLE AS "old_numbers" NEW TABLE AS "new_numbers" FOR EACH STATEMENT EXECUTE FUNCTION "campaign_numbers_changed"();
--> statement-breakpoint
CREATE TRIGGER "campaign_numbers_removed" AFTER DELETE ON "phone_numbers"
  REFERENCING OLD TABLE AS "removed_numbers" FOR EACH STATEMENT EXECUTE FUNCTION "campaign_numbers_removed"();
--> statement-breakpoint
CREATE TRIGGER "campaign_calls_added" AFTER INSERT ON "calls"
  REFERENCING NEW TABLE AS "new_calls" FOR EACH STATEMENT EXECUTE FUNCTION "campaign_calls_added"();
--> statement-breakpoint
CREATE TRIGGER "campaign_calls_changed" AFTER UPDATE ON "calls"
  REFERENCING OLD TABLE AS "old_calls" NEW TABLE AS "new_calls" FOR EACH STATEMENT EXECUTE FUNCTION "campaign_calls_changed"();
