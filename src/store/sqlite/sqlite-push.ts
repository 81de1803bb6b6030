import { PUSH_QUEUE_COLUMNS, type PushQueueRow, toPushQueueItem } from '../push-queue.js';
import { PUSH_COLUMNS, type PushRow, toPushSubscription } from '../rows.js';
import type { PushQueueItem, PushSubscription, VehicleRef } from '../store.js';
import { refParams, toMs } from '../values.js';
import type { SqliteContext } from './sqlite-context.js';

export type NewPushSubscription = Omit<PushSubscription, 'lastUpdated'> & { lastUpdated?: Date };

/** An app re-registers on every connect (`p`); the row for its appId is updated in place. */
export function upsertPushSubscription(ctx: SqliteContext, sub: NewPushSubscription): void {
  const lastUpdated = sub.lastUpdated ? toMs(sub.lastUpdated, 'lastUpdated') : Date.now();
  ctx
    .statement(
      `INSERT INTO push_subscriptions
         (owner_id, vehicle_id, app_id, push_type, push_key_type, push_key_value, last_updated_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner_id, vehicle_id, app_id) DO UPDATE SET push_type = excluded.push_type,
         push_key_type = excluded.push_key_type, push_key_value = excluded.push_key_value,
         last_updated_ms = excluded.last_updated_ms`,
    )
    .run(...refParams(sub), sub.appId, sub.pushType, sub.pushKeyType, sub.pushKeyValue, lastUpdated);
}

export function listPushSubscriptions(ctx: SqliteContext, ref: VehicleRef): PushSubscription[] {
  const rows = ctx
    .statement(
      `SELECT ${PUSH_COLUMNS}
       FROM push_subscriptions WHERE owner_id = ? AND vehicle_id = ? ORDER BY app_id`,
    )
    .all(...refParams(ref)) as PushRow[];
  return rows.map(toPushSubscription);
}

export function deletePushSubscription(ctx: SqliteContext, ref: VehicleRef, appId: string): boolean {
  return (
    ctx
      .statement('DELETE FROM push_subscriptions WHERE owner_id = ? AND vehicle_id = ? AND app_id = ?')
      .run(...refParams(ref), appId).changes > 0
  );
}

export function enqueuePush(ctx: SqliteContext, payloads: string[], dueAt?: Date): void {
  const now = Date.now();
  const due = dueAt ? toMs(dueAt, 'dueAt') : now;
  const insert = ctx.statement(
    'INSERT INTO push_queue (payload, attempts, due_ms, created_ms) VALUES (?, 0, ?, ?)',
  );
  ctx.db.transaction(() => {
    for (const payload of payloads) insert.run(payload, due, now);
  })();
}

/** One transaction: nothing else can claim the same rows in between (SQLite has one writer). */
export function claimPush(ctx: SqliteContext, now: Date, limit: number, leaseUntil: Date): PushQueueItem[] {
  return ctx.db
    .transaction(() => {
      const rows = ctx
        .statement(
          `SELECT ${PUSH_QUEUE_COLUMNS} FROM push_queue WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?`,
        )
        .all(toMs(now, 'now'), Math.max(0, limit)) as PushQueueRow[];
      const lease = toMs(leaseUntil, 'leaseUntil');
      const update = ctx.statement('UPDATE push_queue SET attempts = attempts + 1, due_ms = ? WHERE id = ?');
      return rows.map((row) => {
        update.run(lease, row.id);
        return toPushQueueItem({ ...row, attempts: Number(row.attempts) + 1, due_ms: lease });
      });
    })
    .immediate();
}

export function finishPush(ctx: SqliteContext, id: number): boolean {
  return ctx.statement('DELETE FROM push_queue WHERE id = ?').run(id).changes > 0;
}

export function retryPush(ctx: SqliteContext, id: number, dueAt: Date): boolean {
  return (
    ctx.statement('UPDATE push_queue SET due_ms = ? WHERE id = ?').run(toMs(dueAt, 'dueAt'), id).changes > 0
  );
}

export function countPush(ctx: SqliteContext): number {
  return (ctx.statement('SELECT COUNT(*) AS n FROM push_queue').get() as { n: number }).n;
}
