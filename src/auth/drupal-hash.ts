import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Drupal 7 password hashes (`$S$`), as the Perl server's AuthDrupal checks them (SERVER-INVENTORY.md
 * §6.2), so owners of a Perl-server database log in with the passwords they have. Layout:
 * `$S$` + one character giving log2 of the iteration count + 8 salt characters + the digest, all in
 * Drupal's own base64 alphabet, cut to 55 characters.
 */

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HASH_LENGTH = 55;
const SETTING_LENGTH = 12;
/** Drupal 7's default cost (2^15 rounds of SHA-512). */
const DEFAULT_LOG2 = 15;
/** Drupal accepts up to 30; a tampered row must not make one login take minutes. */
const MAX_LOG2 = 20;
const MIN_LOG2 = 7;
/** Drupal refuses longer passwords (a guard against slow hashing of huge inputs). */
const MAX_PASSWORD_BYTES = 512;

/** Drupal's base64: little-endian 6-bit groups, no padding. */
function encode(input: Buffer): string {
  let output = '';
  for (let i = 0; i < input.length; i += 3) {
    const value = input[i]! | ((input[i + 1] ?? 0) << 8) | ((input[i + 2] ?? 0) << 16);
    const chars = i + 2 < input.length ? 4 : i + 1 < input.length ? 3 : 2;
    for (let c = 0; c < chars; c++) output += ALPHABET[(value >> (6 * c)) & 0x3f];
  }
  return output;
}

function sha512(...parts: Buffer[]): Buffer {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** The hash of `plain` under `setting` (the first 12 characters of a stored hash), or undefined. */
function drupalCrypt(plain: string, setting: string): string | undefined {
  const password = Buffer.from(plain, 'utf8');
  if (password.length > MAX_PASSWORD_BYTES || setting.length < SETTING_LENGTH) return undefined;
  const log2 = ALPHABET.indexOf(setting[3] ?? '');
  if (log2 < MIN_LOG2 || log2 > MAX_LOG2) return undefined;
  const head = setting.slice(0, SETTING_LENGTH);
  let hash = sha512(Buffer.from(head.slice(4), 'latin1'), password);
  for (let round = 1 << log2; round > 0; round--) hash = sha512(hash, password);
  return (head + encode(hash)).slice(0, HASH_LENGTH);
}

export function isDrupalHash(stored: string): boolean {
  return stored.startsWith('$S$') && stored.length === HASH_LENGTH;
}

export function verifyDrupalPassword(plain: string, stored: string): boolean {
  if (!isDrupalHash(stored)) return false;
  const candidate = drupalCrypt(plain, stored);
  return candidate !== undefined && timingSafeEqual(Buffer.from(candidate), Buffer.from(stored));
}

/**
 * A new Drupal 7 hash: what Perl mode stores when an owner's password is set, so the Perl server
 * (and Drupal) still accept it after a switch back.
 */
export function hashDrupalPassword(plain: string, log2 = DEFAULT_LOG2): string {
  if (log2 < MIN_LOG2 || log2 > MAX_LOG2) throw new RangeError(`log2 must be ${MIN_LOG2}..${MAX_LOG2}`);
  const setting = `$S$${ALPHABET[log2]}${encode(randomBytes(6))}`;
  const hash = drupalCrypt(plain, setting);
  if (hash === undefined)
    throw new RangeError(`a Drupal password may have at most ${MAX_PASSWORD_BYTES} bytes`);
  return hash;
}
