// Idempotency keys in the database (schema-limits.ts). The claim is its own statement (its own transaction), before
// the work: INSERT ... ON CONFLICT DO NOTHING lets exactly one of several concurrent requests with a key through.
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../database.js';
import { idempotencyKeys } from '../schema.js';

export interface StoredIdempotentResponse {
  requestHash: string;
  responseStatus: number | null;
  responseBody: string | null;
  responseContentType: string | null;
}

export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  /**
   * Claims (client, key) for a request with this hash. True when this request owns the key and must do the work;
   * false when a live row exists (read it with find). An expired row is deleted first so the key can be reused.
   */
  async claim(clientId: number, key: string, requestHash: string, now: Date, expiresAt: Date): Promise<boolean> {
    await this.db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.clientId, clientId), eq(idempotencyKeys.key, key), lt(idempotencyKeys.expiresAt, now)));
    const inserted = await this.db
      .insert(idempotencyKeys)
      .values({ clientId, key, requestHash, createdAt: now, expiresAt })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    return inserted.length === 1;
  }

  async find(clientId: number, key: string): Promise<StoredIdempotentResponse | undefined> {
    const [row] = await this.db
      .select({
        requestHash: idempotencyKeys.requestHash,
        responseStatus: idempotencyKeys.responseStatus,
        responseBody: idempotencyKeys.responseBody,
        responseContentType: idempotencyKeys.responseContentType,
      })
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.clientId, clientId), eq(idempotencyKeys.key, key)));
    return row;
  }

  async complete(clientId: number, key: string, status: number, body: string, contentType: string | undefined): Promise<void> {
    await this.db
      .update(idempotencyKeys)
      .set({ responseStatus: status, responseBody: body, responseContentType: contentType ?? null })
      .where(and(eq(idempotencyKeys.clientId, clientId), eq(idempotencyKeys.key, key)));
  }

  /** Gives a key back when its request failed without an answer worth replaying (a 5xx): a retry does the work. */
  async release(clientId: number, key: string): Promise<void> {
    await this.db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.clientId, clientId), eq(idempotencyKeys.key, key)));
  }

  /** Deletes expired keys; answers how many. */
  async deleteExpired(now: Date): Promise<number> {
    const deleted = await this.db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now)).returning({ key: idempotencyKeys.key });
    return deleted.length;
  }
}
