import type { Owner, Store } from '../store/store.js';
import type { AccountThrottle } from './account-throttle.js';
import { verifyOwnerOrDummy } from './owner-login.js';
import { hashApiToken } from './passwords.js';

export type PasswordLogin =
  | { ok: true; owner: Owner; via: 'password'; permit: '*' }
  | { ok: true; owner: Owner; via: 'token'; permit: string }
  /** `retryAfterMs`: refused by the per-account throttle without a check. */
  | { ok: false; retryAfterMs?: number };

/**
 * A user name and a password, where the password is the owner's password or one of the owner's API
 * tokens, as every login path takes them (HTTP, /mqapi/auth, v2 scheme 1). The per-account throttle
 * decides first whether to check at all; an unknown user costs the same password hash as a known
 * one. `from` is the caller's address (undefined when it is not the user's, e.g. a broker's).
 */
export async function passwordLogin(
  store: Store,
  throttle: AccountThrottle,
  username: string,
  password: string,
  from?: string,
): Promise<PasswordLogin> {
  // An empty password is never right, whoever the user: refused at once, not a guess.
  if (password === '') return { ok: false };
  const attempt = throttle.begin(username, from);
  if (!('settle' in attempt)) return { ok: false, retryAfterMs: attempt.wait };
  let ok: boolean | undefined; // stays undefined when the check fails for another reason (database)
  try {
    const result = await checkPasswordOrToken(store, username, password);
    ok = result.ok;
    return result;
  } finally {
    attempt.settle(ok);
  }
}

/**
 * The check itself, without the throttle (callers that hold an attempt of their own, e.g. the MQTT
 * broker, which tries a vehicle secret under the same attempt first).
 */
export async function checkPasswordOrToken(
  store: Store,
  username: string,
  password: string,
): Promise<PasswordLogin> {
  const owner = await store.getOwnerByName(username);
  // The token costs one SHA-256 and a lookup; a token of another owner is no login.
  const token = await store.findApiToken(hashApiToken(password));
  if (owner && token && token.ownerId === owner.id) {
    await store.touchApiToken(token.tokenHash, new Date());
    return { ok: true, owner, via: 'token', permit: token.permit };
  }
  if (await verifyOwnerOrDummy(store, owner, password))
    return { ok: true, owner: owner!, via: 'password', permit: '*' };
  return { ok: false };
}
