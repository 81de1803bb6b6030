import { PUSH_COLUMNS, type PushRow, toPushSubscription } from '../rows.js';
import type { PushSubscription, VehicleRef } from '../store.js';
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
