import { type InvalidMessage, invalidMessage } from './invalid.js';
import { parseCanonicalInt, parseCanonicalUint, splitHead } from './parse.js';

/**
 * Historical records (WIRE.md §7.1): `H` (legacy PIC only, no ack) and `h` (what v3 sends for every
 * "data" notification; the server always answers `h<ack>`). The data blob may contain commas: it is
 * everything after the last fixed field.
 */

/** `H<type>,<recno>,<lifetime>,<data>`: stored with timestamp now, expiry now + lifetime. */
export interface HistoryRecord {
  readonly code: 'H';
  readonly kind: 'history';
  /** E.g. `*-OVM-DebugCrash`, `RT-BAT-C`. */
  readonly type: string;
  readonly recordNumber: number;
  /** Minimum retention in seconds. */
  readonly lifetime: number;
  readonly data: string;
}

/** `h<ack>,<timediff>,<type>,<recno>,<lifetime>,<data>` from the car. */
export interface AckedHistoryRecord {
  readonly code: 'h';
  readonly kind: 'history-with-ack';
  /** The car's notification id, kept as text: the server echoes it back unchanged. */
  readonly ack: string;
  /** Seconds to add to "now" for the record time; zero or negative on v3. */
  readonly timeDiff: number;
  readonly type: string;
  readonly recordNumber: number;
  readonly lifetime: number;
  readonly data: string;
}

/** `h<ack>` from the server: the car may forget the record with that id. */
export interface HistoryAck {
  readonly code: 'h';
  readonly kind: 'history-ack';
  readonly ack: string;
}

type Checked<T> = { value: T } | { error: string };

/** Checks the `<type>,<recno>,<lifetime>` part shared by `H` and `h`. */
function checkTail(
  parts: readonly string[],
): Checked<{ type: string; recordNumber: number; lifetime: number }> {
  const [type = '', recnoText, lifetimeText] = parts;
  if (type === '') return { error: 'type is empty' };
  const recordNumber = parseCanonicalInt(recnoText);
  if (recordNumber === undefined) return { error: `recno is not an integer (${JSON.stringify(recnoText)})` };
  const lifetime = parseCanonicalUint(lifetimeText);
  if (lifetime === undefined) {
    return { error: `lifetime is not a non-negative integer (${JSON.stringify(lifetimeText)})` };
  }
  return { value: { type, recordNumber, lifetime } };
}

export function decodeHistory(payload: string): HistoryRecord | InvalidMessage<'H'> {
  const parts = splitHead(payload, 3);
  if (parts.length < 4) {
    return invalidMessage(
      'H',
      `expected <type>,<recno>,<lifetime>,<data> but got ${parts.length} field(s)`,
      payload,
    );
  }
  const checked = checkTail(parts);
  if ('error' in checked) return invalidMessage('H', checked.error, payload);
  return { code: 'H', kind: 'history', ...checked.value, data: parts[3] ?? '' };
}

export function encodeHistory(record: Omit<HistoryRecord, 'code' | 'kind'>): string {
  return `${record.type},${record.recordNumber},${record.lifetime},${record.data}`;
}

export function decodeAckedHistory(payload: string): AckedHistoryRecord | InvalidMessage<'h'> {
  const parts = splitHead(payload, 5);
  if (parts.length < 6) {
    return invalidMessage(
      'h',
      `expected <ack>,<timediff>,<type>,<recno>,<lifetime>,<data> but got ${parts.length} field(s)`,
      payload,
    );
  }
  const [ack = '', timeDiffText] = parts;
  if (parseCanonicalInt(ack) === undefined)
    return invalidMessage('h', `ack is not an integer (${JSON.stringify(ack)})`, payload);
  const timeDiff = parseCanonicalInt(timeDiffText);
  if (timeDiff === undefined) {
    return invalidMessage('h', `timediff is not an integer (${JSON.stringify(timeDiffText)})`, payload);
  }
  const checked = checkTail(parts.slice(2));
  if ('error' in checked) return invalidMessage('h', checked.error, payload);
  return { code: 'h', kind: 'history-with-ack', ack, timeDiff, ...checked.value, data: parts[5] ?? '' };
}

export function encodeAckedHistory(record: Omit<AckedHistoryRecord, 'code' | 'kind'>): string {
  const { ack, timeDiff, type, recordNumber, lifetime, data } = record;
  return `${ack},${timeDiff},${type},${recordNumber},${lifetime},${data}`;
}

/**
 * The ack code of an `h` payload, even a malformed one: the reference server answers every `h`
 * with `h<ack>` whether or not it could store the record (§7.1), and the car resends anything not
 * acknowledged.
 */
export function historyAckCode(payload: string): string {
  return splitHead(payload, 1)[0] ?? '';
}

export function decodeHistoryAck(payload: string): HistoryAck {
  return { code: 'h', kind: 'history-ack', ack: payload };
}

/** Payload of the server's acknowledgement, i.e. the message is `h` + this. */
export function encodeHistoryAck(ack: Pick<HistoryAck, 'ack'>): string {
  return ack.ack;
}
