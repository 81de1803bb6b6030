import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandRouter, GONE, type Requester } from '../../src/server/command-router.js';

const r = (conn: string, command?: number) => ({ node: 'n', conn, command });
/** Who a reply went to: a connection id, GONE (dropped) or undefined (broadcast). */
const to = (x: Requester | typeof GONE | undefined) => (x === GONE ? x : x?.conn);

test('replies go to the oldest requester of the same command; multi-line keeps it queued', () => {
  const q = new CommandRouter();
  q.push(r('a', 18));
  q.push(r('b', 7));
  q.push(r('c', 1));
  assert.equal(to(q.route(7, true)), 'b');
  assert.equal(to(q.route(1, false)), 'c');
  assert.equal(to(q.route(1, true)), 'c');
  assert.equal(q.length, 1);
  // Nobody waits for 41: a broadcast.
  assert.equal(q.route(41, true), undefined);
});

test('paranoid replies (number unknown) go to the head; paranoid requesters take unmatched replies', () => {
  const q = new CommandRouter();
  q.push(r('p'));
  q.push(r('x', 7));
  assert.equal(to(q.route(undefined, true)), 'p');
  q.push(r('p2'));
  assert.equal(to(q.route(9, true)), 'p2');
  assert.deepEqual(
    q.drain().map((e) => e.conn),
    ['x'],
  );
});

test('requesters the car never answered expire; each line of a multi-line reply renews its requester', () => {
  let now = 0;
  const q = new CommandRouter({ max: 10, ttlMs: 1000 }, () => now);
  q.push(r('old', 7));
  q.push(r('list', 1));
  now = 900;
  assert.equal(to(q.route(1, false)), 'list');
  now = 1001;
  q.push(r('new', 7));
  assert.equal(to(q.route(7, true)), 'new');
  now = 1800;
  assert.equal(to(q.route(1, true)), 'list');
  assert.equal(q.length, 0);
});

test('the queue refuses requesters over its cap; a requester gone stops counting, its replies are dropped', () => {
  const q = new CommandRouter({ max: 3, ttlMs: 0 });
  assert.ok(q.push(r('a', 7)));
  assert.ok(q.push(r('b', 7)));
  assert.ok(q.push(r('a', 8)));
  assert.equal(q.push(r('c', 7)), false);
  assert.equal(q.length, 3);
  assert.equal(q.cancel({ node: 'n', conn: 'a' }), 2);
  assert.equal(q.length, 1);
  assert.ok(q.push(r('c', 7)));
  // The car answers a's 7 first: dropped, not handed to b.
  assert.equal(q.route(7, true), GONE);
  assert.equal(to(q.route(7, true)), 'b');
  assert.equal(to(q.route(7, true)), 'c');
  assert.equal(q.route(8, true), GONE);
  // Places of gone requesters are bounded too: the oldest go first.
  for (const conn of ['d', 'e', 'f', 'g']) q.push(r(conn, 9));
  for (const conn of ['d', 'e', 'f', 'g']) q.cancel({ node: 'n', conn });
  assert.equal(q.length, 0);
  assert.deepEqual(q.drain(), []);
});

test("a car's queue counts its commands: sent, answered with their round trip, timed out, refused, car gone", () => {
  let now = 0;
  const trips: number[] = [];
  const stats = {
    sent: 0,
    answered: 0,
    timedOut: 0,
    carGone: 0,
    refused: 0,
    roundTrip: (ms: number) => trips.push(ms),
  };
  const q = new CommandRouter({ max: 2, ttlMs: 1000 }, () => now, stats);
  q.push(r('a', 7));
  q.push(r('b', 1));
  assert.equal(q.push(r('c', 3)), false);
  now = 250;
  q.route(7, true);
  q.route(1, false); // a multi-line reply: not answered yet
  now = 400;
  q.route(1, true);
  assert.deepEqual(trips, [250, 400]);
  q.push(r('slow', 9));
  now = 1500;
  q.push(r('late', 9)); // the first one expires here
  q.drain();
  assert.deepEqual(
    { ...stats, roundTrip: undefined },
    { sent: 4, answered: 2, timedOut: 1, carGone: 1, refused: 1, roundTrip: undefined },
  );
});
