import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextServerToken } from '../../src/server/server-tokens.js';

test('server tokens: 22 characters of the base64 alphabet, never the same twice across pool refills', () => {
  const tokens = new Set<string>();
  // 1,000 tokens use the pool of random bytes (186 tokens) several times over.
  for (let n = 0; n < 1000; n++) {
    const token = nextServerToken();
    assert.match(token, /^[A-Za-z0-9+/]{22}$/);
    tokens.add(token);
  }
  assert.equal(tokens.size, 1000);
});
