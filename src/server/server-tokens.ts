import { randomFillSync } from 'node:crypto';
import { tokenFromBytes } from '../protocol/digest.js';

const TOKEN_LENGTH = 22;
/** Random bytes for 186 tokens, drawn at once: one call to the system's generator, not one per login. */
const pool = Buffer.alloc(TOKEN_LENGTH * 186);
let used = pool.length;

/** A fresh server token for a scheme-0 login: 22 characters from cryptographically random bytes, each byte used once. */
export function nextServerToken(): string {
  if (used + TOKEN_LENGTH > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const token = tokenFromBytes(pool.subarray(used, used + TOKEN_LENGTH));
  used += TOKEN_LENGTH;
  return token;
}
