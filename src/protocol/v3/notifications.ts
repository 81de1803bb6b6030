import { type AckedHistoryRecord, decodeAckedHistory } from '../messages/history.js';
import { encodePush } from '../messages/push.js';
import { mpEncode } from '../mp-encoding.js';
import { replyLine } from './commands.js';
import type { NotifyType } from './topics.js';

/**
 * v3 notifications (V3.md §7) in v2 terms: `notify/info|alert|error/<subtype>` become `P` push
 * payloads, `notify/data/<subtype>/<id>/<age>` becomes a historical record as the v2 `h` message
 * carries it. The subtype has no place in v2 and is dropped.
 */

export interface PushOptions {
  /**
   * Send error notifications whose subtype is not `code` as alerts (`PA`): only `code` errors
   * have the `<vehicletype>,<code>,<data>` form that the server's error-code expansion reads.
   * Off by default, which is what the firmware's v2 server does (§7.1).
   */
  readonly errorsWithoutCodeAsAlert?: boolean;
}

const PUSH_TYPE: Readonly<Record<NotifyType, string>> = { alert: 'A', info: 'I', error: 'E' };

/**
 * The `P` payload (type byte + text, without the `P`) for a notification: `A`/`I` + mp(text),
 * `E` + text unchanged except that line breaks become CR, so that it stays one v2 line. MP-encoding
 * is idempotent, so texts that older firmware already encoded come out the same.
 */
export function pushFromNotification(
  type: NotifyType,
  subtype: string,
  text: string,
  options: PushOptions = {},
): string {
  if (type === 'error' && !(options.errorsWithoutCodeAsAlert === true && subtype !== 'code')) {
    return encodePush({ alertType: 'E', text: text.replace(/\r?\n/g, '\r') });
  }
  const alertType = type === 'error' ? 'A' : PUSH_TYPE[type];
  return encodePush({ alertType, text: mpEncode(text) });
}

/** The subtype of the modem's USSD answer (as `notify/info/modem/received/ussd`). */
export const USSD_SUBTYPE = 'modem.received.ussd';

/**
 * The unsolicited `c41,0,<mp(reply)>` line for a USSD answer: the notification text is `USSD:`,
 * two line breaks and the reply (§6.3). `undefined` for any other notification.
 */
export function ussdReplyFromNotification(
  type: NotifyType,
  subtype: string,
  text: string,
): string | undefined {
  if (type !== 'info' || subtype !== USSD_SUBTYPE) return undefined;
  const reply = text.replace(/^USSD:(?:\r?\n){0,2}/, '');
  return replyLine(41, 0, [mpEncode(reply)]);
}

export type HistoryFromData =
  | { readonly ok: true; readonly record: AckedHistoryRecord }
  | { readonly ok: false; readonly reason: string };

/**
 * A `notify/data` record as the v2 `h` message carries it: ack = the topic's `<id>`, timeDiff = its
 * `<age>` (seconds, zero or negative; a positive age is negated, as a record cannot come from the
 * future), then `<type>,<recno>,<lifetime>,<data>` from the payload, cut at the first line break
 * as the firmware does. The hub stores it exactly as a v2 `h` record (no `h` acknowledgement: the
 * MQTT PUBREC is the acknowledgement). Checked with the v2 decoder; never throws.
 */
export function historyFromDataNotification(id: string, age: string, payload: string): HistoryFromData {
  const ageValue = /^[+-]?\d{1,12}$/.test(age) ? Number(age) : undefined;
  if (ageValue === undefined) return { ok: false, reason: `age is not an integer (${JSON.stringify(age)})` };
  const line = payload.split(/\r?\n/, 1)[0] ?? '';
  const timeDiff = -Math.abs(ageValue) || 0;
  const decoded = decodeAckedHistory(`${id},${timeDiff},${line}`);
  if (decoded.kind === 'invalid') return { ok: false, reason: decoded.error };
  return { ok: true, record: decoded };
}
