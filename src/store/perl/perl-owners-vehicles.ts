import type { SqlContext } from '../sql/sql-context.js';
import type { SqlRunner } from '../sql/sql-pool.js';
import type { NewOwner, NewVehicle, Owner, Vehicle, VehicleRef } from '../store.js';
import { StoreConflictError } from '../store.js';
import { normaliseVehicleId, refParams } from '../values.js';
import { ACTIVE_CAR, ACTIVE_OWNER, passFrom, passwordHashFrom, perlTime } from './perl-values.js';

/** Owners (`ovms_owners`) and vehicles (`ovms_cars`) of a Perl-server database. */

interface OwnerRow {
  owner: number;
  name: string;
  mail: string | null;
  pass: string;
  changed: Date | null;
}

interface CarRow {
  owner: number;
  owner_name: string;
  vehicleid: string;
  carpass: string;
  vehiclename: string;
  v_ptoken: string;
  v_lastupdate: Date | null;
  changed: Date | null;
}

function toOwner(row: OwnerRow): Owner {
  return {
    id: Number(row.owner),
    name: row.name,
    mail: row.mail ?? '',
    passwordHash: passwordHashFrom(row.pass),
    admin: false, // the reference has no operator flag
    createdAt: perlTime(row.changed) ?? new Date(0),
  };
}

function toVehicle(row: CarRow): Vehicle {
  return {
    ownerId: Number(row.owner),
    vehicleId: row.vehicleid,
    ownerName: row.owner_name,
    secret: row.carpass, // plain text, as the Perl server and the Drupal module need it
    name: row.vehiclename,
    ptoken: row.v_ptoken,
    lastUpdate: perlTime(row.v_lastupdate),
    createdAt: perlTime(row.changed) ?? new Date(0),
  };
}

const SELECT_OWNERS = 'SELECT o.owner, o.name, o.mail, o.pass, o.changed FROM ovms_owners o';
const SELECT_CARS = `SELECT c.owner, o.name AS owner_name, c.vehicleid, c.carpass, c.vehiclename, c.v_ptoken,
  c.v_lastupdate, c.changed FROM ovms_cars c JOIN ovms_owners o ON o.owner = c.owner AND ${ACTIVE_OWNER}
  WHERE ${ACTIVE_CAR}`;

async function ownersWhere(ctx: SqlContext, where: string, params: (string | number)[]) {
  const { rows } = await ctx.pool.query<OwnerRow>(`${SELECT_OWNERS} WHERE ${ACTIVE_OWNER} ${where}`, params);
  return rows.map(toOwner);
}

async function carsWhere(ctx: SqlContext, where: string, params: (string | number)[]) {
  const { rows } = await ctx.pool.query<CarRow>(`${SELECT_CARS} ${where}`, params);
  return rows.map(toVehicle);
}

/** Rows that belong to a car in the other tables (MyISAM: no foreign keys, no cascades). */
const CAR_DATA_TABLES = ['ovms_carmessages', 'ovms_historicalmessages', 'ovms_notifies'];

async function deleteCarData(db: SqlRunner, where: string, params: (string | number)[]) {
  for (const table of CAR_DATA_TABLES) await db.query(`DELETE FROM ${table} WHERE ${where}`, params);
}

/**
 * Refuses vehicles that would clash (MyISAM gives no transaction to roll back, so all are checked
 * before any is written): an id already in use by a live car, a repeated id, an owner who is not
 * active.
 */
async function checkNewVehicles(ctx: SqlContext, vehicles: NewVehicle[]): Promise<void> {
  const seen = new Set<string>();
  for (const vehicle of vehicles) {
    const vehicleId = normaliseVehicleId(vehicle.vehicleId);
    const taken = await ctx.pool.query('SELECT 1 FROM ovms_cars WHERE vehicleid = ? AND deleted = 0', [
      vehicleId,
    ]);
    if (seen.has(vehicleId) || taken.rows.length > 0) {
      throw new StoreConflictError(`vehicle id "${vehicleId}" is already registered`);
    }
    seen.add(vehicleId);
    if ((await ownersWhere(ctx, 'AND o.owner = ?', [vehicle.ownerId])).length === 0) {
      throw new StoreConflictError(`owner ${vehicle.ownerId} does not exist (vehicle "${vehicleId}")`);
    }
  }
}

async function insertVehicle(ctx: SqlContext, vehicle: NewVehicle): Promise<void> {
  const params = refParams(vehicle);
  // A soft-deleted row with the same key would block the insert; it is what Drupal leaves behind.
  await ctx.pool.query('DELETE FROM ovms_cars WHERE owner = ? AND vehicleid = ? AND deleted = 1', params);
  await ctx.pool.query(
    `INSERT INTO ovms_cars (owner, vehicleid, vehiclename, carpass, changed)
     VALUES (?, ?, ?, ?, UTC_TIMESTAMP())`,
    [...params, vehicle.name ?? '', vehicle.secret],
  );
}

const getVehicle = async (ctx: SqlContext, ref: VehicleRef): Promise<Vehicle | undefined> =>
  (await carsWhere(ctx, 'AND c.owner = ? AND c.vehicleid = ?', refParams(ref)))[0];

