import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { isDrupalHash, verifyDrupalPassword } from './drupal-hash.js';

/**
 * Owner password hashes and API tokens.
 *
 * New hashes are scrypt, stored self-describing as `scrypt$<N>$<r>$<p>$<salt b64>$<key b64>` so the
 * cost can be raised later without breaking existing logins (`needsRehash` tells the caller to store a
 * fresh hash after the next successful login).
 *
 * Other formats plug in as `PasswordScheme`s: a Perl-server database holds Drupal 7 `$S$` hashes
 * (SERVER-INVENTORY.md §6.2, see drupal-hash.ts), or, with the reference's AuthDbSimple, plain text,
 * which the Perl-schema store hands over as `plain$<password>` and which verifies only when the caller
 * allows it (Perl mode). Anything no scheme recognises never verifies.
 */

interface PasswordScheme {
  /** True when `stored` is in this scheme's format (cheap, no hashing). */
  recognises(stored: string): boolean;
  verify(plain: string, stored: string): Promise<boolean>;
  /** True when a successful login should replace the hash with a fresh `hashPassword()` result. */
  isOutdated(stored: string): boolean;
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const CURRENT: ScryptParams = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refuse stored parameters that would need more memory than this: a tampered row must not stall us. */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function scryptKey(plain: string, salt: Buffer, keyBytes: number, params: ScryptParams): Promise<Buffer> {
  // Node checks 128 * N * r against maxmem; leave head-room above the default 32 MiB when needed.
  const maxmem = 128 * params.N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(plain, salt, keyBytes, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

interface ParsedScrypt extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseScrypt(stored: string): ParsedScrypt | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, keyText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![nText, rText, pText].every((t) => /^[1-9][0-9]{0,9}$/.test(t))) return undefined;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  const powerOfTwo = N >= 2 && (N & (N - 1)) === 0;
  if (!powerOfTwo || r > 64 || p > 16 || 128 * N * r > MAX_SCRYPT_MEMORY) return undefined;
  if (salt.length < 8 || key.length < 16 || key.length > 64) return undefined;
  return { N, r, p, salt, key };
}

const scryptScheme: PasswordScheme = {
  recognises: (stored) => stored.startsWith('scrypt$'),
  async verify(plain, stored) {
    const parsed = parseScrypt(stored);
    if (!parsed) return false;
    const candidate = await scryptKey(plain, parsed.salt, parsed.key.length, parsed);
    return timingSafeEqual(candidate, parsed.key);
  },
  isOutdated(stored) {
    const parsed = parseScrypt(stored);
    if (!parsed) return true;
    return (
      parsed.N !== CURRENT.N ||
      parsed.r !== CURRENT.r ||
      parsed.p !== CURRENT.p ||
      parsed.key.length !== KEY_BYTES ||
      parsed.salt.length !== SALT_BYTES
    );
  },
};

const drupalScheme: PasswordScheme = {
  recognises: isDrupalHash,
  verify: async (plain, stored) => verifyDrupalPassword(plain, stored),
  isOutdated: () => true,
};

/** The prefix the Perl-schema store puts before a password kept in plain text (AuthDbSimple). */
export const PLAIN_TEXT_PREFIX = 'plain$';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const plainTextScheme: PasswordScheme = {
  recognises: (stored) => stored.startsWith(PLAIN_TEXT_PREFIX),
  // Compared through their hashes: equal lengths for timingSafeEqual, and no early exit.
  verify: async (plain, stored) =>
    timingSafeEqual(sha256(plain), sha256(stored.slice(PLAIN_TEXT_PREFIX.length))),
  isOutdated: () => true,
};

/** Formats understood, newest first. */
const schemes: readonly PasswordScheme[] = [scryptScheme, drupalScheme, plainTextScheme];

export interface VerifyOptions {
  /** Accept `plain$` (plain-text) stored passwords: only a Perl-schema store produces them. */
  plainText?: boolean;
}

/** Hashes an owner password for storage (scrypt, random salt). */
export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptKey(plain, salt, KEY_BYTES, CURRENT);
  const { N, r, p } = CURRENT;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `plain` matches `stored`; false (never a throw) for wrong passwords and unknown formats. */
export async function verifyPassword(
  plain: string,
  stored: string,
  options: VerifyOptions = {},
): Promise<boolean> {
  const scheme = schemes.find((s) => s.recognises(stored));
  if (!scheme || (scheme === plainTextScheme && !options.plainText)) return false;
  try {
    return await scheme.verify(plain, stored);
  } catch {
    return false;
  }
}

/** True when `stored` is not a current-parameter scrypt hash and should be replaced after login. */
export function needsRehash(stored: string): boolean {
  const scheme = schemes.find((s) => s.recognises(stored));
  return scheme === undefined || scheme !== scryptScheme || scheme.isOutdated(stored);
}

/** The stored form of an API token: only its SHA-256 (hex) is kept, so a leaked table grants nothing. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new API token: 32 random bytes as 64 hex characters (the reference's token shape). */
export function newApiToken(): string {
  return randomBytes(32).toString('hex');
}
