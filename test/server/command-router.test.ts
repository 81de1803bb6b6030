import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandRouter, REQUEST_TTL_MS } from '../../src/server/command-router.js';

const r = (conn: string, command?: number) => ({ node: 'n', conn, command });

test('replies go to the oldest requester of the same command; multi-line keeps it queued', () => {
  const q = new CommandRouter();
  q.push(r('a', 18));
  q.push(r('b', 7));
  q.push(r('c', 1));
  assert.equal(q.route(7, true)?.conn, 'b');
  assert.equal(q.route(1, false)?.conn, 'c');
  assert.equal(q.route(1, true)?.conn, 'c');
  assert.equal(q.length, 1);
  // Nobody waits for 41: a broadcast.
  assert.equal(q.route(41, true), undefined);
});

test('paranoid replies (number unknown) go to the head; paranoid requesters take unmatched replies', () => {
  const q = new CommandRouter();
  q.push(r('p'));
  q.push(r('x', 7));
  assert.equal(q.route(undefined, true)?.conn, 'p');
  q.push(r('p2'));
  assert.equal(q.route(9, true)?.conn, 'p2');
  assert.deepEqual(
    q.drain().map((e) => e.conn),
    ['x'],
  );
});

test('requesters the car never answered expire', () => {
  let now = 0;
  const q = new CommandRouter(() => now);
  q.push(r('old', 7));
  now = REQUEST_TTL_MS + 1;
  q.push(r('new', 7));
  assert.equal(q.route(7, true)?.conn, 'new');
  assert.equal(q.length, 0);
});
