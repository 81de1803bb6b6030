import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccountThrottle, type Attempt } from '../../src/auth/account-throttle.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function tryOnce(throttle: AccountThrottle, name: string, ok: boolean, from?: string): number {
  const attempt: Attempt = throttle.begin(name, from);
  if ('settle' in attempt) attempt.settle(ok);
  return attempt.wait;
}

test('after the free failures each try waits twice as long, up to the maximum', () => {
  const c = clock();
  const throttle = new AccountThrottle({ free: 3, maxDelayMs: 8000, windowMs: 60_000 }, c.now);
  for (let i = 0; i < 3; i++) assert.equal(tryOnce(throttle, 'alice', false), 0);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    const wait = tryOnce(throttle, 'alice', false);
    waits.push(wait);
    c.advance(wait);
    assert.equal(tryOnce(throttle, 'alice', false), 0, 'allowed once the wait is over');
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000, 8000]);
  // Another account is not affected; the name is matched without case.
  assert.equal(tryOnce(throttle, 'bob', false), 0);
  assert.ok(tryOnce(throttle, 'ALICE', true) > 0);
});

test('a proven address is not delayed, and its good login clears nothing for the others', () => {
  const c = clock();
  const throttle = new AccountThrottle({ free: 2, maxDelayMs: 300_000, windowMs: 3_600_000 }, c.now);
  assert.equal(tryOnce(throttle, 'alice', true, '10.0.0.1'), 0); // the owner logs in: proven
  for (let i = 0; i < 10; i++) {
    const wait = tryOnce(throttle, 'alice', false, `192.0.2.${i}`);
    c.advance(wait);
    tryOnce(throttle, 'alice', false, `192.0.2.${i}`);
  }
  const before = tryOnce(throttle, 'alice', false, '192.0.2.99');
  assert.ok(before > 0);
  for (let i = 0; i < 5; i++) assert.equal(tryOnce(throttle, 'alice', true, '10.0.0.1'), 0);
  const after = tryOnce(throttle, 'alice', false, '192.0.2.99');
  assert.ok(after > 0 && after <= before, `still ${after} ms to wait`);
  // A good login from a new address waits like anyone, at most the maximum.
  const fresh = tryOnce(throttle, 'alice', true, '10.0.0.2');
  assert.ok(fresh > 0 && fresh <= 300_000);
  // Without an address (a broker asking), nothing is proven.
  assert.ok(tryOnce(throttle, 'alice', true) > 0);
});

test('tries made at the same moment wait their turn', () => {
  const c = clock();
  const throttle = new AccountThrottle({ free: 3, maxDelayMs: 60_000, windowMs: 600_000 }, c.now);
  const attempts = Array.from({ length: 20 }, () => throttle.begin('alice', '192.0.2.1'));
  const allowed = attempts.filter((a) => 'settle' in a);
  assert.equal(allowed.length, 4, 'the free tries and one more');
  for (const a of allowed) if ('settle' in a) a.settle(false);
  assert.ok(tryOnce(throttle, 'alice', false) > 0);
});

test('failures are forgotten a window after the last one; a check that did not finish is no failure', () => {
  const c = clock();
  const throttle = new AccountThrottle({ free: 1, maxDelayMs: 10_000, windowMs: 60_000 }, c.now);
  tryOnce(throttle, 'alice', false);
  assert.ok(tryOnce(throttle, 'alice', false) > 0);
  c.advance(60_001);
  assert.equal(tryOnce(throttle, 'alice', false), 0);
  c.advance(60_001);
  const attempt = throttle.begin('alice');
  assert.ok('settle' in attempt);
  attempt.settle(undefined); // the database failed: no answer, no failure
  assert.equal(tryOnce(throttle, 'alice', true), 0);
});

test('the table is bounded: the least recently touched accounts go first', () => {
  const c = clock();
  const throttle = new AccountThrottle(
    { free: 5, maxDelayMs: 300_000, windowMs: 3_600_000, maxEntries: 100 },
    c.now,
  );
  for (let i = 0; i < 5; i++) tryOnce(throttle, 'alice', false);
  for (let i = 0; i < 10_000; i++) {
    tryOnce(throttle, `guess-${i}`, false);
    if (i % 50 === 0) tryOnce(throttle, 'alice', false); // touched (refused), so kept
  }
  assert.ok(throttle.size <= 100, `${throttle.size} accounts`);
  assert.ok(tryOnce(throttle, 'alice', false) > 0, 'the account under attack is still throttled');
});

test('free = 0 turns the throttle off', () => {
  const throttle = new AccountThrottle({ free: 0, maxDelayMs: 300_000, windowMs: 3_600_000 });
  for (let i = 0; i < 100; i++) assert.equal(tryOnce(throttle, 'alice', false), 0);
  assert.equal(throttle.size, 0);
});
