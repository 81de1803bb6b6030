import type { PreparedUtilisation } from '../prepared-writes.js';
import { toUtilisation, type UtilisationRow } from '../rows.js';
import type { UtilisationDay, VehicleRef } from '../store.js';
import { checkCount, checkDay, refParams } from '../values.js';
import type { SqliteContext } from './sqlite-context.js';

/** Additive: counters collected since the last flush are added to what the day already has. */
export function writeUtilisation(ctx: SqliteContext, u: PreparedUtilisation): void {
  ctx
    .statement(
      `INSERT INTO utilisation (owner_id, vehicle_id, day, car_rx, car_tx, app_rx, app_tx)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner_id, vehicle_id, day) DO UPDATE SET
         car_rx = car_rx + excluded.car_rx, car_tx = car_tx + excluded.car_tx,
         app_rx = app_rx + excluded.app_rx, app_tx = app_tx + excluded.app_tx`,
    )
    .run(u.ownerId, u.vehicleId, u.day, u.carRx, u.carTx, u.appRx, u.appTx);
}

export function getUtilisation(ctx: SqliteContext, ref: VehicleRef, days: number): UtilisationDay[] {
  checkCount(days, 'days');
  const rows = ctx
    .statement(
      `SELECT day, car_rx, car_tx, app_rx, app_tx FROM utilisation
       WHERE owner_id = ? AND vehicle_id = ? ORDER BY day DESC LIMIT ?`,
    )
    .all(...refParams(ref), days) as UtilisationRow[];
  return rows.map(toUtilisation);
}

export function purgeUtilisation(ctx: SqliteContext, beforeDay: string): number {
  return ctx.statement('DELETE FROM utilisation WHERE day < ?').run(checkDay(beforeDay)).changes;
}
