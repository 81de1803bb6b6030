import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthThrottle } from '../../src/server/auth-throttle.js';

/**
 * Failed logins are counted per (address, vehicle id), and an attacker chooses the vehicle ids:
 * without a bound, a stream of made-up ids from many addresses grew the table by one entry per
 * failure for the whole window (5 minutes: hundreds of thousands of entries).
 */
test('the auth-failure table keeps at most its bound, dropping the oldest pairs first', () => {
  const throttle = new AuthThrottle(3, 300_000, Date.now, 100);
  for (let i = 0; i < 1000; i++) throttle.fail(`10.0.${i >> 8}.${i & 255}`, `MADEUP${i}`);
  assert.equal(throttle.size, 100);
  // The newest pairs are still counted and throttled; the oldest were forgotten.
  throttle.fail('10.0.3.231', 'MADEUP999');
  throttle.fail('10.0.3.231', 'MADEUP999');
  assert.equal(throttle.blocked('10.0.3.231', 'MADEUP999'), true);
  assert.equal(throttle.blocked('10.0.0.0', 'MADEUP0'), false);
});

test('a pair that fails again is not the oldest any more', () => {
  const throttle = new AuthThrottle(2, 300_000, Date.now, 3);
  throttle.fail('a', 'CAR');
  throttle.fail('b', 'X1');
  throttle.fail('a', 'CAR'); // blocked now, and the most recent
  throttle.fail('b', 'X2');
  throttle.fail('b', 'X3'); // the table is full: X1 goes, not CAR
  assert.equal(throttle.blocked('a', 'CAR'), true);
  assert.equal(throttle.size, 3);
});
