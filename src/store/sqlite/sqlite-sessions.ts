import { SESSION_SQL, type SessionRow, sessionParams, toStoredSession } from '../session-rows.js';
import type { StoredSession } from '../store.js';
import { toMs } from '../values.js';
import type { SqliteContext } from './sqlite-context.js';

export function createSession(ctx: SqliteContext, session: StoredSession): void {
  ctx.statement(SESSION_SQL.insert).run(...sessionParams(session));
}

export function getSession(ctx: SqliteContext, idHash: string): StoredSession | undefined {
  const row = ctx.statement(SESSION_SQL.select).get(idHash) as SessionRow | undefined;
  return row && toStoredSession(row);
}

export function touchSession(ctx: SqliteContext, idHash: string, expiresAt: Date): boolean {
  return ctx.statement(SESSION_SQL.touch).run(toMs(expiresAt), idHash).changes > 0;
}

export function deleteSession(ctx: SqliteContext, idHash: string): boolean {
  return ctx.statement(SESSION_SQL.delete).run(idHash).changes > 0;
}

export function deleteOwnerSessions(ctx: SqliteContext, ownerId: number, keepIdHash = ''): number {
  return ctx.statement(SESSION_SQL.deleteOwner).run(ownerId, keepIdHash).changes;
}

export function deleteExpiredSessions(ctx: SqliteContext, now: Date): number {
  return ctx.statement(SESSION_SQL.deleteExpired).run(toMs(now)).changes;
}
