CREATE TABLE "api_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "call_flows" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"name" text NOT NULL,
	"message" text NOT NULL,
	"voicemail_message" text NOT NULL,
	"sms_text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"phone_number_id" bigint NOT NULL,
	"attempt_number" smallint NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone,
	"stage" smallint NOT NULL,
	"outcome" smallint NOT NULL,
	"user_input" text DEFAULT '' NOT NULL,
	"price" numeric(12, 4) DEFAULT 0 NOT NULL,
	"is_transfer_call" boolean DEFAULT false NOT NULL,
	"seconds_duration" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_attempts" (
	"campaign_id" integer NOT NULL,
	"attempt_number" smallint NOT NULL,
	"interval_minutes" integer NOT NULL,
	CONSTRAINT "campaign_attempts_campaign_id_attempt_number_pk" PRIMARY KEY("campaign_id","attempt_number")
);
--> statement-breakpoint
CREATE TABLE "campaign_runover_days" (
	"campaign_id" integer NOT NULL,
	"date" date NOT NULL,
	"start_time" text NOT NULL,
	"finish_time" text NOT NULL,
	CONSTRAINT "campaign_runover_days_campaign_id_date_pk" PRIMARY KEY("campaign_id","date")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"name" text NOT NULL,
	"type" smallint NOT NULL,
	"status" smallint NOT NULL,
	"time_zone" text NOT NULL,
	"start_date" date NOT NULL,
	"start_time" text NOT NULL,
	"finish_time" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"call_flow_id" integer NOT NULL,
	"cli_id" integer NOT NULL,
	"answer_phone_message" smallint NOT NULL,
	"sms_on_busy" smallint NOT NULL,
	"call_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clis" (
	"id" serial PRIMARY KEY NOT NULL,
	"client_id" integer NOT NULL,
	"number" text NOT NULL,
	"label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_numbers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"campaign_id" integer NOT NULL,
	"number" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"parameters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"phone_number_id" bigint NOT NULL,
	"attempt_number" smallint NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"text" text NOT NULL,
	"parts" smallint NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_flows" ADD CONSTRAINT "call_flows_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_phone_number_id_phone_numbers_id_fk" FOREIGN KEY ("phone_number_id") REFERENCES "public"."phone_numbers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_attempts" ADD CONSTRAINT "campaign_attempts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_runover_days" ADD CONSTRAINT "campaign_runover_days_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_call_flow_id_call_flows_id_fk" FOREIGN KEY ("call_flow_id") REFERENCES "public"."call_flows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_cli_id_clis_id_fk" FOREIGN KEY ("cli_id") REFERENCES "public"."clis"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clis" ADD CONSTRAINT "clis_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sms_messages" ADD CONSTRAINT "sms_messages_phone_number_id_phone_numbers_id_fk" FOREIGN KEY ("phone_number_id") REFERENCES "public"."phone_numbers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_idx" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_client_idx" ON "api_keys" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "call_flows_client_idx" ON "call_flows" USING btree ("client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "calls_number_attempt_idx" ON "calls" USING btree ("phone_number_id","attempt_number");--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_client_name_idx" ON "campaigns" USING btree ("client_id",lower("name"));--> statement-breakpoint
CREATE INDEX "campaigns_client_starts_idx" ON "campaigns" USING btree ("client_id","starts_at");--> statement-breakpoint
CREATE INDEX "clis_client_idx" ON "clis" USING btree ("client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_numbers_campaign_number_idx" ON "phone_numbers" USING btree ("campaign_id","number");--> statement-breakpoint
CREATE INDEX "sms_messages_number_idx" ON "sms_messages" USING btree ("phone_number_id");