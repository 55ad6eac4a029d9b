-- Status changes of numbers are counted by the statements that make them (src/store/number-status-counts.ts), not
-- by a statement trigger: the trigger ran on every update of phone_numbers (the dialer's lease renewals too, which
-- change no status) through transition tables, 0.2-0.3 ms a statement on PGlite and 8% of the virtual-time campaign
-- (issue 10), and PostgreSQL refuses transition tables on a trigger limited to `UPDATE OF status`. 0015's insert and
-- delete triggers stay: imports and deletes are rare, large statements.
DROP TRIGGER "campaign_numbers_changed" ON "phone_numbers";
--> statement-breakpoint
DROP FUNCTION "campaign_numbers_changed"();
