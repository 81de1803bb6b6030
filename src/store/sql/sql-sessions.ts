import { SESSION_SQL, type SessionRow, sessionParams, toStoredSession } from '../session-rows.js';
import type { StoredSession } from '../store.js';
import { toMs } from '../values.js';
import type { SqlContext } from './sql-context.js';

/** HTTP sessions in our own schema (PostgreSQL and MariaDB share the SQL). */
export const sqlSessions = {
  async createSession(ctx: SqlContext, session: StoredSession): Promise<void> {
    await ctx.pool.query(SESSION_SQL.insert, sessionParams(session));
  },
  async getSession(ctx: SqlContext, idHash: string): Promise<StoredSession | undefined> {
    const { rows } = await ctx.pool.query<SessionRow>(SESSION_SQL.select, [idHash]);
    return rows[0] && toStoredSession(rows[0]);
  },
  async touchSession(ctx: SqlContext, idHash: string, expiresAt: Date): Promise<boolean> {
    return (await ctx.pool.query(SESSION_SQL.touch, [toMs(expiresAt), idHash])).affected > 0;
  },
  async deleteSession(ctx: SqlContext, idHash: string): Promise<boolean> {
    return (await ctx.pool.query(SESSION_SQL.delete, [idHash])).affected > 0;
  },
  async deleteOwnerSessions(ctx: SqlContext, ownerId: number, keepIdHash = ''): Promise<number> {
    return (await ctx.pool.query(SESSION_SQL.deleteOwner, [ownerId, keepIdHash])).affected;
  },
  async deleteExpiredSessions(ctx: SqlContext, now: Date): Promise<number> {
    return (await ctx.pool.query(SESSION_SQL.deleteExpired, [toMs(now)])).affected;
  },
};
