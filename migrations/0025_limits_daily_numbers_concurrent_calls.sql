CREATE TABLE "client_daily_numbers" (
	"client_id" integer PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"numbers" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_limits" ADD COLUMN "max_numbers_per_day" integer;--> statement-breakpoint
ALTER TABLE "client_limits" ADD COLUMN "max_concurrent_calls" integer;--> statement-breakpoint
ALTER TABLE "client_daily_numbers" ADD CONSTRAINT "client_daily_numbers_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;