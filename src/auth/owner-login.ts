import { randomBytes } from 'node:crypto';
import type { Owner, Store } from '../store/store.js';
import { hashDrupalPassword } from './drupal-hash.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

/**
 * Owner password logins, shared by the v2 scheme-1 login and the HTTP API, so both verify the same
 * formats and upgrade old hashes the same way.
 *
 * On our own schemas a Drupal 7 (or outdated scrypt) hash is replaced by a current scrypt hash at
 * the owner's first successful login. In Perl mode (a Perl-server database used as it is) hashes are
 * left alone: the operator must be able to switch back to the Perl server, which only reads Drupal
 * hashes (or, with AuthDbSimple, plain text).
 */

/** True when the store runs on a Perl-server database (kind `perl-mysql`). */
export function isPerlSchema(store: Pick<Store, 'kind'>): boolean {
  return store.kind.startsWith('perl-');
}

/** Checks `password` for an owner already looked up; upgrades the stored hash when it should. */
export async function verifyOwnerPassword(store: Store, owner: Owner, password: string): Promise<boolean> {
  const perl = isPerlSchema(store);
  if (!(await verifyPassword(password, owner.passwordHash, { plainText: perl }))) return false;
  if (!perl && needsRehash(owner.passwordHash)) {
    try {
      await store.setOwnerPassword(owner.id, await hashPassword(password));
    } catch {
      // The login itself succeeded; the upgrade is tried again at the next one.
    }
  }
  return true;
}

const dummies = new Map<boolean, Promise<string>>();

/**
 * A hash of a random password in the format the store writes (scrypt, or Drupal 7 in Perl mode),
 * made once: an unknown user's login is checked against it, so it costs what a known user's does.
 */
function dummyHash(store: Pick<Store, 'kind'>): Promise<string> {
  const perl = isPerlSchema(store);
  let hash = dummies.get(perl);
  if (!hash) {
    hash = hashOwnerPassword(store, randomBytes(18).toString('base64'));
    dummies.set(perl, hash);
  }
  return hash;
}

/**
 * `verifyOwnerPassword`, or for no owner the same work against a dummy hash (always false): whether
 * a user name exists must not show in how long a wrong password takes.
 */
export async function verifyOwnerOrDummy(
  store: Store,
  owner: Owner | undefined,
  password: string,
): Promise<boolean> {
  if (owner) return verifyOwnerPassword(store, owner, password);
  await verifyPassword(password, await dummyHash(store));
  return false;
}

/** The owner named `name` if `password` is theirs, else undefined. */
export async function authenticateOwner(
  store: Store,
  name: string,
  password: string,
): Promise<Owner | undefined> {
  const owner = await store.getOwnerByName(name);
  if (!(await verifyOwnerOrDummy(store, owner, password)) || !owner) return undefined;
  return (await store.getOwner(owner.id)) ?? owner;
}

/** The hash to store for a new owner password: scrypt, or Drupal 7 in Perl mode (see above). */
export async function hashOwnerPassword(store: Pick<Store, 'kind'>, password: string): Promise<string> {
  return isPerlSchema(store) ? hashDrupalPassword(password) : hashPassword(password);
}
