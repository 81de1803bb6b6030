import { verifyOwnerPassword } from '../auth/owner-login.js';
import { hashApiToken } from '../auth/passwords.js';
import type { Owner, Store } from '../store/store.js';

export interface Credentials {
  owner: Owner;
  /** '*' for a password login, the token's permit for a token. */
  permit: string;
  via: 'password' | 'token';
}

async function tokenLogin(store: Store, token: string, owner?: Owner): Promise<Credentials | undefined> {
  const row = await store.findApiToken(hashApiToken(token));
  if (!row || (owner && row.ownerId !== owner.id)) return undefined;
  const tokenOwner = owner ?? (await store.getOwner(row.ownerId));
  if (!tokenOwner) return undefined;
  await store.touchApiToken(row.tokenHash, new Date());
  return { owner: tokenOwner, permit: row.permit, via: 'token' };
}

/**
 * `username` + `password`, where the password is the owner's password (all rights, '*') or one of the
 * owner's API tokens (that token's permit), as the reference's AuthDrupal does. The token is tried
 * first: it costs one SHA-256, while a password costs an scrypt. Passwords go through the shared
 * owner login, which also upgrades old hashes (src/auth/owner-login.ts).
 */
export async function checkPassword(
  store: Store,
  username: string,
  password: string,
): Promise<Credentials | undefined> {
  const owner = await store.getOwnerByName(username);
  if (!owner || password === '') return undefined;
  const byToken = await tokenLogin(store, password, owner);
  if (byToken) return byToken;
  if (await verifyOwnerPassword(store, owner, password)) return { owner, permit: '*', via: 'password' };
  return undefined;
}

/** `Authorization: Bearer <token>`: the token alone names its owner. */
export function checkBearer(store: Store, token: string): Promise<Credentials | undefined> {
  if (token === '') return Promise.resolve(undefined);
  return tokenLogin(store, token);
}
