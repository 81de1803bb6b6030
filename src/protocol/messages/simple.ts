import { type InvalidMessage, invalidMessage } from './invalid.js';
import { parseCanonicalUint } from './parse.js';

/** One-field messages: ping and ack, update age, peer count and server version (WIRE.md §3). */

/** `A`: ping from anyone; must be answered with `a`. The payload has no meaning (Perl sends `FA`). */
export interface Ping {
  readonly code: 'A';
  readonly kind: 'ping';
  readonly payload: string;
}

/** `a`: ping acknowledgement; payload ignored. */
export interface PingAck {
  readonly code: 'a';
  readonly kind: 'ping-ack';
  readonly payload: string;
}

/** `T<seconds>`: age of the car's last stored message, sent to apps. */
export interface UpdateAge {
  readonly code: 'T';
  readonly kind: 'update-age';
  readonly seconds: number;
}

/** `Z<n>`: to a car, the number of interactive apps; to an app, 0 or 1 for the car. */
export interface PeerCount {
  readonly code: 'Z';
  readonly kind: 'peers';
  readonly count: number;
}

/** `f<version>`: the server's version, sent to apps after each relayed `F`. */
export interface ServerVersion {
  readonly code: 'f';
  readonly kind: 'server-version';
  readonly version: string;
}

export function decodePing(payload: string): Ping {
  return { code: 'A', kind: 'ping', payload };
}

export function decodePingAck(payload: string): PingAck {
  return { code: 'a', kind: 'ping-ack', payload };
}

/**
 * An empty or non-numeric `T` is invalid: Perl can send an empty one (its SQL age may be NULL) and
 * Android rejects it, so the server must always send an integer (§2.5).
 */
export function decodeUpdateAge(payload: string): UpdateAge | InvalidMessage<'T'> {
  const seconds = parseCanonicalUint(payload);
  if (seconds === undefined) {
    return invalidMessage('T', `seconds is not a non-negative integer (${JSON.stringify(payload)})`, payload);
  }
  return { code: 'T', kind: 'update-age', seconds };
}

export function decodePeerCount(payload: string): PeerCount | InvalidMessage<'Z'> {
  const count = parseCanonicalUint(payload);
  if (count === undefined) {
    return invalidMessage(
      'Z',
      `peer count is not a non-negative integer (${JSON.stringify(payload)})`,
      payload,
    );
  }
  return { code: 'Z', kind: 'peers', count };
}

export function decodeServerVersion(payload: string): ServerVersion {
  return { code: 'f', kind: 'server-version', version: payload };
}

export function encodePing(ping: Pick<Ping, 'payload'>): string {
  return ping.payload;
}

/** Clamps to a non-negative integer: these values are counts and ages, never fractions or NaN. */
function wholeNumber(value: number): string {
  return String(Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : 0);
}

export function encodeUpdateAge(age: Pick<UpdateAge, 'seconds'>): string {
  return wholeNumber(age.seconds);
}

export function encodePeerCount(peers: Pick<PeerCount, 'count'>): string {
  return wholeNumber(peers.count);
}

export function encodeServerVersion(version: Pick<ServerVersion, 'version'>): string {
  return version.version;
}
