// The one PostgreSQL schema, as Drizzle tables. Migrations in /migrations are generated from this file
// (`npm run db:generate`) and applied on start on both PGlite and PostgreSQL.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Flow } from '../callflow/schema.js';
import type { CallingHoursProfile } from '../domain/compliance/calling-hours.js';

/** bytea as bytes: node-postgres gives a Buffer, PGlite a Uint8Array; both are Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const clients = pgTable('clients', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** The client `npm start` makes for a newcomer (DEMO_CLIENT); each start gives it a fresh key to print. */
  isDemo: boolean('is_demo').notNull().default(false),
  /**
   * ISO regions beyond the UK's (+44: GB and the Crown Dependencies GG, IM, JE) that this client's campaigns may
   * call. Empty by default: calls abroad cost money and are a toll-fraud route, so the operator opens them.
   */
  allowedCountries: text('allowed_countries').array().notNull().default(sql`'{}'::text[]`),
  /** The operator's calling-hours profile for this client (issue 9); null: the default (industry convention). */
  callingHours: jsonb('calling_hours').$type<CallingHoursProfile>(),
  /**
   * Why the operator turned Ofcom's 24-hour rule after an answering machine off for this client (null: on). The
   * guard can only be switched off with a written reason, which the compliance views show.
   */
  machineRuleOffReason: text('machine_rule_off_reason'),
  createdAt: createdAt(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** SHA-256 of the key, hex. The key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, so an operator can tell keys apart without the secret. */
    keyPrefix: text('key_prefix').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [uniqueIndex('api_keys_key_hash_idx').on(table.keyHash), index('api_keys_client_idx').on(table.clientId)],
);

export const callFlows = pgTable(
  'call_flows',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The version new campaigns use; every edit adds a version and moves this on. */
    currentVersion: integer('current_version').notNull().default(1),
    createdAt: createdAt(),
  },
  (table) => [index('call_flows_client_idx').on(table.clientId)],
);

/** Every version of every call flow, never changed once written: a campaign keeps the version it was created with. */
export const callFlowVersions = pgTable(
  'call_flow_versions',
  {
    id: serial('id').primaryKey(),
    callFlowId: integer('call_flow_id')
      .notNull()
      .references(() => callFlows.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The flow document (src/callflow/schema.ts), validated before it is stored. */
    document: jsonb('document').$type<Flow>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('call_flow_versions_flow_version_idx').on(table.callFlowId, table.version)],
);

/** Uploaded audio for call flows' play steps, converted on upload to the one form the carriers play. */
export const audioFiles = pgTable(
  'audio_files',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** Always 8000: the data is resampled on upload. */
    sampleRate: integer('sample_rate').notNull().default(8000),
    /** An 8 kHz mono 16-bit PCM WAV file (src/media/audio/encode-wav.ts). */
    data: bytea('data').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('audio_files_client_idx').on(table.clientId)],
);

export const clis = pgTable(
  'clis',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** E.164. */
    number: text('number').notNull(),
    label: text('label').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('clis_client_idx').on(table.clientId)],
);

export const campaigns = pgTable(
  'campaigns',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: smallint('type').notNull(),
    status: smallint('status').notNull(),
    /** IANA zone in which the dates and HH:mm times below are wall-clock times. */
    timeZone: text('time_zone').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    startTime: text('start_time').notNull(),
    finishTime: text('finish_time').notNull(),
    /** The first window's opening as an instant, for sorting, filtering and the dialer. */
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    callFlowId: integer('call_flow_id')
      .notNull()
      .references(() => callFlows.id),
    /** The flow version this campaign runs, fixed when it was created. */
    callFlowVersionId: integer('call_flow_version_id')
      .notNull()
      .references(() => callFlowVersions.id),
    cliId: integer('cli_id')
      .notNull()
      .references(() => clis.id),
    answerPhoneMessage: smallint('answer_phone_message').notNull(),
    smsOnBusy: smallint('sms_on_busy').notNull(),
    callCount: integer('call_count').notNull().default(0),
    /**
     * The calling-hours envelope the campaign runs in: its client's profile when it was created, narrowed by the
     * campaign's own callingHours. Null (campaigns from before the guard): the default profile.
     */
    callingHours: jsonb('calling_hours').$type<CallingHoursProfile>(),
    /** A marketing campaign (PECR reg 21): screened against TPS/CTPS, which needs a screening no older than 28 days. */
    marketing: boolean('marketing').notNull().default(false),
    /** What a compliance guard last did to the campaign (slowed, paused, blocked) and why; null: nothing. */
    complianceNote: text('compliance_note'),
    /**
     * True while a large create on PGlite is still adding its numbers outside the first transaction: the dialer
     * leaves the campaign alone, and a start that finds one (its process died mid-create, before answering 201)
     * deletes it, so a crash never leaves half a campaign behind.
     */
    filling: boolean('filling').notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [
    // Names are unique per client, ignoring case (the document's "Unique").
    uniqueIndex('campaigns_client_name_idx').on(table.clientId, sql`lower(${table.name})`),
    index('campaigns_client_starts_idx').on(table.clientId, table.startsAt),
  ],
);

