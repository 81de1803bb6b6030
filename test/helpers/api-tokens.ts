import { hashApiToken } from '../../src/auth/passwords.js';
import type { Harness } from './harness.js';

/** Stores an API token of the harness owner as a user's database would hold it; returns the token. */
export async function addApiToken(h: Harness, permit: string, value: string): Promise<string> {
  await h.store.createApiToken({
    ownerId: h.owner.id,
    tokenHash: hashApiToken(value),
    application: 'test',
    purpose: 'test',
    permit,
  });
  return value;
}
