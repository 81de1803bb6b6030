import { decodeDigest, digestB64, digestsEqual, hmacMd5 } from './digest.js';
import { Scheme0Codec } from './line-codec.js';
import {
  type ClientType,
  formatScheme0Welcome,
  formatServerWelcome0,
  type Scheme0Welcome,
  type ServerWelcome,
} from './welcome.js';

/**
 * The scheme-0 login exchange as pure steps (WIRE.md §2.2). Randomness comes in as bytes so the
 * caller owns all I/O; everything here is deterministic and testable against vectors.json.
 */

/** Cars compute HMAC without hashing long keys, so secrets over 64 bytes can never work with them. */
export const MAX_SECRET_BYTES = 64;

export function checkSecret(secret: string): string | undefined {
  if (secret.length === 0) return 'the secret must not be empty';
  if (Buffer.byteLength(secret, 'utf8') > MAX_SECRET_BYTES) {
    return `the secret must be at most ${MAX_SECRET_BYTES} bytes (cars cannot use longer ones)`;
  }
  if (/[\r\n]/.test(secret)) return 'the secret must not contain line breaks';
  return undefined;
}

/** Client side: the welcome line to send for a token. */
export function clientWelcomeLine(opts: {
  secret: string;
  clientType: ClientType;
  vehicleId: string;
  clientToken: string;
}): string {
  return formatScheme0Welcome({
    clientType: opts.clientType,
    token: opts.clientToken,
    digest: digestB64(opts.secret, opts.clientToken),
    vehicleId: opts.vehicleId,
  });
}

/** Server side: true when the client's digest proves it knows the secret. */
export function verifyClientDigest(
  secret: string,
  welcome: Pick<Scheme0Welcome, 'token' | 'digest'>,
): boolean {
  const got = decodeDigest(welcome.digest);
  return got !== undefined && digestsEqual(got, hmacMd5(secret, welcome.token));
}

/**
 * Server side: picks a server token with `nextToken` (e.g. tokenFromBytes(randomBytes(22))), never
 * equal to the client's, which cars reject as replay, and returns the reply line and the connection's codec.
 */
export function acceptClient(
  secret: string,
  clientToken: string,
  nextToken: () => string,
): { serverToken: string; reply: string; codec: Scheme0Codec } {
  let serverToken = nextToken();
  while (serverToken === clientToken) serverToken = nextToken();
  const reply = formatServerWelcome0(serverToken, digestB64(secret, serverToken));
  return { serverToken, reply, codec: Scheme0Codec.forSession(secret, serverToken, clientToken) };
}

/**
 * Client side: checks the server's reply as a car does (exact padded digest, no token replay) and
 * returns the codec, or an error text.
 */
export function completeClientHandshake(
  secret: string,
  clientToken: string,
  reply: ServerWelcome,
): { ok: true; codec: Scheme0Codec } | { ok: false; error: string } {
  if (reply.kind !== 'welcome0') return { ok: false, error: 'server did not answer with MP-S 0' };
  if (reply.token === clientToken) return { ok: false, error: 'server replayed the client token' };
  if (reply.digest !== digestB64(secret, reply.token)) {
    return { ok: false, error: 'server digest does not match (wrong secret or not an OVMS server)' };
  }
  return { ok: true, codec: Scheme0Codec.forSession(secret, reply.token, clientToken) };
}
