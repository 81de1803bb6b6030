/**
 * What each message code is for, who sends it to whom, and whether the server keeps the latest one
 * per vehicle for replay at app login (WIRE.md §3, §2.5).
 */

export type Direction = 'car-to-server' | 'app-to-server' | 'server-to-app' | 'server-to-car';

export interface MessageInfo {
  readonly label: string;
  readonly directions: readonly Direction[];
  /** Stored as the latest message of its code and replayed to apps when they log in. */
  readonly storedAsLatest: boolean;
}

const ANY: readonly Direction[] = ['car-to-server', 'app-to-server', 'server-to-app', 'server-to-car'];
const CAR_DATA: readonly Direction[] = ['car-to-server', 'server-to-app'];

/**
 * The `R`/`r` server-to-server codes are obsolete and deliberately absent: they decode as unknown.
 *
 * `storedAsLatest` is true for the car's data messages only. The reference server's generic path
 * would also store a car's `T` or `Z` (no real car sends them); this catalogue does not, since
 * replaying them to apps would misreport the car's age or presence.
 */
export const MESSAGE_CATALOGUE = {
  A: { label: 'ping', directions: ANY, storedAsLatest: false },
  a: { label: 'ping acknowledgement', directions: ANY, storedAsLatest: false },
  C: { label: 'command', directions: ['app-to-server', 'server-to-car'], storedAsLatest: false },
  c: { label: 'command response', directions: CAR_DATA, storedAsLatest: false },
  D: { label: 'environment', directions: CAR_DATA, storedAsLatest: true },
  E: { label: 'paranoid-mode wrapper', directions: ANY, storedAsLatest: false },
  F: { label: 'firmware and identity', directions: CAR_DATA, storedAsLatest: true },
  f: { label: 'server version', directions: ['server-to-app'], storedAsLatest: false },
  G: { label: 'group subscription', directions: ['app-to-server'], storedAsLatest: false },
  g: { label: 'group location update', directions: CAR_DATA, storedAsLatest: false },
  H: { label: 'historical record', directions: ['car-to-server'], storedAsLatest: false },
  h: {
    label: 'historical record with ack',
    directions: ['car-to-server', 'server-to-car'],
    storedAsLatest: false,
  },
  L: { label: 'location', directions: CAR_DATA, storedAsLatest: true },
  P: { label: 'push notification', directions: CAR_DATA, storedAsLatest: false },
  p: { label: 'push subscription', directions: ['app-to-server'], storedAsLatest: false },
  S: { label: 'status', directions: CAR_DATA, storedAsLatest: true },
  T: { label: 'seconds since last car update', directions: ['server-to-app'], storedAsLatest: false },
  V: { label: 'capabilities', directions: CAR_DATA, storedAsLatest: true },
  W: { label: 'TPMS (four wheels, deprecated)', directions: CAR_DATA, storedAsLatest: true },
  X: { label: 'generator / export power', directions: CAR_DATA, storedAsLatest: true },
  Y: { label: 'TPMS', directions: CAR_DATA, storedAsLatest: true },
  Z: { label: 'peer count', directions: ['server-to-car', 'server-to-app'], storedAsLatest: false },
} as const satisfies Record<string, MessageInfo>;

export type KnownCode = keyof typeof MESSAGE_CATALOGUE;

export function isKnownCode(code: string): code is KnownCode {
  return Object.hasOwn(MESSAGE_CATALOGUE, code);
}

export function messageInfo(code: string): MessageInfo | undefined {
  return isKnownCode(code) ? MESSAGE_CATALOGUE[code] : undefined;
}

/**
 * Whether a message with this code, received from a car, is kept as the latest of its code. Unknown
 * codes are stored, as the reference server does, so newer car messages survive until app login.
 * For a paranoid `EM<code>…` message pass the inner code. An empty code (an empty line) is never stored.
 */
export function storesLatest(code: string): boolean {
  return messageInfo(code)?.storedAsLatest ?? code.length === 1;
}
