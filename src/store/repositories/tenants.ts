// Clients (tenants), their API keys, call flows and caller IDs. Every read that serves a client is scoped by clientId.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../database.js';
import { apiKeys, callFlows, callFlowVersions, clients, clis } from '../schema.js';
import type { Flow } from '../../callflow/schema.js';
import { VISIBLE_PREFIX_LENGTH, digestsEqual, generateApiKey, hashApiKey } from '../../domain/api-key.js';
import { AuthenticatedKeys, type AuthenticatedKey } from './authenticated-keys.js';

export type ClientRow = typeof clients.$inferSelect;
/** A call flow with the document of its current version. */
export interface CallFlowRow {
  id: number;
  clientId: number;
  name: string;
  version: number;
  versionId: number;
  flow: Flow;
  createdAt: Date;
}
export interface CallFlowVersionInfo {
  version: number;
  versionId: number;
  createdAt: Date;
}
export type CliRow = typeof clis.$inferSelect;
export interface NewCallFlow {
  clientId: number;
  name: string;
  flow: Flow;
}
export type NewCli = Omit<typeof clis.$inferInsert, 'id' | 'createdAt'>;

export interface ApiKeyInfo {
  id: number;
  clientId: number;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export class TenantRepository {
  /** Keys this repository authenticated recently (bounded staleness: authenticated-keys.ts). */
  private readonly authenticated = new AuthenticatedKeys();

  constructor(private readonly db: Db) {}

  // --- clients ---

  /**
   * Creates a client with its first API key; the key is returned once and only its digest is stored.
   * `allowedCountries`: ISO regions beyond the UK its campaigns may call (checked by src/tenancy/operator.ts).
   */
  async createClient(name: string, allowedCountries: readonly string[] = []): Promise<{ client: ClientRow; apiKey: string; apiKeyId: number }> {
    return this.db.transaction(async (tx) => {
      const [client] = await tx.insert(clients).values({ name, allowedCountries: [...allowedCountries] }).returning();
      const key = await new TenantRepository(tx as unknown as Db).createApiKey(client!.id);
      return { client: client!, apiKey: key.apiKey, apiKeyId: key.id };
    });
  }

  /** The demo client (`npm start` made it: clients.is_demo), or undefined. */
  async findDemoClient(): Promise<ClientRow | undefined> {
    const [row] = await this.db.select().from(clients).where(eq(clients.isDemo, true)).orderBy(asc(clients.id)).limit(1);
    return row;
  }

  /** Flags a client as the demo client (one made by an older version, which did not flag it). */
  async markDemoClient(id: number): Promise<void> {
    await this.db.update(clients).set({ isDemo: true }).where(eq(clients.id, id));
  }

  listClients(): Promise<ClientRow[]> {
    return this.db.select().from(clients).orderBy(asc(clients.id));
  }

  async getClient(id: number): Promise<ClientRow | undefined> {
    const [row] = await this.db.select().from(clients).where(eq(clients.id, id));
    return row;
  }

  /** Renames a client or replaces its allowed countries; undefined when it does not exist. */
  async updateClient(id: number, changes: { name?: string; allowedCountries?: readonly string[] }): Promise<ClientRow | undefined> {
    const set: Partial<typeof clients.$inferInsert> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.allowedCountries !== undefined) set.allowedCountries = [...changes.allowedCountries];
    if (Object.keys(set).length === 0) return this.getClient(id);
    const [row] = await this.db.update(clients).set(set).where(eq(clients.id, id)).returning();
    return row;
  }

  /** Deletes a client and, by cascade, everything it owns. */
  async deleteClient(id: number): Promise<boolean> {
    const deleted = await this.db.delete(clients).where(eq(clients.id, id)).returning({ id: clients.id });
    // After the write; a lookup racing it may still be remembered, for at most AUTHENTICATED_KEY_TTL_MS.
    this.authenticated.forgetAll();
    return deleted.length > 0;
  }

  // --- API keys ---

  async createApiKey(clientId: number): Promise<{ id: number; apiKey: string }> {
    const apiKey = generateApiKey();
    const [row] = await this.db
      .insert(apiKeys)
      .values({ clientId, keyHash: hashApiKey(apiKey), keyPrefix: apiKey.slice(0, VISIBLE_PREFIX_LENGTH) })
      .returning({ id: apiKeys.id });
    return { id: row!.id, apiKey };
  }

  listApiKeys(clientId: number): Promise<ApiKeyInfo[]> {
    return this.db
      .select({
        id: apiKeys.id,
        clientId: apiKeys.clientId,
        keyPrefix: apiKeys.keyPrefix,
        createdAt: apiKeys.createdAt,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.clientId, clientId))
      .orderBy(asc(apiKeys.id));
  }

  /** Revokes a key at once: the next request with it is refused. False when no such active key exists. */
  async revokeApiKey(keyId: number, now: Date): Promise<boolean> {
    const revoked = await this.db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    // After the write, as in deleteClient.
    this.authenticated.forgetAll();
    return revoked.length > 0;
  }

