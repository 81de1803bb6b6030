import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteBatcher } from '../../src/store/sqlite/write-batcher.js';

/** A pretend database: a transaction applies its writes to `committed` only if none throws. */
function fakeDatabase(options: { failCommits?: number } = {}) {
  const committed: string[] = [];
  let transactions = 0;
  let failCommits = options.failCommits ?? 0;
  const run = (work: () => void) => {
    transactions++;
    const before = committed.length;
    try {
      work();
      if (failCommits > 0) {
        failCommits--;
        throw new Error('disk I/O error at COMMIT');
      }
    } catch (error) {
      committed.length = before; // rollback
      throw error;
    }
  };
  return { committed, run, transactions: () => transactions };
}

test('writes queued together commit in one transaction after maxDelayMs', async () => {
  const db = fakeDatabase();
  const batcher = new WriteBatcher(db.run, { maxDelayMs: 20 });
  const writes = ['a', 'b', 'c'].map((x) => batcher.enqueue(() => db.committed.push(x)));
  assert.deepEqual(db.committed, []);
  assert.equal(batcher.pending, 3);
  await Promise.all(writes);
  assert.deepEqual(db.committed, ['a', 'b', 'c']);
  assert.equal(db.transactions(), 1);
  assert.equal(batcher.pending, 0);
});

test('reaching maxItems commits at once, without waiting for the timer', () => {
  const db = fakeDatabase();
  const batcher = new WriteBatcher(db.run, { maxDelayMs: 60_000, maxItems: 3 });
  for (const x of ['a', 'b', 'c', 'd']) void batcher.enqueue(() => db.committed.push(x));
  assert.deepEqual(db.committed, ['a', 'b', 'c']);
  assert.equal(batcher.pending, 1);
  batcher.close();
  assert.deepEqual(db.committed, ['a', 'b', 'c', 'd']);
});

test('a write promise is not resolved before its commit', async () => {
  const db = fakeDatabase();
  const batcher = new WriteBatcher(db.run, { maxDelayMs: 60_000 });
  let resolved = false;
  const write = batcher
    .enqueue(() => db.committed.push('x'))
    .then(() => {
      resolved = true;
    });
  await sleep(5);
  assert.equal(resolved, false);
  batcher.flush();
  await write;
  assert.equal(resolved, true);
});

test('one failing write rejects alone; the others are retried and commit', async () => {
  const db = fakeDatabase();
  const batcher = new WriteBatcher(db.run, { maxDelayMs: 60_000 });
  const bad = new Error('constraint failed');
  const results = Promise.allSettled([
    batcher.enqueue(() => db.committed.push('a')),
    batcher.enqueue(() => {
      throw bad;
    }),
    batcher.enqueue(() => db.committed.push('c')),
  ]);
  batcher.flush();
  const [a, b, c] = await results;
  assert.equal(a?.status, 'fulfilled');
  assert.deepEqual(b, { status: 'rejected', reason: bad });
  assert.equal(c?.status, 'fulfilled');
  assert.deepEqual(db.committed, ['a', 'c']);
  assert.equal(db.transactions(), 4);
  assert.deepEqual(batcher.stats, { batches: 0, committed: 2, failed: 1, retriedBatches: 1 });
});

test('a failed COMMIT is retried write by write', async () => {
  const db = fakeDatabase({ failCommits: 1 });
  const batcher = new WriteBatcher(db.run, { maxDelayMs: 0 });
  await Promise.all([
    batcher.enqueue(() => db.committed.push('a')),
    batcher.enqueue(() => db.committed.push('b')),
  ]);
  assert.deepEqual(db.committed, ['a', 'b']);
});

test('after close, writes are refused', async () => {
  const db = fakeDatabase();
  const batcher = new WriteBatcher(db.run);
  batcher.close();
  await assert.rejects(
    batcher.enqueue(() => db.committed.push('late')),
    /closed/,
  );
  assert.deepEqual(db.committed, []);
});

test('options are checked', () => {
  const db = fakeDatabase();
  assert.throws(() => new WriteBatcher(db.run, { maxItems: 0 }), RangeError);
  assert.throws(() => new WriteBatcher(db.run, { maxDelayMs: -1 }), RangeError);
});

test('after a slow commit (a busy disk) the next batch waits longer, so commits cannot take most of the time', async () => {
  const db = fakeDatabase();
  let commitMs = 15;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const slowRun = (work: () => void) => {
    db.run(work);
    if (commitMs > 0) Atomics.wait(pause, 0, 0, commitMs); // a COMMIT that waits for the disk
  };
  const batcher = new WriteBatcher(slowRun, { maxDelayMs: 1 });
  await batcher.enqueue(() => db.committed.push('a'));
  commitMs = 0;
  const queuedAt = performance.now();
  await batcher.enqueue(() => db.committed.push('b'));
  const waited = performance.now() - queuedAt;
  // Nine times the last commit (15 ms), at most 50 ms: not the 1 ms asked for.
  assert.ok(waited >= 45, `the second batch waited ${waited.toFixed(1)} ms`);
  assert.deepEqual(db.committed, ['a', 'b']);
  // A read (flush) still commits at once, whatever the spacing.
  const c = batcher.enqueue(() => db.committed.push('c'));
  batcher.flush();
  await c;
  assert.deepEqual(db.committed, ['a', 'b', 'c']);
});
