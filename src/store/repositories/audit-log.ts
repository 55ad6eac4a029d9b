// Reading and writing the audit log (schema-audit.ts).
import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { Db } from '../database.js';
import { auditLog } from '../schema.js';

export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = Omit<typeof auditLog.$inferInsert, 'id'>;

export interface AuditQuery {
  limit: number;
  /** Entries with an id below this (the previous page's nextBefore). */
  before?: number | undefined;
  clientId?: number | undefined;
  action?: string | undefined;
  /** Inclusive bounds on `at`. */
  from?: Date | undefined;
  to?: Date | undefined;
}

export class AuditLogRepository {
  constructor(private readonly db: Db) {}

  async insert(entry: NewAuditEntry): Promise<void> {
    await this.db.insert(auditLog).values(entry);
  }

  /** Newest first (by id: the order entries were written in). */
  list(query: AuditQuery): Promise<AuditEntry[]> {
    const conditions: SQL[] = [];
    if (query.before !== undefined) conditions.push(lt(auditLog.id, query.before));
    if (query.clientId !== undefined) conditions.push(eq(auditLog.clientId, query.clientId));
    if (query.action !== undefined) conditions.push(eq(auditLog.action, query.action));
    if (query.from !== undefined) conditions.push(gte(auditLog.at, query.from));
    if (query.to !== undefined) conditions.push(lte(auditLog.at, query.to));
    return this.db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(query.limit);
  }
}
