import {
  OWNER_COLUMNS,
  type OwnerRow,
  SELECT_VEHICLES,
  toOwner,
  toVehicle,
  type VehicleRow,
} from '../rows.js';
import type { NewOwner, NewVehicle, Owner, StoredSecretsReport, Vehicle, VehicleRef } from '../store.js';
import { reviewStoredSecrets, STORED_SECRETS_SQL as SQL, type StoredSecretDbRow } from '../stored-secrets.js';
import { normaliseVehicleId, refParams } from '../values.js';
import type { SqlContext } from './sql-context.js';
import { type SqlDialect, type SqlRunner, withSqlConflicts } from './sql-pool.js';

/** Owners and vehicles in our own schema (PostgreSQL and MariaDB share the SQL). */
export function ownersAndVehicles(dialect: SqlDialect) {
  async function getOwnerWhere(ctx: SqlContext, where: string, value: string | number) {
    const { rows } = await ctx.pool.query<OwnerRow>(`SELECT ${OWNER_COLUMNS} FROM owners WHERE ${where}`, [
      value,
    ]);
    return rows[0] && toOwner(rows[0]);
  }

  async function vehiclesWhere(ctx: SqlContext, where: string, params: (string | number)[]) {
    const { rows } = await ctx.pool.query<VehicleRow>(`${SELECT_VEHICLES} ${where}`, params);
    return rows.map((row) => toVehicle(ctx.secretBox, row));
  }

  async function insertVehicle(ctx: SqlContext, db: SqlRunner, vehicle: NewVehicle, createdMs: number) {
    const vehicleId = normaliseVehicleId(vehicle.vehicleId);
    await withSqlConflicts(
      dialect,
      () =>
        db.query(
          'INSERT INTO vehicles (owner_id, vehicle_id, secret, name, created_ms) VALUES (?, ?, ?, ?, ?)',
          [vehicle.ownerId, vehicleId, ctx.secretBox.seal(vehicle.secret), vehicle.name ?? '', createdMs],
        ),
      {
        unique: `vehicle id "${vehicleId}" is already registered`,
        'foreign-key': `owner ${vehicle.ownerId} does not exist (vehicle "${vehicleId}")`,
      },
    );
  }

  const getVehicle = async (ctx: SqlContext, ref: VehicleRef): Promise<Vehicle | undefined> =>
    (await vehiclesWhere(ctx, 'WHERE v.owner_id = ? AND v.vehicle_id = ?', refParams(ref)))[0];

  return {
    async createOwner(ctx: SqlContext, owner: NewOwner): Promise<Owner> {
      await withSqlConflicts(
        dialect,
        () =>
          ctx.pool.query(
            'INSERT INTO owners (name, mail, password_hash, admin, created_ms) VALUES (?, ?, ?, ?, ?)',
            [owner.name, owner.mail ?? '', owner.passwordHash, owner.admin ? 1 : 0, Date.now()],
          ),
        { unique: `an owner named "${owner.name}" already exists` },
      );
      const created = await getOwnerWhere(ctx, 'name = ?', owner.name);
      if (!created) throw new Error(`owner "${owner.name}" vanished right after it was created`);
      return created;
    },
    getOwner: (ctx: SqlContext, id: number) => getOwnerWhere(ctx, 'id = ?', id),
    getOwnerByName: (ctx: SqlContext, name: string) => getOwnerWhere(ctx, 'name = ?', name),
    async listOwners(ctx: SqlContext): Promise<Owner[]> {
      const { rows } = await ctx.pool.query<OwnerRow>(`SELECT ${OWNER_COLUMNS} FROM owners ORDER BY id`);
      return rows.map(toOwner);
    },
    async setOwnerPassword(ctx: SqlContext, id: number, passwordHash: string): Promise<void> {
      await ctx.pool.query('UPDATE owners SET password_hash = ? WHERE id = ?', [passwordHash, id]);
    },
    /** Vehicles, their data, tokens and auto-provision rows go by cascade. */
    async deleteOwner(ctx: SqlContext, id: number): Promise<boolean> {
      return (await ctx.pool.query('DELETE FROM owners WHERE id = ?', [id])).affected > 0;
    },

    async createVehicle(ctx: SqlContext, vehicle: NewVehicle): Promise<Vehicle> {
      await insertVehicle(ctx, ctx.pool, vehicle, Date.now());
      const created = await getVehicle(ctx, vehicle);
      if (!created) throw new Error(`vehicle "${vehicle.vehicleId}" vanished right after it was created`);
      return created;
    },
    /** All or none: the first conflict rolls the whole list back and is reported. */
    async createVehicles(ctx: SqlContext, vehicles: NewVehicle[]): Promise<number> {
      const now = Date.now();
      await ctx.pool.transaction(async (tx) => {
        for (const vehicle of vehicles) await insertVehicle(ctx, tx, vehicle, now);
      });
      return vehicles.length;
    },
    findVehicle: async (ctx: SqlContext, vehicleId: string): Promise<Vehicle | undefined> =>
      (await vehiclesWhere(ctx, 'WHERE v.vehicle_id = ?', [normaliseVehicleId(vehicleId)]))[0],
    getVehicle,
    listVehicles: (ctx: SqlContext, ownerId?: number): Promise<Vehicle[]> =>
      ownerId === undefined
        ? vehiclesWhere(ctx, 'ORDER BY v.vehicle_id', [])
        : vehiclesWhere(ctx, 'WHERE v.owner_id = ? ORDER BY v.vehicle_id', [ownerId]),
    async setVehicleSecret(ctx: SqlContext, ref: VehicleRef, secret: string): Promise<void> {
      await ctx.pool.query('UPDATE vehicles SET secret = ? WHERE owner_id = ? AND vehicle_id = ?', [
        ctx.secretBox.seal(secret),
        ...refParams(ref),
      ]);
    },
    /** Messages, history, utilisation and push subscriptions go by cascade. */
    async deleteVehicle(ctx: SqlContext, ref: VehicleRef): Promise<boolean> {
      const result = await ctx.pool.query(
        'DELETE FROM vehicles WHERE owner_id = ? AND vehicle_id = ?',
        refParams(ref),
      );
      return result.affected > 0;
    },
    /** Seals the plain secrets (one guarded UPDATE each, once per start) and checks the sealed ones open. */
    async sealStoredSecrets(ctx: SqlContext): Promise<StoredSecretsReport> {
      const { rows } = await ctx.pool.query<StoredSecretDbRow>(SQL.select);
      const { updates, report } = reviewStoredSecrets(ctx.secretBox, rows.map(SQL.toRow));
      let sealed = 0;
      for (const u of updates) sealed += (await ctx.pool.query(SQL.update, SQL.updateParams(u))).affected;
      return { ...report, sealedNow: sealed };
    },
    /** A new paranoid token makes stored paranoid messages under any other token unreadable for apps. */
    async setParanoidToken(ctx: SqlContext, ref: VehicleRef, ptoken: string): Promise<void> {
      const params = refParams(ref);
      await ctx.pool.transaction(async (tx) => {
        await tx.query('UPDATE vehicles SET ptoken = ? WHERE owner_id = ? AND vehicle_id = ?', [
          ptoken,
          ...params,
        ]);
        await tx.query(
          `UPDATE messages SET valid = 0
           WHERE owner_id = ? AND vehicle_id = ? AND paranoid = 1 AND valid = 1 AND ptoken <> ?`,
          [...params, ptoken],
        );
      });
    },
  };
}