export const campaignAttempts = pgTable(
  'campaign_attempts',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    attemptNumber: smallint('attempt_number').notNull(),
    intervalMinutes: integer('interval_minutes').notNull(),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.attemptNumber] })],
);

export const campaignRunoverDays = pgTable(
  'campaign_runover_days',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    startTime: text('start_time').notNull(),
    finishTime: text('finish_time').notNull(),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.date] })],
);

export const phoneNumbers = pgTable(
  'phone_numbers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    /** E.164. */
    number: text('number').notNull(),
    name: text('name').notNull().default(''),
    /** [{parameter, value}] sorted by parameter. */
    parameters: jsonb('parameters').$type<{ parameter: number; value: string }[]>().notNull().default([]),
    createdAt: createdAt(),
    // --- dialer state (the database is the dialer's source of truth) ---
    /** NumberStatus: pending, dialling, or a final status that says why the number is finished. */
    status: smallint('status').notNull().default(0),
    /** The attempt the next call will be. */
    nextAttempt: smallint('next_attempt').notNull().default(1),
    /** When the next attempt may start; null until the campaign first becomes active. */
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }),
    /** The dialer process holding the number while its call runs, and until when; an expired lease is recovered. */
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true, mode: 'date' }),
    lastEndedAt: timestamp('last_ended_at', { withTimezone: true, mode: 'date' }),
    /** Why a compliance guard finished the number (Suppressed, RepeatRule), in words; null otherwise. */
    statusReason: text('status_reason'),
  },
  (table) => [
    uniqueIndex('phone_numbers_campaign_number_idx').on(table.campaignId, table.number),
    // The claim query: pending numbers by due time, in the claim's order (due_at, id). Without the id the index
    // gave due_at order only: numbers due at the same instant (a whole campaign's first attempts) were all read,
    // screened (do-not-call, embargo) and sorted on every claim, 90 ms a claim on a 20,000-number campaign.
    index('phone_numbers_due_idx').on(table.campaignId, table.dueAt, table.id).where(sql`status = 0`),
    // Lease recovery and in-flight counts.
    index('phone_numbers_dialling_idx').on(table.leaseExpiresAt).where(sql`status = 1`),
    // The number listing's pages: a campaign's numbers in upload (id) order, from a given id (phone_number_batches).
    index('phone_numbers_campaign_id_idx').on(table.campaignId, table.id),
  ],
);

/**
 * Where each statement that added numbers to a campaign put them: the lowest and highest id it gave and how many
 * rows. A trigger on phone_numbers writes one row per campaign per statement (migrations/0012), so no insert path can
 * forget it. With these a page of the number listing finds its first number by arithmetic instead of an OFFSET that
 * walked 500,000 index entries for page 5,000 of a 1,000,000-number campaign (issue 10). Numbers are never deleted
 * one by one (only with their campaign, and these rows with them).
 */
export const phoneNumberBatches = pgTable(
  'phone_number_batches',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    firstId: bigint('first_id', { mode: 'number' }).notNull(),
    lastId: bigint('last_id', { mode: 'number' }).notNull(),
    numberCount: integer('number_count').notNull(),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.firstId] })],
);

