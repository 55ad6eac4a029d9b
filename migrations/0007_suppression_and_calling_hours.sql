CREATE TABLE "suppressed_numbers" (
	"list_id" integer NOT NULL,
	"number" text NOT NULL,
	"source" text NOT NULL,
	"reason" text,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "suppressed_numbers_list_id_number_pk" PRIMARY KEY("list_id","number")
);
--> statement-breakpoint
CREATE TABLE "suppression_lists" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"client_id" integer,
	"number_count" integer DEFAULT 0 NOT NULL,
	"downloaded_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "calling_hours" jsonb;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "calling_hours" jsonb;--> statement-breakpoint
ALTER TABLE "suppressed_numbers" ADD CONSTRAINT "suppressed_numbers_list_id_suppression_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."suppression_lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "suppression_lists" ADD CONSTRAINT "suppression_lists_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "suppression_lists_kind_client_idx" ON "suppression_lists" USING btree ("kind",coalesce("client_id", 0));