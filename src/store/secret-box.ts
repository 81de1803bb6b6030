import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { OpenedSecrets } from './opened-secrets.js';
import { SecretsKeyError } from './sqlite/key-file.js';
import type { SecretBox } from './store.js';

/**
 * Car secrets at rest.
 *
 * The car secret is a shared secret the server must be able to read back (it keys the login digest),
 * so it cannot be hashed; the best we can do is encrypt it with a key kept outside the database.
 *
 * Sealed format: `enc:v1:<iv b64>:<tag b64>:<ciphertext b64>` (AES-256-GCM, 12-byte random IV).
 * A value without the `enc:` prefix is plain text and opens unchanged, so a key can be configured on
 * an existing database: old rows keep working and are encrypted as they are rewritten.
 */

const PREFIX = 'enc:';
const V1 = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WHERE_TO_CONFIGURE = 'the config setting secrets.key or the environment variable OVMS_SECRETS_KEY';
/** Fixed, application-specific salt: the passphrase is per installation, a stored salt would add nothing. */
const PASSPHRASE_SALT = 'ovms-server/secret-box/v1';

/** Stores secrets as they are (no key configured). Refuses to store values that look sealed. */
export const plainSecretBox: SecretBox = {
  encrypts: false,
  seal(plain) {
    if (plain.startsWith(PREFIX)) {
      throw new Error(`a secret may not start with "${PREFIX}" unless ${WHERE_TO_CONFIGURE} is set`);
    }
    return plain;
  },
  open(stored) {
    if (stored.startsWith(PREFIX)) {
      throw new Error(`this car secret is encrypted but no key is configured: set ${WHERE_TO_CONFIGURE}`);
    }
    return stored;
  },
};

/**
 * Turns the configured `secrets.key` into a 256-bit AES key:
 * - 64 hex characters: the 32 key bytes themselves;
 * - 44 base64 characters (ending in `=`) that decode to 32 bytes: the key bytes themselves;
 * - anything else: a passphrase, stretched with scrypt (N=16384, r=8, p=1) and a fixed salt.
 * A random key (`openssl rand -hex 32`) is recommended; a passphrase is only as strong as it is long.
 */
export function deriveSecretKey(key: string): Buffer {
  if (key.trim() === '') {
    throw new SecretsKeyError(
      `a key of only spaces is not allowed in ${WHERE_TO_CONFIGURE}: set a random key (openssl rand -hex 32)`,
    );
  }
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(key)) {
    const bytes = Buffer.from(key, 'base64');
    if (bytes.length === 32) return bytes;
  }
  return scryptSync(key, PASSPHRASE_SALT, 32, { N: 16384, r: 8, p: 1 });
}

/** True for a stored value in the sealed format (any version). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * AES-256-GCM box for the configured key (see `deriveSecretKey` for the accepted key forms).
 * `keySource` names where the key came from, for the error a wrong key causes.
 */
export function createSecretBox(key: string, keySource = WHERE_TO_CONFIGURE): SecretBox {
  const aesKey = deriveSecretKey(key);
  const decrypt = (stored: string): string => {
    const { iv, tag, ciphertext } = parseSealed(stored);
    try {
      const decipher = createDecipheriv('aes-256-gcm', aesKey, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        `cannot decrypt a car secret: the key in ${keySource} is not the one it was encrypted with (or the value is damaged)`,
      );
    }
  };
  // Logins open the same sealed values again and again (opened-secrets.ts says why this is safe).
  const opened = new OpenedSecrets();
  return {
    encrypts: true,
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${V1}${iv.toString('base64')}:${tag.toString('base64')}:${ciphertext.toString('base64')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      return opened.get(stored, decrypt);
    },
  };
}

function parseSealed(stored: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  if (!stored.startsWith(V1)) {
    throw new Error(`unknown car secret encryption "${stored.split(':', 2).join(':')}" (expected enc:v1)`);
  }
  const parts = stored.slice(V1.length).split(':');
  const valid = parts.length === 3 && parts.every((p) => /^[A-Za-z0-9+/]*={0,2}$/.test(p));
  const [ivText = '', tagText = '', ciphertextText = ''] = parts;
  const iv = Buffer.from(ivText, 'base64');
  const tag = Buffer.from(tagText, 'base64');
  if (!valid || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error('damaged encrypted car secret (expected enc:v1:<iv>:<tag>:<ciphertext>)');
  }
  return { iv, tag, ciphertext: Buffer.from(ciphertextText, 'base64') };
}
