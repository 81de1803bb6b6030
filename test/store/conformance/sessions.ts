import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredSession } from '../../../src/store/store.js';
import { type FreshStore, ownerWithVehicle } from './fixtures.js';

export function sessionTests(fresh: FreshStore): void {
  describe('HTTP sessions', () => {
    test('stored, read back, moved on, ended one by one, by owner (but one) and by expiry', async (t) => {
      const store = await fresh(t);
      const alice = (await ownerWithVehicle(store, 'alice', 'CAR1')).owner;
      const bob = (await ownerWithVehicle(store, 'bob', 'CAR2')).owner;
      const base = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
      const session = (
        idHash: string,
        ownerId: number,
        expiresIn: number,
        remember = false,
      ): StoredSession => ({
        idHash,
        ownerId,
        permit: '*',
        stamp: `stamp-${idHash.slice(0, 8)}`,
        remember,
        createdAt: new Date(base),
        expiresAt: new Date(base + expiresIn),
      });
      const a1 = session('a'.repeat(64), alice.id, 1000, true);
      await store.createSession(a1);
      await store.createSession(session('b'.repeat(64), alice.id, 5000));
      await store.createSession({ ...session('c'.repeat(64), bob.id, 5000), permit: 'vehicle.read,session' });
      assert.deepEqual(await store.getSession(a1.idHash), a1, 'every field as stored, to the millisecond');
      assert.equal(await store.getSession('f'.repeat(64)), undefined);
      assert.equal((await store.getSession('c'.repeat(64)))?.permit, 'vehicle.read,session');

      assert.equal(await store.touchSession(a1.idHash, new Date(base + 9000)), true);
      assert.equal((await store.getSession(a1.idHash))?.expiresAt.getTime(), base + 9000);
      assert.equal(await store.touchSession('f'.repeat(64), new Date(base)), false);

      // Expiry: b and c end at base + 5000, a at base + 9000.
      assert.equal(await store.deleteExpiredSessions(new Date(base + 4999)), 0);
      assert.equal(await store.deleteExpiredSessions(new Date(base + 5000)), 2);
      assert.ok(await store.getSession(a1.idHash));

      await store.createSession(session('d'.repeat(64), alice.id, 5000));
      await store.createSession(session('e'.repeat(64), bob.id, 5000));
      assert.equal(await store.deleteOwnerSessions(alice.id, a1.idHash), 1, 'all of alice but the kept one');
      assert.ok(await store.getSession(a1.idHash));
      assert.ok(await store.getSession('e'.repeat(64)), "bob's stays");
      assert.equal(await store.deleteSession(a1.idHash), true);
      assert.equal(await store.deleteSession(a1.idHash), false);
      assert.equal(await store.deleteOwnerSessions(bob.id), 1);
      assert.equal(await store.getSession('e'.repeat(64)), undefined);
    });

    test("an owner's removal ends its sessions", async (t) => {
      const store = await fresh(t);
      const { owner } = await ownerWithVehicle(store, 'carol', 'CAR3');
      const id = '1'.repeat(64);
      await store.createSession({
        idHash: id,
        ownerId: owner.id,
        permit: '*',
        stamp: 's',
        remember: false,
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      });
      await store.deleteOwner(owner.id);
      assert.equal(await store.getSession(id), undefined);
    });
  });
}