// Pages of calls are written 30% full (migrations/0029; drizzle-kit does not generate a table's storage parameters):
// a call's result then updates its row on its page without touching the indexes. No indexed column may be part of a
// result, or that update needs new index entries again.
export const calls = pgTable(
  'calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phoneNumberId: bigint('phone_number_id', { mode: 'number' })
      .notNull()
      .references(() => phoneNumbers.id, { onDelete: 'cascade' }),
    attemptNumber: smallint('attempt_number').notNull(),
    startTime: timestamp('start_time', { withTimezone: true, mode: 'date' }).notNull(),
    endTime: timestamp('end_time', { withTimezone: true, mode: 'date' }),
    stage: smallint('stage').notNull(),
    outcome: smallint('outcome').notNull(),
    userInput: text('user_input').notNull().default(''),
    price: numeric('price', { precision: 12, scale: 4, mode: 'number' }).notNull().default(0),
    isTransferCall: boolean('is_transfer_call').notNull().default(false),
    secondsDuration: integer('seconds_duration').notNull().default(0),
    answeredBy: text('answered_by'),
    /** Whether the answerphone message was left (AnswerPhoneMessage). */
    voicemailLeft: boolean('voicemail_left').notNull().default(false),
    /** Why the call ended, in words, with the SIP code and Q.850 cause when the network gave them. */
    endReason: text('end_reason'),
    sipCode: integer('sip_code'),
    q850Cause: integer('q850_cause'),
    carrier: text('carrier'),
    dialerId: text('dialer_id'),
    /** The callee asked not to be called again (an optOut step); the number was listed in the same transaction. */
    optedOut: boolean('opted_out').notNull().default(false),
    /** From answer to the first audio we sent (Ofcom's 2-second rule); null when the call was not answered. */
    firstAudioMs: integer('first_audio_ms'),
  },
  (table) => [
    // A (number, attempt) is dialled at most once: the database enforces it.
    uniqueIndex('calls_number_attempt_idx').on(table.phoneNumberId, table.attemptNumber),
    // The dialer's claim counts the calls started in the last second, several times a second: without this index
    // that is a scan of every call ever made.
    index('calls_start_time_idx').on(table.startTime),
  ],
);

export const smsMessages = pgTable(
  'sms_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phoneNumberId: bigint('phone_number_id', { mode: 'number' })
      .notNull()
      .references(() => phoneNumbers.id, { onDelete: 'cascade' }),
    attemptNumber: smallint('attempt_number').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }).notNull(),
    text: text('text').notNull(),
    parts: smallint('parts').notNull(),
    status: text('status').notNull(),
    /** When status last changed (queued: sentAt), and the provider's or a receipt's error, null when none (issue 13). */
    statusAt: timestamp('status_at', { withTimezone: true, mode: 'date' }).notNull(),
    error: text('error'),
    encoding: text('encoding'),
    providerId: text('provider_id'),
  },
  (table) => [
    // A call flow may send several texts in one attempt, so (number, attempt) is not unique.
    index('sms_messages_number_idx').on(table.phoneNumberId, table.attemptNumber),
  ],
);

/**
 * Do-not-call lists (issue 9): one per client, one operator-wide, and the TPS and CTPS registers the operator
 * imports. A number on any list that applies to a campaign is never dialled.
 */
