import type { PushSubscription, VehicleRef } from '../store.js';
import { refParams, type SqliteContext, toMs } from './sqlite-context.js';

interface PushRow {
  owner_id: number;
  vehicle_id: string;
  app_id: string;
  push_type: string;
  push_key_type: string;
  push_key_value: string;
  last_updated_ms: number;
}

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
      `SELECT owner_id, vehicle_id, app_id, push_type, push_key_type, push_key_value, last_updated_ms
       FROM push_subscriptions WHERE owner_id = ? AND vehicle_id = ? ORDER BY app_id`,
    )
    .all(...refParams(ref)) as PushRow[];
  return rows.map((row) => ({
    ownerId: row.owner_id,
    vehicleId: row.vehicle_id,
    appId: row.app_id,
    pushType: row.push_type,
    pushKeyType: row.push_key_type,
    pushKeyValue: row.push_key_value,
    lastUpdated: new Date(row.last_updated_ms),
  }));
}

export function deletePushSubscription(ctx: SqliteContext, ref: VehicleRef, appId: string): boolean {
  return (
    ctx
      .statement('DELETE FROM push_subscriptions WHERE owner_id = ? AND vehicle_id = ? AND app_id = ?')
      .run(...refParams(ref), appId).changes > 0
  );
}
