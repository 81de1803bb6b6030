import type { PushQueueItem } from './store.js';

/**
 * The push queue for back-ends without a table for it (Perl mode: the Perl server's schema is never
 * altered). Kept in memory, so it is NOT durable: alerts queued when the process stops are lost.
 * One queue per store; the functions ignore the database handle.
 */
export function memoryPushQueue() {
  const items = new Map<number, PushQueueItem>();
  let nextId = 1;
  return {
    enqueuePush(_db: unknown, payloads: string[], dueAt?: Date): void {
      const now = new Date();
      for (const payload of payloads) {
        const id = nextId++;
        items.set(id, { id, payload, attempts: 0, dueAt: dueAt ?? now, createdAt: now });
      }
    },
    claimPush(_db: unknown, now: Date, limit: number, leaseUntil: Date): PushQueueItem[] {
      const due = [...items.values()]
        .filter((item) => item.dueAt.getTime() <= now.getTime())
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)
        .slice(0, Math.max(0, limit));
      for (const item of due) {
        item.attempts += 1;
        item.dueAt = leaseUntil;
      }
      return due.map((item) => ({ ...item }));
    },
    finishPush(_db: unknown, id: number): boolean {
      return items.delete(id);
    },
    retryPush(_db: unknown, id: number, dueAt: Date): boolean {
      const item = items.get(id);
      if (item) item.dueAt = dueAt;
      return item !== undefined;
    },
    countPush(_db: unknown): number {
      return items.size;
    },
  };
}

/** A queue row as the SQL back-ends return it (drivers may return BIGINTs as strings). */
export interface PushQueueRow {
  id: number | string;
  payload: string;
  attempts: number | string;
  due_ms: number | string;
  created_ms: number | string;
}

export const PUSH_QUEUE_COLUMNS = 'id, payload, attempts, due_ms, created_ms';

export function toPushQueueItem(row: PushQueueRow): PushQueueItem {
  return {
    id: Number(row.id),
    payload: row.payload,
    attempts: Number(row.attempts),
    dueAt: new Date(Number(row.due_ms)),
    createdAt: new Date(Number(row.created_ms)),
  };
}
