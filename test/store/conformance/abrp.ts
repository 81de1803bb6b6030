import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRecent, at, conflictNaming, type FreshStore, ownerWithVehicle } from './fixtures.js';

export function abrpLinkTests(fresh: FreshStore): void {
  describe('ABRP links', () => {
    test('a token is stored per vehicle, read back, listed by vehicle id, replaced and removed', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store, 'alice', 'CAR2');
      const other = await ownerWithVehicle(store, 'bob', 'CAR1');
      assert.equal(await store.getAbrpLink(ref), undefined);
      assert.deepEqual(await store.listAbrpLinks(), []);

      const stored = await store.setAbrpToken({ ...ref, vehicleId: 'car2' }, 'tok-a');
      assert.equal(stored.vehicleId, 'CAR2', 'ids are upper-case');
      assertRecent(stored.updatedAt, 'updatedAt');
      const link = await store.getAbrpLink(ref);
      assert.deepEqual(link, {
        ...ref,
        token: 'tok-a',
        error: '',
        refused: false,
        errorAt: undefined,
        updatedAt: stored.updatedAt,
      });
      await store.setAbrpToken(other.ref, 'tok-b');
      assert.deepEqual(
        (await store.listAbrpLinks()).map((l) => [l.vehicleId, l.token]),
        [
          ['CAR1', 'tok-b'],
          ['CAR2', 'tok-a'],
        ],
      );

      await store.setAbrpToken(ref, 'tok-c');
      assert.equal((await store.getAbrpLink(ref))?.token, 'tok-c');
      assert.equal(await store.deleteAbrpLink(ref), true);
      assert.equal(await store.deleteAbrpLink(ref), false);
      assert.equal(await store.getAbrpLink(ref), undefined);
      assert.equal((await store.getAbrpLink(other.ref))?.token, 'tok-b');
    });

    test('a status lands on the token it names, and a new token clears it', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const first = await store.setAbrpToken(ref, 'tok-a');
      const refusal = { error: 'ABRP refused the token (HTTP 401)', refused: true, at: at(5) };
      assert.equal(await store.setAbrpStatus(ref, first.updatedAt, refusal), true);
      const refused = await store.getAbrpLink(ref);
      assert.equal(refused?.error, refusal.error);
      assert.equal(refused?.refused, true);
      assert.deepEqual(refused?.errorAt, at(5));

      // The owner stores a new token: an answer to a send with the old one must not mark it.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const second = await store.setAbrpToken(ref, 'tok-b');
      assert.notEqual(second.updatedAt.getTime(), first.updatedAt.getTime());
      const cleared = await store.getAbrpLink(ref);
      assert.equal(cleared?.error, '');
      assert.equal(cleared?.refused, false);
      assert.equal(cleared?.errorAt, undefined);
      assert.equal(await store.setAbrpStatus(ref, first.updatedAt, refusal), false, 'stale status ignored');
      assert.equal((await store.getAbrpLink(ref))?.refused, false);

      assert.equal(
        await store.setAbrpStatus(ref, second.updatedAt, { error: '', refused: false, at: at(9) }),
        true,
      );
      assert.equal((await store.getAbrpLink(ref))?.error, '');
    });

    test('a link needs an existing vehicle and goes with it', async (t) => {
      const store = await fresh(t);
      const { owner, ref } = await ownerWithVehicle(store);
      await assert.rejects(
        store.setAbrpToken({ ownerId: owner.id, vehicleId: 'NOPE' }, 'tok'),
        conflictNaming('NOPE'),
      );
      await store.setAbrpToken(ref, 'tok');
      assert.equal(await store.deleteVehicle(ref), true);
      assert.deepEqual(await store.listAbrpLinks(), []);
      await ownerWithVehicle(store);
      assert.equal(await store.getAbrpLink(ref), undefined, 'a new vehicle of the same id starts unlinked');
    });
  });
}
