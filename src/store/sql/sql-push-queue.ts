import { PUSH_QUEUE_COLUMNS, type PushQueueRow, toPushQueueItem } from '../push-queue.js';
import type { PushQueueItem } from '../store.js';
import { toMs } from '../values.js';
import type { SqlContext } from './sql-context.js';

/**
 * The durable push queue in our own schema (PostgreSQL and MariaDB share the SQL). A claim is a
 * compare-and-set per row (same due time and attempts as read), so several server processes sharing
 * the database never claim one item twice.
 */
export const sqlPushQueue = {
  async enqueuePush(ctx: SqlContext, payloads: string[], dueAt?: Date): Promise<void> {
    if (payloads.length === 0) return;
    const now = Date.now();
    const due = dueAt ? toMs(dueAt, 'dueAt') : now;
    await ctx.pool.transaction(async (tx) => {
      for (const payload of payloads) {
        await tx.query('INSERT INTO push_queue (payload, attempts, due_ms, created_ms) VALUES (?, 0, ?, ?)', [
          payload,
          due,
          now,
        ]);
      }
    });
  },
  async claimPush(ctx: SqlContext, now: Date, limit: number, leaseUntil: Date): Promise<PushQueueItem[]> {
    const { rows } = await ctx.pool.query<PushQueueRow>(
      `SELECT ${PUSH_QUEUE_COLUMNS} FROM push_queue WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?`,
      [toMs(now, 'now'), Math.max(0, limit)],
    );
    const lease = toMs(leaseUntil, 'leaseUntil');
    const claimed: PushQueueItem[] = [];
    for (const row of rows) {
      const result = await ctx.pool.query(
        'UPDATE push_queue SET attempts = attempts + 1, due_ms = ? WHERE id = ? AND due_ms = ? AND attempts = ?',
        [lease, Number(row.id), Number(row.due_ms), Number(row.attempts)],
      );
      if (result.affected > 0) {
        claimed.push(toPushQueueItem({ ...row, attempts: Number(row.attempts) + 1, due_ms: lease }));
      }
    }
    return claimed;
  },
  async finishPush(ctx: SqlContext, id: number): Promise<boolean> {
    return (await ctx.pool.query('DELETE FROM push_queue WHERE id = ?', [id])).affected > 0;
  },
  async retryPush(ctx: SqlContext, id: number, dueAt: Date): Promise<boolean> {
    return (
      (await ctx.pool.query('UPDATE push_queue SET due_ms = ? WHERE id = ?', [toMs(dueAt, 'dueAt'), id]))
        .affected > 0
    );
  },
  async countPush(ctx: SqlContext): Promise<number> {
    const { rows } = await ctx.pool.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM push_queue');
    return Number(rows[0]?.n ?? 0);
  },
};
