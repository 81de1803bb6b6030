import type { AccountThrottle } from '../auth/account-throttle.js';
import { passwordLogin } from '../auth/password-login.js';
import { hashApiToken } from '../auth/passwords.js';
import type { ServerCounters } from '../server/server-counters.js';
import type { Owner, Store } from '../store/store.js';

export interface Credentials {
  owner: Owner;
  /** '*' for a password login, the token's permit for a token. */
  permit: string;
  via: 'password' | 'token';
}

/** A password login refused by the per-account throttle: answered 429 with `Retry-After`. */
export class LoginThrottled extends Error {
  constructor(
    readonly user: string,
    readonly retryAfterS: number,
  ) {
    super('login throttled: too many failed logins for this account');
    this.name = 'LoginThrottled';
  }
}

/**
 * `username` + `password`, where the password is the owner's password (all rights, '*') or one of the
 * owner's API tokens (that token's permit), as the reference's AuthDrupal does, through the login
 * shared with v2 scheme 1 (src/auth/password-login.ts: per-account throttle, old hashes upgraded, the
 * same work for unknown users). `from` is the caller's address. Throws `LoginThrottled`. Counted in
 * `ovms_logins_total` as `kind` (`http`; `mqtt` when a broker asks for an MQTT client).
 */
export async function checkPassword(
  ctx: { store: Store; accounts: AccountThrottle; hub?: { counters: ServerCounters } },
  username: string,
  password: string,
  from: string | undefined,
  kind: 'http' | 'mqtt' = 'http',
): Promise<Credentials | undefined> {
  const login = await passwordLogin(ctx.store, ctx.accounts, username, password, from);
  const result = login.ok ? 'ok' : login.retryAfterMs !== undefined ? 'throttled' : 'refused';
  const counters = ctx.hub?.counters;
  if (kind === 'mqtt') counters?.mqttLogin(result);
  else counters?.httpLogin(result);
  if (login.ok) return { owner: login.owner, permit: login.permit, via: login.via };
  if (login.retryAfterMs !== undefined)
    throw new LoginThrottled(username, Math.max(1, Math.ceil(login.retryAfterMs / 1000)));
  return undefined;
}

/** `Authorization: Bearer <token>`: the token alone names its owner. */
export async function checkBearer(store: Store, token: string): Promise<Credentials | undefined> {
  if (token === '') return undefined;
  const row = await store.findApiToken(hashApiToken(token));
  const owner = row && (await store.getOwner(row.ownerId));
  if (!row || !owner) return undefined;
  await store.touchApiToken(row.tokenHash, new Date());
  return { owner, permit: row.permit, via: 'token' };
}
