-- Results recorded on calls are counted by the statements that record them (src/store/call-outcome-counts.ts: the
-- dialer's result write and its lease recovery), not by 0014/0015's statement trigger on UPDATE: reading transition
-- tables, it was about half of each result write's execution on PGlite (EXPLAIN ANALYZE; the write took 16% less
-- time without it, issue 10). 0015's INSERT trigger stays: calls inserted with a result are rare (the claim inserts
-- calls in progress, which it does not count).
DROP TRIGGER "call_outcome_minutes_change" ON "calls";
--> statement-breakpoint
DROP FUNCTION "call_outcome_minutes_change"();
