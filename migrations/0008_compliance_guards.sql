CREATE TABLE "repeat_embargoes" (
	"client_id" integer NOT NULL,
	"number" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"rule" text NOT NULL,
	CONSTRAINT "repeat_embargoes_client_id_number_pk" PRIMARY KEY("client_id","number")
);
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "opted_out" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "first_audio_ms" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "marketing" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "compliance_note" text;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "machine_rule_off_reason" text;--> statement-breakpoint
ALTER TABLE "repeat_embargoes" ADD CONSTRAINT "repeat_embargoes_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;