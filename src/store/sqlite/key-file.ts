import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The key that seals car secrets in an embedded (SQLite) database when no `secrets.key` is
 * configured: a file next to the database, `<database file>.key`, made on first use with 32 random
 * bytes as hex, readable by its owner only.
 *
 * It is never made while the database holds sealed secrets: a new key could not open them, so the
 * store refuses to open and says what to restore instead.
 */

export interface KeyFileInfo {
  /** Absolute path of the key file. */
  path: string;
  /** True when this call made the file. */
  created: boolean;
  /** Permission bits beyond the owner's (0 when only the owner can read it). */
  othersMode: number;
}

export class SecretsKeyError extends Error {
  readonly code = 'OVMS_ERR_SECRETS_KEY';
  constructor(message: string) {
    super(message);
    this.name = 'SecretsKeyError';
  }
}

export function keyFilePath(databasePath: string): string {
  return resolve(`${databasePath}.key`);
}

/**
 * Reads the database's key file, or makes it when there is none and `hasSealedSecrets()` says no
 * secret depends on a key yet. Two processes starting at once agree on one file (exclusive create).
 */
export function useKeyFile(
  databasePath: string,
  hasSealedSecrets: () => boolean,
): { key: string; info: KeyFileInfo } {
  const path = keyFilePath(databasePath);
  const existing = readKey(path);
  if (existing !== undefined)
    return { key: existing, info: { path, created: false, othersMode: othersMode(path) } };
  if (hasSealedSecrets()) {
    throw new SecretsKeyError(
      `the database ${resolve(databasePath)} holds encrypted vehicle secrets but their key file ${path} is missing: ` +
        'restore it from your backup (or set secrets.key / OVMS_SECRETS_KEY to that key); ' +
        'a new key could not read them, so none is made',
    );
  }
  const key = randomBytes(32).toString('hex');
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readKey(path) : undefined;
    if (raced === undefined) throw error;
    return { key: raced, info: { path, created: false, othersMode: othersMode(path) } };
  }
  return { key, info: { path, created: true, othersMode: othersMode(path) } };
}

/** The key in the file, undefined when there is no file; an empty file is an error, not "no key". */
function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretsKeyError(`cannot read the key file ${path}: ${(error as Error).message}`);
  }
  const key = text.trim();
  if (key === '') throw new SecretsKeyError(`the key file ${path} is empty: restore it from your backup`);
  return key;
}

function othersMode(path: string): number {
  return statSync(path).mode & 0o077;
}
