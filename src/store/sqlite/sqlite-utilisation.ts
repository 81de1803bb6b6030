import type { UtilisationCounts, UtilisationDay, VehicleRef } from '../store.js';
import { refParams, type SqliteContext } from './sqlite-context.js';

export interface PreparedUtilisation extends UtilisationCounts {
  ownerId: number;
  vehicleId: string;
  day: string;
}

interface UtilisationRow {
  day: string;
  car_rx: number;
  car_tx: number;
  app_rx: number;
  app_tx: number;
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function checkDay(day: string): string {
  if (!DAY.test(day)) throw new RangeError(`"${day}" is not a day in the form YYYY-MM-DD`);
  return day;
}

export function prepareUtilisation(
  ref: VehicleRef,
  day: string,
  counts: UtilisationCounts,
): PreparedUtilisation {
  for (const name of ['carRx', 'carTx', 'appRx', 'appTx'] as const) {
    const value = counts[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`utilisation ${name} must be a non-negative integer, not ${value}`);
    }
  }
  const [ownerId, vehicleId] = refParams(ref);
  const { carRx, carTx, appRx, appTx } = counts;
  return { ownerId, vehicleId, day: checkDay(day), carRx, carTx, appRx, appTx };
}

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
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer`);
  const rows = ctx
    .statement(
      `SELECT day, car_rx, car_tx, app_rx, app_tx FROM utilisation
       WHERE owner_id = ? AND vehicle_id = ? ORDER BY day DESC LIMIT ?`,
    )
    .all(...refParams(ref), days) as UtilisationRow[];
  return rows.map((row) => ({
    day: row.day,
    carRx: row.car_rx,
    carTx: row.car_tx,
    appRx: row.app_rx,
    appTx: row.app_tx,
  }));
}

export function purgeUtilisation(ctx: SqliteContext, beforeDay: string): number {
  return ctx.statement('DELETE FROM utilisation WHERE day < ?').run(checkDay(beforeDay)).changes;
}
