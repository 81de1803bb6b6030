import { StoreConflictError, type VehicleRef } from './store.js';

/**
 * Value conversions every back-end shares: vehicle ids, times and the checks on arguments, so each
 * back-end accepts and refuses exactly the same input.
 */

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

export function fromSeconds(seconds: number | string): Date {
  return new Date(Number(seconds) * 1000);
}

export function fromOptionalMs(ms: number | string | null): Date | undefined {
  return ms === null ? undefined : new Date(Number(ms));
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A utilisation day, 'YYYY-MM-DD'. */
export function checkDay(day: string): string {
  if (!DAY.test(day)) throw new RangeError(`"${day}" is not a day in the form YYYY-MM-DD`);
  return day;
}

/** A row count argument (limit, days). */
export function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, not ${value}`);
  }
  return value;
}

export type ConstraintKind = 'unique' | 'foreign-key';

/** Turns a broken constraint into the StoreConflictError the caller shows a user, if one is given. */
export function conflictFor(
  kind: ConstraintKind | undefined,
  messages: Partial<Record<ConstraintKind, string>>,
): StoreConflictError | undefined {
  const message = kind && messages[kind];
  return message ? new StoreConflictError(message) : undefined;
}
