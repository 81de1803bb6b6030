import type { Owner, Store } from '../store/store.js';
import { hashOwnerPassword } from './owner-login.js';

export interface PasswordChange {
  /** The new stored hash (sessions compare against it). */
  passwordHash: string;
  /** API tokens removed (0 with `keepTokens`). */
  revokedTokens: number;
}

/**
 * Sets an owner's new password, shared by `PUT /api/account/password` and `ovms-server owner passwd`.
 * The owner's API tokens are revoked too unless `keepTokens`: a password change is what an owner does
 * when a credential may have leaked, and a token is as good as the password for what it permits.
 * HTTP sessions end by themselves: each checks the stored hash (src/http/sessions.ts).
 */
export async function changeOwnerPassword(
  store: Store,
  owner: Pick<Owner, 'id'>,
  password: string,
  opts: { keepTokens?: boolean } = {},
): Promise<PasswordChange> {
  const passwordHash = await hashOwnerPassword(store, password);
  await store.setOwnerPassword(owner.id, passwordHash);
  let revokedTokens = 0;
  if (!opts.keepTokens) {
    for (const token of await store.listApiTokens(owner.id))
      if (await store.deleteApiToken(owner.id, token.tokenHash)) revokedTokens++;
  }
  return { passwordHash, revokedTokens };
}
