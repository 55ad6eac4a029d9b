CREATE TABLE "client_limits" (
	"client_id" integer PRIMARY KEY NOT NULL,
	"rate_limit_per_min" integer,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_limits" ADD CONSTRAINT "client_limits_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;