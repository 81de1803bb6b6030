import type Database from 'better-sqlite3';
import { type SecretBox, StoreConflictError, type VehicleRef } from '../store.js';

/** What the per-concern modules (owners, vehicles, messages, ...) share. */
export interface SqliteContext {
  readonly db: Database.Database;
  readonly secretBox: SecretBox;
  /** A prepared statement for `sql`, prepared on first use and reused afterwards. */
  statement(sql: string): Database.Statement;
}

export function createSqliteContext(db: Database.Database, secretBox: SecretBox): SqliteContext {
  // Lazy: statements can only be prepared once the tables exist, i.e. after migrate().
  const cache = new Map<string, Database.Statement>();
  return {
    db,
    secretBox,
    statement(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Vehicle ids are stored and compared upper-case. */
export function normaliseVehicleId(vehicleId: string): string {
  return vehicleId.toUpperCase();
}

/** The (owner_id, vehicle_id) parameters of a vehicle reference, normalised. */
export function refParams(ref: VehicleRef): [number, string] {
  return [ref.ownerId, normaliseVehicleId(ref.vehicleId)];
}

function checkedTime(date: Date, what: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`${what} is not a valid date`);
  return ms;
}

/** Epoch seconds (truncated): the resolution of message and history times. */
export function toSeconds(date: Date, what = 'time'): number {
  return Math.floor(checkedTime(date, what) / 1000);
}

export function toMs(date: Date, what = 'time'): number {
  return checkedTime(date, what);
}

export function fromSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

export function fromOptionalMs(ms: number | null): Date | undefined {
  return ms === null ? undefined : new Date(ms);
}

type ConstraintKind = 'unique' | 'foreign-key';

/** Which constraint a better-sqlite3 error broke, if it is a constraint error we translate. */
export function brokenConstraint(error: unknown): ConstraintKind | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
  return undefined;
}

/** Runs `write`, turning constraint errors into StoreConflictErrors with the given messages. */
export function withConflicts<T>(write: () => T, messages: Partial<Record<ConstraintKind, string>>): T {
  try {
    return write();
  } catch (error) {
    const kind = brokenConstraint(error);
    const message = kind && messages[kind];
    if (message) throw new StoreConflictError(message);
    throw error;
  }
}
