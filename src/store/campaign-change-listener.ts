// Hears the database's "campaign_changed" notifications (migrations/0013_campaign_change_notify.sql: the campaign id,
// sent at commit by triggers on campaigns, campaign_attempts and campaign_runover_days), for caches of campaign data.
//
// On PGlite the notifications arrive in-process through PGlite's listen(). On PostgreSQL a dedicated client (outside
// the pool, whose connections come and go) holds the LISTEN; when it drops, the listener reports itself not listening
// (the cache then empties itself and is bypassed, so a missed notification never leaves a stale entry), and it
// reconnects with a backoff from RECONNECT_MIN_MS doubling to RECONNECT_MAX_MS.
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from './database.js';

export const CAMPAIGN_CHANGED_CHANNEL = 'campaign_changed';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface CampaignChangeHandler {
  /** The campaign with this id changed (or was deleted). */
  changed(campaignId: number): void;
  /** Notifications may have been missed (false) or are delivered again from now on (true). */
  listening(listening: boolean): void;
}

export interface CampaignChangeListener {
  close(): Promise<void>;
}

function parseId(payload: string): number | null {
  const id = Number(payload);
  return Number.isSafeInteger(id) ? id : null;
}

export async function listenForCampaignChanges(database: Database, handler: CampaignChangeHandler): Promise<CampaignChangeListener> {
  const onPayload = (payload: string) => {
    const id = parseId(payload);
    if (id !== null) handler.changed(id);
  };
  const driver = (database.db as unknown as { $client: PGlite | pg.Pool }).$client;
  if (database.kind === 'pglite') {
    const unlisten = await (driver as PGlite).listen(CAMPAIGN_CHANGED_CHANNEL, onPayload);
    handler.listening(true);
    return {
      close: async () => {
        handler.listening(false);
        await unlisten().catch(() => {});
      },
    };
  }
  const connectionString = (driver as pg.Pool).options.connectionString;
  let closed = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let backoffMs = RECONNECT_MIN_MS;
  const lost = (failed: pg.Client) => {
    if (client !== failed) return;
    client = null;
    handler.listening(false);
    failed.end().catch(() => {});
    if (closed) return;
    retryTimer = setTimeout(() => void connect(), backoffMs);
    backoffMs = Math.min(backoffMs * 2, RECONNECT_MAX_MS);
  };
  const connect = async (): Promise<void> => {
    retryTimer = null;
    const next = new pg.Client({ connectionString });
    client = next;
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    next.on('notification', (message) => {
      if (message.channel === CAMPAIGN_CHANGED_CHANNEL && message.payload !== undefined) onPayload(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CAMPAIGN_CHANGED_CHANNEL}`);
    } catch {
      lost(next);
      return;
    }
    if (client !== next || closed) return;
    backoffMs = RECONNECT_MIN_MS;
    handler.listening(true);
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      handler.listening(false);
      await current?.end().catch(() => {});
    },
  };
}
