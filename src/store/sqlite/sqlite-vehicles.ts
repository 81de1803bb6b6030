import { toVehicle as fromRow, SELECT_VEHICLES, type VehicleRow } from '../rows.js';
import type { NewVehicle, StoredSecretsReport, Vehicle, VehicleRef } from '../store.js';
import { reviewStoredSecrets, STORED_SECRETS_SQL as SQL, type StoredSecretDbRow } from '../stored-secrets.js';
import { normaliseVehicleId, refParams } from '../values.js';
import { type SqliteContext, withConflicts } from './sqlite-context.js';

function toVehicle(ctx: SqliteContext, row: VehicleRow): Vehicle {
  return fromRow(ctx.secretBox, row);
}

function insertVehicle(ctx: SqliteContext, vehicle: NewVehicle, createdMs: number): void {
  const vehicleId = normaliseVehicleId(vehicle.vehicleId);
  withConflicts(
    () =>
      ctx
        .statement(
          'INSERT INTO vehicles (owner_id, vehicle_id, secret, name, created_ms) VALUES (?, ?, ?, ?, ?)',
        )
        .run(vehicle.ownerId, vehicleId, ctx.secretBox.seal(vehicle.secret), vehicle.name ?? '', createdMs),
    {
      unique: `vehicle id "${vehicleId}" is already registered`,
      'foreign-key': `owner ${vehicle.ownerId} does not exist (vehicle "${vehicleId}")`,
    },
  );
}

export function createVehicle(ctx: SqliteContext, vehicle: NewVehicle): Vehicle {
  insertVehicle(ctx, vehicle, Date.now());
  const created = getVehicle(ctx, vehicle);
  if (!created) throw new Error(`vehicle "${vehicle.vehicleId}" vanished right after it was created`);
  return created;
}

/** All or none: the first conflict rolls the whole list back and is reported. */
export function createVehicles(ctx: SqliteContext, vehicles: NewVehicle[]): number {
  const now = Date.now();
  ctx.db.transaction(() => {
    for (const vehicle of vehicles) insertVehicle(ctx, vehicle, now);
  })();
  return vehicles.length;
}

export function findVehicle(ctx: SqliteContext, vehicleId: string): Vehicle | undefined {
  const row = ctx.statement(`${SELECT_VEHICLES} WHERE v.vehicle_id = ?`).get(normaliseVehicleId(vehicleId)) as
    | VehicleRow
    | undefined;
  return row && toVehicle(ctx, row);
}

export function getVehicle(ctx: SqliteContext, ref: VehicleRef): Vehicle | undefined {
  const row = ctx
    .statement(`${SELECT_VEHICLES} WHERE v.owner_id = ? AND v.vehicle_id = ?`)
    .get(...refParams(ref)) as VehicleRow | undefined;
  return row && toVehicle(ctx, row);
}

export function listVehicles(ctx: SqliteContext, ownerId?: number): Vehicle[] {
  const rows = (
    ownerId === undefined
      ? ctx.statement(`${SELECT_VEHICLES} ORDER BY v.vehicle_id`).all()
      : ctx.statement(`${SELECT_VEHICLES} WHERE v.owner_id = ? ORDER BY v.vehicle_id`).all(ownerId)
  ) as VehicleRow[];
  return rows.map((row) => toVehicle(ctx, row));
}

export function setVehicleSecret(ctx: SqliteContext, ref: VehicleRef, secret: string): void {
  ctx
    .statement('UPDATE vehicles SET secret = ? WHERE owner_id = ? AND vehicle_id = ?')
    .run(ctx.secretBox.seal(secret), ...refParams(ref));
}

/** Messages, history, utilisation and push subscriptions go by cascade. */
export function deleteVehicle(ctx: SqliteContext, ref: VehicleRef): boolean {
  return (
    ctx.statement('DELETE FROM vehicles WHERE owner_id = ? AND vehicle_id = ?').run(...refParams(ref))
      .changes > 0
  );
}

/** A new paranoid token makes stored paranoid messages under any other token unreadable for apps. */
export function setParanoidToken(ctx: SqliteContext, ref: VehicleRef, ptoken: string): void {
  const params = refParams(ref);
  ctx.db.transaction(() => {
    ctx
      .statement('UPDATE vehicles SET ptoken = ? WHERE owner_id = ? AND vehicle_id = ?')
      .run(ptoken, ...params);
    ctx
      .statement(
        `UPDATE messages SET valid = 0
         WHERE owner_id = ? AND vehicle_id = ? AND paranoid = 1 AND valid = 1 AND ptoken <> ?`,
      )
      .run(...params, ptoken);
  })();
}

/** Seals the plain secrets in one transaction and checks the sealed ones open. */
export function sealStoredSecrets(ctx: SqliteContext): StoredSecretsReport {
  const rows = ctx.statement(SQL.select).all() as StoredSecretDbRow[];
  const { updates, report } = reviewStoredSecrets(ctx.secretBox, rows.map(SQL.toRow));
  let sealed = 0;
  ctx.db.transaction(() => {
    for (const u of updates) sealed += ctx.statement(SQL.update).run(...SQL.updateParams(u)).changes;
  })();
  return { ...report, sealedNow: sealed };
}