  /**
   * The client owning an active key and the key's id, or undefined. The digest comparison is constant-time. A key
   * authenticated less than AUTHENTICATED_KEY_TTL_MS ago is not looked up again (a revoke through this repository is
   * seen at once).
   */
  async authenticate(apiKey: string): Promise<AuthenticatedKey | undefined> {
    const digest = hashApiKey(apiKey);
    const known = this.authenticated.get(digest);
    if (known !== undefined) return known;
    const [row] = await this.db
      .select({ apiKeyId: apiKeys.id, clientId: apiKeys.clientId, keyHash: apiKeys.keyHash })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, digest), isNull(apiKeys.revokedAt)));
    if (!row || !digestsEqual(row.keyHash, digest)) return undefined;
    const key = { clientId: row.clientId, apiKeyId: row.apiKeyId };
    this.authenticated.remember(digest, key);
    return key;
  }

  // --- call flows ---

  /** Creates a flow and its version 1. */
  async createCallFlow(input: NewCallFlow): Promise<CallFlowRow> {
    const id = await this.db.transaction(async (tx) => {
      const [flow] = await tx.insert(callFlows).values({ clientId: input.clientId, name: input.name, currentVersion: 1 }).returning();
      await tx.insert(callFlowVersions).values({ callFlowId: flow!.id, version: 1, document: input.flow });
      return flow!.id;
    });
    return (await this.getCallFlow(input.clientId, id))!;
  }

  /**
   * Saves an edit as a new version and makes it current. Campaigns created earlier keep the version they were
   * created with. Undefined when the flow does not exist for this client.
   */
  async updateCallFlow(clientId: number, id: number, input: { name: string; flow: Flow }): Promise<CallFlowRow | undefined> {
    const updated = await this.db.transaction(async (tx) => {
      // The row lock serialises concurrent edits, so each gets its own version number.
      const [current] = await tx
        .select({ currentVersion: callFlows.currentVersion })
        .from(callFlows)
        .where(and(eq(callFlows.clientId, clientId), eq(callFlows.id, id)))
        .for('update');
      if (!current) return false;
      const version = current.currentVersion + 1;
      await tx.insert(callFlowVersions).values({ callFlowId: id, version, document: input.flow });
      await tx.update(callFlows).set({ name: input.name, currentVersion: version }).where(eq(callFlows.id, id));
      return true;
    });
    return updated ? this.getCallFlow(clientId, id) : undefined;
  }

  /** Flows joined to one of their versions: the current one unless `version` is given. */
  private selectFlows(version?: number) {
    const versionMatch =
      version === undefined ? eq(callFlowVersions.version, callFlows.currentVersion) : eq(callFlowVersions.version, version);
    return this.db
      .select({
        id: callFlows.id,
        clientId: callFlows.clientId,
        name: callFlows.name,
        version: callFlowVersions.version,
        versionId: callFlowVersions.id,
        flow: callFlowVersions.document,
        createdAt: callFlows.createdAt,
      })
      .from(callFlows)
      .innerJoin(callFlowVersions, and(eq(callFlowVersions.callFlowId, callFlows.id), versionMatch));
  }

  listCallFlows(clientId: number): Promise<CallFlowRow[]> {
    return this.selectFlows().where(eq(callFlows.clientId, clientId)).orderBy(asc(callFlows.id));
  }

  async getCallFlow(clientId: number, id: number): Promise<CallFlowRow | undefined> {
    const [row] = await this.selectFlows().where(and(eq(callFlows.clientId, clientId), eq(callFlows.id, id)));
    return row;
  }

  /** One stored version of a flow (campaigns may run an older one than the current). */
  async getCallFlowVersion(clientId: number, id: number, version: number): Promise<CallFlowRow | undefined> {
    const [row] = await this.selectFlows(version).where(and(eq(callFlows.clientId, clientId), eq(callFlows.id, id)));
    return row;
  }

  listCallFlowVersions(callFlowId: number): Promise<CallFlowVersionInfo[]> {
    return this.db
      .select({ version: callFlowVersions.version, versionId: callFlowVersions.id, createdAt: callFlowVersions.createdAt })
      .from(callFlowVersions)
      .where(eq(callFlowVersions.callFlowId, callFlowId))
      .orderBy(asc(callFlowVersions.version));
  }

  async deleteCallFlow(clientId: number, id: number): Promise<boolean> {
    const deleted = await this.db
      .delete(callFlows)
      .where(and(eq(callFlows.clientId, clientId), eq(callFlows.id, id)))
      .returning({ id: callFlows.id });
    return deleted.length > 0;
  }

  // --- caller IDs ---

  async createCli(cli: NewCli): Promise<CliRow> {
    const [row] = await this.db.insert(clis).values(cli).returning();
    return row!;
  }

  listClis(clientId: number): Promise<CliRow[]> {
    return this.db.select().from(clis).where(eq(clis.clientId, clientId)).orderBy(asc(clis.id));
  }

  async getCli(clientId: number, id: number): Promise<CliRow | undefined> {
    const [row] = await this.db
      .select()
      .from(clis)
      .where(and(eq(clis.clientId, clientId), eq(clis.id, id)));
    return row;
  }

  async deleteCli(clientId: number, id: number): Promise<boolean> {
    const deleted = await this.db
      .delete(clis)
      .where(and(eq(clis.clientId, clientId), eq(clis.id, id)))
      .returning({ id: clis.id });
    return deleted.length > 0;
  }
}
