import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RelayOrder } from '../../src/server/relay-order.js';

/** A promise settled from outside, standing for a store write's commit. */
function commit(): { done: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { done, resolve, reject };
}

test('across nodes, a relay waits for its commit and for the relays before it, whatever order the commits come in', async () => {
  const order = new RelayOrder(60_000);
  const car = {};
  const published: string[] = [];
  const relay = (name: string) => async () => {
    published.push(name);
  };
  const first = commit();
  const second = commit();
  const relays = [
    order.publish(car, relay('S'), first.done),
    order.publish(car, relay('c reply')),
    order.publish(car, relay('D'), second.done),
  ];
  second.resolve();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(published, [], 'nothing leaves before the first commit');
  first.resolve();
  await Promise.all(relays);
  assert.deepEqual(published, ['S', 'c reply', 'D']);
  await order.drained(car);

  // A failed write still lets its message reach the apps; another car never waits for this one.
  const failing = commit();
  const late = order.publish(car, relay('F'), failing.done);
  await order.publish({}, relay('other car'));
  failing.reject(new Error('write failed'));
  await late;
  assert.deepEqual(published.slice(3), ['other car', 'F']);
});

test('on one node a relay leaves at once', () => {
  const order = new RelayOrder(0);
  const published: string[] = [];
  void order.publish(
    {},
    async () => {
      published.push('S');
    },
    new Promise(() => {}),
  );
  assert.deepEqual(published, ['S']);
});

test('a commit slower than the wait (bus.relay_commit_wait) lets the relay go anyway, and says so', async () => {
  // A short wait, as this test is about the wait itself.
  let late = 0;
  const order = new RelayOrder(20, () => late++);
  const published: string[] = [];
  const never = new Promise<void>(() => {});
  const car = {};
  const first = order.publish(car, async () => void published.push('S'), never);
  const second = order.publish(car, async () => void published.push('D'), Promise.resolve());
  await Promise.all([first, second]);
  assert.deepEqual(published, ['S', 'D']);
  assert.equal(late, 1);
});
