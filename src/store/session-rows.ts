import type { StoredSession } from './store.js';
import { toMs } from './values.js';

/** HTTP sessions: the SQL every back-end of our schema shares (SQLite, PostgreSQL, MariaDB). */

export const SESSION_SQL = {
  insert:
    'INSERT INTO http_sessions (id_hash, owner_id, permit, stamp, remember, created_ms, expires_ms) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?)',
  select:
    'SELECT id_hash, owner_id, permit, stamp, remember, created_ms, expires_ms FROM http_sessions WHERE id_hash = ?',
  touch: 'UPDATE http_sessions SET expires_ms = ? WHERE id_hash = ?',
  delete: 'DELETE FROM http_sessions WHERE id_hash = ?',
  deleteOwner: 'DELETE FROM http_sessions WHERE owner_id = ? AND id_hash <> ?',
  deleteExpired: 'DELETE FROM http_sessions WHERE expires_ms <= ?',
} as const;

export interface SessionRow {
  id_hash: string;
  owner_id: number | string;
  permit: string;
  stamp: string;
  remember: number | string | boolean;
  created_ms: number | string;
  expires_ms: number | string;
}

export function sessionParams(s: StoredSession): (string | number)[] {
  return [s.idHash, s.ownerId, s.permit, s.stamp, s.remember ? 1 : 0, toMs(s.createdAt), toMs(s.expiresAt)];
}

export function toStoredSession(row: SessionRow): StoredSession {
  return {
    idHash: row.id_hash,
    ownerId: Number(row.owner_id),
    permit: row.permit,
    stamp: row.stamp,
    remember: Number(row.remember) === 1,
    createdAt: new Date(Number(row.created_ms)),
    expiresAt: new Date(Number(row.expires_ms)),
  };
}

/** Perl mode: sessions in memory, as the reference keeps them (lost on restart). One map per store. */
export function memorySessions() {
  const sessions = new Map<string, StoredSession>();
  return {
    createSession: (_db: unknown, s: StoredSession): void => void sessions.set(s.idHash, { ...s }),
    getSession: (_db: unknown, idHash: string): StoredSession | undefined => {
      const s = sessions.get(idHash);
      return s && { ...s };
    },
    touchSession: (_db: unknown, idHash: string, expiresAt: Date): boolean => {
      const s = sessions.get(idHash);
      if (s) s.expiresAt = expiresAt;
      return s !== undefined;
    },
    deleteSession: (_db: unknown, idHash: string): boolean => sessions.delete(idHash),
    deleteOwnerSessions: (_db: unknown, ownerId: number, keepIdHash = ''): number => {
      let n = 0;
      for (const [k, s] of sessions) if (s.ownerId === ownerId && k !== keepIdHash && sessions.delete(k)) n++;
      return n;
    },
    deleteExpiredSessions: (_db: unknown, now: Date): number => {
      let n = 0;
      for (const [k, s] of sessions) if (s.expiresAt <= now && sessions.delete(k)) n++;
      return n;
    },
  };
}
