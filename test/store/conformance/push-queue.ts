import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { at, type FreshStore, T0 } from './fixtures.js';

export function pushQueueTests(fresh: FreshStore): void {
  describe('push queue', () => {
    test('enqueued items are claimed when due, oldest first, with attempts counted and a lease', async (t) => {
      const store = await fresh(t);
      assert.deepEqual(await store.claimPush(at(0), 10, at(60)), []);
      await store.enqueuePush(['later'], at(100));
      await store.enqueuePush(['first', 'second'], T0);
      assert.equal(await store.countPush(), 3);

      const claimed = await store.claimPush(at(10), 10, at(40));
      assert.deepEqual(
        claimed.map((i) => [i.payload, i.attempts, i.dueAt.getTime()]),
        [
          ['first', 1, at(40).getTime()],
          ['second', 1, at(40).getTime()],
        ],
      );
      // Leased: not claimable again before the lease ends.
      assert.deepEqual(await store.claimPush(at(20), 10, at(50)), []);
      const [first, second] = claimed;
      assert.ok(first && second);
      assert.equal(await store.finishPush(first.id), true);
      assert.equal(await store.finishPush(first.id), false);
      assert.equal(await store.retryPush(second.id, at(30)), true);
      assert.equal(await store.retryPush(first.id, at(30)), false);

      const again = await store.claimPush(at(30), 1, at(150));
      assert.deepEqual(
        again.map((i) => [i.payload, i.attempts]),
        [['second', 2]],
      );
      const last = await store.claimPush(at(100), 10, at(200));
      assert.deepEqual(
        last.map((i) => i.payload),
        ['later'],
      );
      assert.equal(await store.countPush(), 2);
    });

    test('two dispatchers claiming at once never get the same item', async (t) => {
      const store = await fresh(t);
      await store.enqueuePush(
        Array.from({ length: 20 }, (_, i) => `item-${i}`),
        T0,
      );
      const [a, b] = await Promise.all([
        store.claimPush(at(1), 20, at(60)),
        store.claimPush(at(1), 20, at(60)),
      ]);
      const ids = [...(a ?? []), ...(b ?? [])].map((i) => i.id);
      assert.equal(ids.length, 20);
      assert.equal(new Set(ids).size, 20);
    });
  });
}