export const suppressionLists = pgTable(
  'suppression_lists',
  {
    id: serial('id').primaryKey(),
    /** client, operator, tps or ctps (SUPPRESSION_LIST_KINDS). */
    kind: text('kind').notNull(),
    /** The owning client for kind client; null for the others. */
    clientId: integer('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    /** Kept with every change, so a page of the list does not count a million rows. */
    numberCount: integer('number_count').notNull().default(0),
    /** TPS and CTPS: when the imported file was downloaded (screening older than 28 days blocks marketing). */
    downloadedAt: timestamp('downloaded_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('suppression_lists_kind_client_idx').on(table.kind, sql`coalesce(${table.clientId}, 0)`)],
);

export const suppressedNumbers = pgTable(
  'suppressed_numbers',
  {
    listId: integer('list_id')
      .notNull()
      .references(() => suppressionLists.id, { onDelete: 'cascade' }),
    /** E.164. */
    number: text('number').notNull(),
    /** How it got here: api, upload, opt-out (a keypress during a call) or import (TPS/CTPS file). */
    source: text('source').notNull(),
    reason: text('reason'),
    addedAt: timestamp('added_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.listId, table.number] })],
);

/**
 * Ofcom's repeat-call rules across a client's campaigns (issue 9): after an abandoned call (72 h) or an answering
 * machine that got no message (24 h) the number may not be called again by any campaign of the client until
 * `not_before`. Written in the transaction that records the call; read when numbers are claimed.
 */
export const repeatEmbargoes = pgTable(
  'repeat_embargoes',
  {
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** E.164. */
    number: text('number').notNull(),
    notBefore: timestamp('not_before', { withTimezone: true, mode: 'date' }).notNull(),
    /** abandoned_72h or machine_24h. */
    rule: text('rule').notNull(),
  },
  (table) => [primaryKey({ columns: [table.clientId, table.number] })],
);

/**
 * The calls in flight (numbers being dialled) per campaign and carrier, kept by the dialer in the same transaction
 * that moves a number into or out of dialling: the claim adds what it claimed, recording a call's result (or
 * recovering an interrupted one) takes it away. The claim reads these few rows instead of counting the numbers in
 * flight, which cost a lookup per call in flight (1,000 lines: 2.4 ms a claim on PGlite, issue 10).
 */
export const linesInUse = pgTable(
  'lines_in_use',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    /** The carrier's name as the calls row has it ('' for calls made before carriers were recorded). */
    carrier: text('carrier').notNull(),
    calls: integer('calls').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.carrier] })],
);

/**
 * The calls each claim started, per campaign, carrier and instant: the calls-per-second limits read the last second's
 * rows here (a few, one per claim) instead of the calls started in it, each of which was a lookup of its number for
 * the campaign (0.7 ms a claim on PGlite at 100 calls/s, 4% of the virtual-time campaign, issue 10). Written by the
 * claim's statement; the claim deletes rows a minute old (kept that long so that a process whose clock is a little
 * behind still counts what others started).
 */
export const callStarts = pgTable(
  'call_starts',
  {
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    /** The carrier's name as the calls rows have it. */
    carrier: text('carrier').notNull(),
    calls: integer('calls').notNull(),
  },
  (table) => [primaryKey({ columns: [table.startedAt, table.campaignId, table.carrier] })],
);

/**
 * The calls that make Ofcom's abandoned-call rate (live, abandoned, machine-answered), counted per campaign and per
 * minute of their start time by statement triggers on calls (migrations/0014) whenever a call's outcome is written;
 * every call with an outcome makes its minute's row, even when it is none of the three. A 24-hour rate sums at most 1,440 rows per campaign and
 * counts only the calls of the partial minute at the window's start, instead of every call of the last 24 hours
 * (14 ms a check with 30,000 calls on PGlite and growing with every call, issue 10).
 */
export const callOutcomeMinutes = pgTable(
  'call_outcome_minutes',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    /** The start of the minute (UTC) in which the calls started. */
    minute: timestamp('minute', { withTimezone: true, mode: 'date' }).notNull(),
    live: integer('live').notNull().default(0),
    abandoned: integer('abandoned').notNull().default(0),
    machine: integer('machine').notNull().default(0),
    /** Every call with an outcome (migrations/0015): the campaign summary's calls per minute; its `live` are those answered. */
    calls: integer('calls').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.campaignId, table.minute] })],
);

// ---- A campaign's kept counts for its summary (issue 11, migrations/0015; its calls per minute are in
// callOutcomeMinutes.calls) ------------------------------------------------------------------------------------------
// Statement triggers on phone_numbers and calls add each statement's changes here, so the summary and the list's
// progress read a few rows instead of a campaign's numbers and calls. The dialer's claim and its result writes hold
// lines_in_use rows in opposite orders to any counter row they would also update, so a counter kept as one row per
// key would deadlock two dialer transactions. Instead a trigger adds to a row of the key that no other transaction
// holds (FOR UPDATE SKIP LOCKED) and makes a new row when all are held: it never waits, and a key has as many rows as
// transactions ever held it at once. Readers sum a key's rows.

/** A campaign's numbers by NumberStatus. */
export const campaignNumberCounts = pgTable(
  'campaign_number_counts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    status: smallint('status').notNull(),
    numbers: integer('numbers').notNull(),
  },
  // The counts as key columns too: the list's progress (a page of campaigns, each a few rows here) reads them from
  // the index alone (an index-only scan) where a row each was a heap page each (migrations/0028).
  (table) => [index('campaign_number_counts_campaign_idx').on(table.campaignId, table.status, table.numbers)],
);

/**
 * A campaign's calls with a result, by CallOutcome, with who answered, their cost and duration. Calls in progress are
 * not here: each is the call of a number in status Dialling, counted in campaignNumberCounts.
 */
export const campaignCallCounts = pgTable(
  'campaign_call_counts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    outcome: smallint('outcome').notNull(),
    calls: integer('calls').notNull(),
    /** answered_by 'human' and 'machine'. */
    human: integer('human').notNull(),
    machine: integer('machine').notNull(),
    /** GBP, the sum of the calls' price. */
    price: numeric('price', { precision: 16, scale: 4, mode: 'number' }).notNull(),
    seconds: bigint('seconds', { mode: 'number' }).notNull(),
  },
  // calls and price for the list's progress, read from the index alone (see campaignNumberCounts, migrations/0028).
  (table) => [index('campaign_call_counts_campaign_idx').on(table.campaignId, table.outcome, table.calls, table.price)],
);
export * from "./schema-webhooks.js";
export * from "./schema-sms.js";
export * from "./schema-limits.js";
export * from "./schema-audit.js";
