import { type EnvironmentRecord, environmentRecord } from '../../protocol/messages/environment.js';
import { type LocationRecord, locationRecord } from '../../protocol/messages/location.js';
import { type StatusRecord, statusRecord } from '../../protocol/messages/status.js';

/**
 * What a car last reported of itself, as far as ABRP needs it: the latest S (status), D (environment)
 * and L (location) records, decoded, and when the car last sent any of them. Pure: no I/O, no clock.
 */
export interface CarState {
  status?: StatusRecord['fields'];
  environment?: EnvironmentRecord['fields'];
  location?: LocationRecord['fields'];
  /** Epoch ms of the newest S, D or L. */
  reportedAt: number;
}

/** The codes whose messages feed the telemetry. */
export const TELEMETRY_CODES: ReadonlySet<string> = new Set(['S', 'D', 'L']);

/** The state after one car message; the same object when the code does not matter to ABRP. */
export function applyCarMessage(
  state: CarState | undefined,
  code: string,
  payload: Buffer,
  at: number,
): CarState | undefined {
  if (!TELEMETRY_CODES.has(code)) return state;
  const text = payload.toString('latin1');
  const next: CarState = { ...state, reportedAt: at };
  if (code === 'S') next.status = statusRecord.decode(text).fields;
  else if (code === 'D') next.environment = environmentRecord.decode(text).fields;
  else next.location = locationRecord.decode(text).fields;
  return next;
}