export const perlOwnersAndVehicles = {
  async createOwner(ctx: SqlContext, owner: NewOwner): Promise<Owner> {
    if ((await ownersWhere(ctx, 'AND o.name = ?', [owner.name])).length > 0) {
      throw new StoreConflictError(`an owner named "${owner.name}" already exists`);
    }
    // Owner ids are Drupal uids; one made here takes the next free number (MyISAM locks the table
    // for the INSERT ... SELECT, so two at once cannot take the same).
    await ctx.pool.query(
      `INSERT INTO ovms_owners (owner, name, mail, pass, status, deleted, changed)
       SELECT COALESCE(MAX(owner), 0) + 1, ?, ?, ?, 1, 0, UTC_TIMESTAMP() FROM ovms_owners`,
      [owner.name, owner.mail ?? '', passFrom(owner.passwordHash)],
    );
    const [created] = await ownersWhere(ctx, 'AND o.name = ? ORDER BY o.owner DESC', [owner.name]);
    if (!created) throw new Error(`owner "${owner.name}" vanished right after it was created`);
    return created;
  },
  getOwner: async (ctx: SqlContext, id: number) => (await ownersWhere(ctx, 'AND o.owner = ?', [id]))[0],
  getOwnerByName: async (ctx: SqlContext, name: string) =>
    (await ownersWhere(ctx, 'AND o.name = ? ORDER BY o.owner', [name]))[0],
  listOwners: (ctx: SqlContext) => ownersWhere(ctx, 'ORDER BY o.owner', []),
  async setOwnerPassword(ctx: SqlContext, id: number, passwordHash: string): Promise<void> {
    await ctx.pool.query('UPDATE ovms_owners SET pass = ?, changed = UTC_TIMESTAMP() WHERE owner = ?', [
      passFrom(passwordHash),
      id,
    ]);
  },
  /** Removes the owner row and everything of theirs (the reference has no cascades). */
  async deleteOwner(ctx: SqlContext, id: number): Promise<boolean> {
    const removed = await ctx.pool.query(
      'DELETE FROM ovms_owners WHERE owner = ? AND status = 1 AND deleted = 0',
      [id],
    );
    if (removed.affected === 0) return false;
    for (const table of ['ovms_cars', 'ovms_apitokens', 'ovms_autoprovision']) {
      await ctx.pool.query(`DELETE FROM ${table} WHERE owner = ?`, [id]);
    }
    await deleteCarData(ctx.pool, 'owner = ?', [id]);
    return true;
  },

  async createVehicle(ctx: SqlContext, vehicle: NewVehicle): Promise<Vehicle> {
    await checkNewVehicles(ctx, [vehicle]);
    await insertVehicle(ctx, vehicle);
    const created = await getVehicle(ctx, vehicle);
    if (!created) throw new Error(`vehicle "${vehicle.vehicleId}" vanished right after it was created`);
    return created;
  },
  async createVehicles(ctx: SqlContext, vehicles: NewVehicle[]): Promise<number> {
    await checkNewVehicles(ctx, vehicles);
    for (const vehicle of vehicles) await insertVehicle(ctx, vehicle);
    return vehicles.length;
  },
  /** Ids are unique per owner only since v3; like the reference, the first owner's car wins. */
  findVehicle: async (ctx: SqlContext, vehicleId: string) =>
    (
      await carsWhere(ctx, 'AND c.vehicleid = ? ORDER BY c.owner LIMIT 1', [normaliseVehicleId(vehicleId)])
    )[0],
  getVehicle,
  listVehicles: (ctx: SqlContext, ownerId?: number) =>
    ownerId === undefined
      ? carsWhere(ctx, 'ORDER BY c.vehicleid', [])
      : carsWhere(ctx, 'AND c.owner = ? ORDER BY c.vehicleid', [ownerId]),
  async setVehicleSecret(ctx: SqlContext, ref: VehicleRef, secret: string): Promise<void> {
    await ctx.pool.query(
      'UPDATE ovms_cars SET carpass = ?, changed = UTC_TIMESTAMP() WHERE owner = ? AND vehicleid = ? AND deleted = 0',
      [secret, ...refParams(ref)],
    );
  },
  async deleteVehicle(ctx: SqlContext, ref: VehicleRef): Promise<boolean> {
    const params = refParams(ref);
    const removed = await ctx.pool.query(
      'DELETE FROM ovms_cars WHERE owner = ? AND vehicleid = ? AND deleted = 0',
      params,
    );
    if (removed.affected === 0) return false;
    await deleteCarData(ctx.pool, 'owner = ? AND vehicleid = ?', params);
    return true;
  },
  /** The Perl server and its Drupal module read `carpass` in plain text: Perl mode leaves it so. */
  sealStoredSecrets: async (_ctx: SqlContext) => ({ sealedNow: 0, sealedBefore: 0, unreadable: [] }),
  async setParanoidToken(ctx: SqlContext, ref: VehicleRef, ptoken: string): Promise<void> {
    const params = refParams(ref);
    await ctx.pool.query('UPDATE ovms_cars SET v_ptoken = ? WHERE owner = ? AND vehicleid = ?', [
      ptoken,
      ...params,
    ]);
    await ctx.pool.query(
      `UPDATE ovms_carmessages SET m_valid = 0
       WHERE owner = ? AND vehicleid = ? AND m_paranoid = 1 AND m_valid = 1 AND BINARY m_ptoken <> ?`,
      [...params, ptoken],
    );
  },
};
