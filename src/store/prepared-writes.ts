import type { HistoryRecord, StoredMessage, UtilisationCounts, VehicleRef } from './store.js';
import { checkDay, refParams, toSeconds } from './values.js';

/**
 * The three batched writes (messages, history, utilisation), checked and converted when they are
 * queued: a bad argument rejects at once instead of failing a whole batch later, and the data is
 * copied so the caller may reuse its Buffers.
 */

export interface PreparedMessage {
  ownerId: number;
  vehicleId: string;
  code: string;
  payload: Buffer;
  timeS: number;
  paranoid: number;
  ptoken: string;
}

export function prepareMessage(ref: VehicleRef, msg: StoredMessage): PreparedMessage {
  if (msg.code.length === 0) throw new TypeError('a stored message needs a code');
  const [ownerId, vehicleId] = refParams(ref);
  return {
    ownerId,
    vehicleId,
    code: msg.code,
    payload: Buffer.from(msg.payload),
    timeS: toSeconds(msg.time, 'message time'),
    paranoid: msg.paranoid ? 1 : 0,
    ptoken: msg.ptoken,
  };
}

export interface PreparedHistory {
  ownerId: number;
  vehicleId: string;
  type: string;
  recno: number;
  timestampS: number;
  data: Buffer;
  expiresS: number;
}

export function prepareHistory(ref: VehicleRef, record: HistoryRecord): PreparedHistory {
  if (!Number.isSafeInteger(record.recno))
    throw new TypeError(`history recno ${record.recno} is not an integer`);
  const [ownerId, vehicleId] = refParams(ref);
  return {
    ownerId,
    vehicleId,
    type: record.type,
    recno: record.recno,
    timestampS: toSeconds(record.timestamp, 'history timestamp'),
    data: Buffer.from(record.data),
    expiresS: toSeconds(record.expires, 'history expiry'),
  };
}

export interface PreparedUtilisation extends UtilisationCounts {
  ownerId: number;
  vehicleId: string;
  day: string;
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
