import { createHmac } from 'node:crypto';

/**
 * HMAC-MD5 and the base64 forms the protocol uses. Node's HMAC hashes keys longer than 64 bytes
 * first, as standard HMAC does; cars do not (WIRE.md §2.2 step 8), so such secrets are refused
 * where they are set, not here.
 */
export function hmacMd5(key: string | Uint8Array, message: string | Uint8Array): Buffer {
  return createHmac('md5', toBytes(key)).update(toBytes(message)).digest();
}

/** Padded base64 of HMAC-MD5: the 24-character form every real client sends and expects. */
export function digestB64(key: string | Uint8Array, message: string | Uint8Array): string {
  return hmacMd5(key, message).toString('base64');
}

/** Session key of scheme 0: HMAC-MD5(secret, server token immediately followed by client token). */
export function sessionKey(secret: string | Uint8Array, serverToken: string, clientToken: string): Buffer {
  return hmacMd5(secret, serverToken + clientToken);
}

const B64_STRICT = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a client digest the way the reference server accepts it: padded (24 chars) or unpadded
 * (22 chars) base64. Returns undefined when the text is not base64 of exactly 16 bytes.
 */
export function decodeDigest(text: string): Buffer | undefined {
  if (!B64_STRICT.test(text)) return undefined;
  const bare = text.replace(/=+$/, '');
  if (bare.length !== 22) return undefined;
  const bytes = Buffer.from(bare, 'base64');
  return bytes.length === 16 ? bytes : undefined;
}

/** Constant-time comparison of two digests. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let n = 0; n < a.length; n++) diff |= a[n]! ^ b[n]!;
  return diff === 0;
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Builds a protocol token (22 characters of the base64 alphabet, as real clients and the reference
 * server use) from caller-supplied random bytes, so this module stays free of I/O and globals.
 */
export function tokenFromBytes(random: Uint8Array, length = 22): string {
  if (random.length < length) throw new RangeError(`need ${length} random bytes for a token`);
  let out = '';
  for (let n = 0; n < length; n++) out += TOKEN_ALPHABET[random[n]! & 63];
  return out;
}

export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}
