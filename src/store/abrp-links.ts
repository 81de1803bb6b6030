import type { AbrpLink, AbrpStatus, SecretBox, VehicleRef } from './store.js';
import { fromOptionalMs, normaliseVehicleId, refParams, toMs } from './values.js';

/**
 * The `abrp_links` table of our own schema (the same in SQLite, PostgreSQL and MariaDB): the SQL and
 * the row conversion every back-end shares. The token is sealed with the store's SecretBox, like a
 * car secret: it lets anyone write into the owner's ABRP account.
 */

type Int = number | string;

export const ABRP_COLUMNS = 'owner_id, vehicle_id, token, error, refused, error_ms, updated_ms';

export interface AbrpRow {
  owner_id: Int;
  vehicle_id: string;
  token: string;
  error: string;
  refused: Int;
  error_ms: Int | null;
  updated_ms: Int;
}

/** A token the box cannot open (wrong or missing `secrets.key`) reads as '' with an error saying so. */
export function toAbrpLink(box: SecretBox, row: AbrpRow): AbrpLink {
  let token = '';
  let error = row.error;
  try {
    token = box.open(row.token);
  } catch (err) {
    error = `the stored ABRP token cannot be read: ${(err as Error).message}`;
  }
  return {
    ownerId: Number(row.owner_id),
    vehicleId: row.vehicle_id,
    token,
    error,
    refused: Number(row.refused) === 1,
    errorAt: fromOptionalMs(row.error_ms),
    updatedAt: new Date(Number(row.updated_ms)),
  };
}

/** `upsert` is the dialect's clause for the (owner_id, vehicle_id) key. */
export function abrpSql(upsert: (key: string, assignments: string) => string) {
  return {
    upsert: `INSERT INTO abrp_links (${ABRP_COLUMNS}) VALUES (?, ?, ?, '', 0, NULL, ?)
      ${upsert(
        'owner_id, vehicle_id',
        "token = excluded.token, error = '', refused = 0, error_ms = NULL, updated_ms = excluded.updated_ms",
      )}`,
    select: `SELECT ${ABRP_COLUMNS} FROM abrp_links WHERE owner_id = ? AND vehicle_id = ?`,
    list: `SELECT ${ABRP_COLUMNS} FROM abrp_links ORDER BY vehicle_id`,
    delete: 'DELETE FROM abrp_links WHERE owner_id = ? AND vehicle_id = ?',
    status:
      'UPDATE abrp_links SET error = ?, refused = ?, error_ms = ? WHERE owner_id = ? AND vehicle_id = ? AND updated_ms = ?',
  };
}

/** The parameters of the upsert: the token sealed, stored now. */
export function abrpUpsertParams(box: SecretBox, ref: VehicleRef, token: string, now: number) {
  return [...refParams(ref), box.seal(token), now] as const;
}

export function abrpStatusParams(ref: VehicleRef, tokenUpdatedAt: Date, status: AbrpStatus) {
  return [
    status.error,
    status.refused ? 1 : 0,
    toMs(status.at, 'at'),
    ...refParams(ref),
    toMs(tokenUpdatedAt, 'tokenUpdatedAt'),
  ] as const;
}

/** The link as stored by the upsert (what `setAbrpToken` returns). */
export function freshAbrpLink(ref: VehicleRef, token: string, now: number): AbrpLink {
  return {
    ownerId: ref.ownerId,
    vehicleId: normaliseVehicleId(ref.vehicleId),
    token,
    error: '',
    refused: false,
    errorAt: undefined,
    updatedAt: new Date(now),
  };
}

/** The conflict messages of the upsert. */
export function abrpConflicts(ref: VehicleRef) {
  return {
    'foreign-key': `vehicle "${normaliseVehicleId(ref.vehicleId)}" of owner ${ref.ownerId} does not exist`,
  };
}
