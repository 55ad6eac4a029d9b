-- Each process caches campaign details (src/store/campaign-detail-cache.ts) and evicts an entry when the database
-- tells it the campaign changed: these triggers NOTIFY "campaign_changed" with the campaign id after a change to
-- what the detail shows (the campaign row, its attempts, its run-over days). PostgreSQL delivers a notification at
-- commit and folds identical ones within a transaction. A new campaign is in no cache, so campaign inserts notify
-- nothing (a 100,000-row insert would otherwise queue 100,000 notifications).
CREATE FUNCTION "campaign_changed_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'campaigns' THEN
    PERFORM pg_notify('campaign_changed', (CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text);
  ELSE
    IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('campaign_changed', OLD."campaign_id"::text); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('campaign_changed', NEW."campaign_id"::text); END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "campaigns_changed" AFTER UPDATE OR DELETE ON "campaigns" FOR EACH ROW EXECUTE FUNCTION "campaign_changed_notify"();
--> statement-breakpoint
CREATE TRIGGER "campaign_attempts_changed" AFTER INSERT OR UPDATE OR DELETE ON "campaign_attempts" FOR EACH ROW EXECUTE FUNCTION "campaign_changed_notify"();
--> statement-breakpoint
CREATE TRIGGER "campaign_runover_days_changed" AFTER INSERT OR UPDATE OR DELETE ON "campaign_runover_days" FOR EACH ROW EXECUTE FUNCTION "campaign_changed_notify"();
