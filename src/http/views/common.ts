import { formatTimestamp } from '../../server/server-commands.js';
import type { StoredMessage } from '../../store/store.js';

/** A JSON object as the views build it; the serialiser sorts the keys. */
export type View = Record<string, string | number | null>;

/** Thrown by a view when the message it needs is paranoid (encrypted): the route answers 502. */
export class ParanoidVehicleError extends Error {
  readonly code = 'OVMS_ERR_PARANOID';
  constructor() {
    super('Paranoid vehicles not supported by api');
    this.name = 'ParanoidVehicleError';
  }
}

/** The latest stored message of a code, if any. */
export function latest(messages: readonly StoredMessage[], code: string): StoredMessage | undefined {
  return messages.find((m) => m.code === code);
}

/** `m_msgtime_<suffix>` (UTC 'YYYY-MM-DD HH:MM:SS', a string) and `m_msgage_<suffix>` (seconds, a number). */
export function timeFields(message: StoredMessage, suffix: string, now: Date): View {
  return {
    [`m_msgtime_${suffix}`]: formatTimestamp(message.time),
    [`m_msgage_${suffix}`]: Math.max(0, Math.floor((now.getTime() - message.time.getTime()) / 1000)),
  };
}

/** The payload as text: cars send UTF-8. */
export function payloadText(message: StoredMessage): string {
  return message.payload.toString('utf8');
}

/**
 * Values copied from a message are strings, exactly as sent; a field the message does not have is
 * `null` (the reference's Perl gives `undef`, which its JSON encoder writes as null).
 */
export function copy(value: string | undefined): string | null {
  return value ?? null;
}

/** Copies fields under new names: `{ apiName: recordFieldName }`. */
export function copyFields<F extends Record<string, string | undefined>>(
  fields: F,
  names: Record<string, keyof F>,
): View {
  const out: View = {};
  for (const [apiName, field] of Object.entries(names)) out[apiName] = copy(fields[field]);
  return out;
}
