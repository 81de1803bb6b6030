import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRecent, at, conflictNaming, type FreshStore, ownerWithVehicle, T0 } from './fixtures.js';

export function migrationTests(fresh: FreshStore): void {
  describe('migrations', () => {
    test('after migrate the schema is at the latest version, and migrating again changes nothing', async (t) => {
      const store = await fresh(t);
      const status = await store.migrate();
      assert.ok(status.latest >= 1, 'there is at least one migration');
      assert.equal(status.current, status.latest);
      assert.equal(status.applied.at(-1)?.version, status.latest);
      const versions = status.applied.map((m) => m.version);
      assert.deepEqual(
        versions,
        [...new Set(versions)].sort((a, b) => a - b),
      );
      for (const m of status.applied) {
        assert.ok(m.name.length > 0, `migration ${m.version} has a name`);
        assert.ok(m.appliedAt.getTime() <= Date.now() + 1000, `migration ${m.version} applied in the past`);
      }
      assert.deepEqual(await store.migrate(), status);
      assert.deepEqual(await store.migrationStatus(), status);
    });
  });
}

export function pushTests(fresh: FreshStore): void {
  describe('push subscriptions', () => {
    test('upsert adds, then updates in place; listed by appId; deleted by appId', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const other = await ownerWithVehicle(store, 'bob', 'BOB1');
      const fcm = {
        ...ref,
        appId: 'app-b',
        pushType: 'fcm',
        pushKeyType: 'production',
        pushKeyValue: 'tok1',
      };
      const apns = { ...ref, appId: 'app-a', pushType: 'apns', pushKeyType: 'sandbox', pushKeyValue: 'dev' };
      await store.upsertPushSubscription({ ...fcm, lastUpdated: T0 });
      await store.upsertPushSubscription({ ...apns, lastUpdated: T0 });
      assert.deepEqual(await store.listPushSubscriptions(ref), [
        { ...apns, lastUpdated: T0 },
        { ...fcm, lastUpdated: T0 },
      ]);

      await store.upsertPushSubscription({ ...fcm, pushKeyValue: 'tok2', lastUpdated: at(60) });
      const updated = await store.listPushSubscriptions(ref);
      assert.equal(updated.length, 2);
      assert.deepEqual(updated[1], { ...fcm, pushKeyValue: 'tok2', lastUpdated: at(60) });

      await store.upsertPushSubscription({ ...apns, pushType: 'expo' });
      const [refreshed] = await store.listPushSubscriptions(ref);
      assert.equal(refreshed?.pushType, 'expo');
      assertRecent(refreshed?.lastUpdated, 'lastUpdated defaults to now');

      assert.deepEqual(await store.listPushSubscriptions(other.ref), []);
      assert.equal(await store.deletePushSubscription(ref, 'app-a'), true);
      assert.equal(await store.deletePushSubscription(ref, 'app-a'), false);
      assert.equal(await store.deletePushSubscription(other.ref, 'app-b'), false);
      assert.deepEqual(
        (await store.listPushSubscriptions(ref)).map((s) => s.appId),
        ['app-b'],
      );
    });
  });
}

export function autoProvisionTests(fresh: FreshStore): void {
  describe('auto-provisioning', () => {
    test('records are put, read, listed, replaced, marked used and deleted', async (t) => {
      const store = await fresh(t);
      const { owner } = await ownerWithVehicle(store);
      const vin = {
        apKey: 'VIN123',
        token: 'tok',
        digest: 'dig',
        record: 'b64rec',
        ownerId: undefined,
        lastUsed: undefined,
      };
      const abc = { ...vin, apKey: 'ABC', ownerId: owner.id };
      await store.putAutoProvision(vin);
      await store.putAutoProvision(abc);
      assert.deepEqual(await store.getAutoProvision('VIN123'), vin);
      assert.deepEqual(await store.getAutoProvision('ABC'), abc);
      assert.equal(await store.getAutoProvision('NOPE'), undefined);
      assert.deepEqual(await store.listAutoProvision(), [abc, vin]);

      await store.putAutoProvision({ ...vin, record: 'replaced' });
      assert.equal((await store.listAutoProvision()).length, 2);
      assert.equal((await store.getAutoProvision('VIN123'))?.record, 'replaced');

      await store.markAutoProvisionUsed('VIN123', at(90));
      assert.deepEqual((await store.getAutoProvision('VIN123'))?.lastUsed, at(90));
      await store.markAutoProvisionUsed('NOPE', at(90));
      assert.equal(await store.getAutoProvision('NOPE'), undefined);

      assert.equal(await store.deleteAutoProvision('VIN123'), true);
      assert.equal(await store.deleteAutoProvision('VIN123'), false);
      assert.deepEqual(await store.listAutoProvision(), [abc]);
    });
  });
}

export function apiTokenTests(fresh: FreshStore): void {
  describe('API tokens', () => {
    test('tokens are created, listed per owner, found, touched and deleted by their owner', async (t) => {
      const store = await fresh(t);
      const { owner } = await ownerWithVehicle(store);
      const stranger = await store.createOwner({ name: 'mallory', passwordHash: 'h' });
      const first = {
        ownerId: owner.id,
        tokenHash: 'a'.repeat(64),
        application: 'app',
        purpose: 'phone',
        permit: 'auth',
      };
      const created = await store.createApiToken({ ...first, created: T0 });
      assert.deepEqual(created, { ...first, created: T0, lastUsed: undefined });
      const second = await store.createApiToken({ ...first, tokenHash: 'b'.repeat(64), permit: '*' });
      assertRecent(second.created, 'created defaults to now');

      assert.deepEqual(
        (await store.listApiTokens(owner.id)).map((k) => k.tokenHash),
        ['a'.repeat(64), 'b'.repeat(64)],
      );
      assert.deepEqual(await store.listApiTokens(stranger.id), []);
      assert.deepEqual(await store.findApiToken('a'.repeat(64)), created);
      assert.equal(await store.findApiToken('c'.repeat(64)), undefined);

      await store.touchApiToken('a'.repeat(64), at(60));
      assert.deepEqual((await store.findApiToken('a'.repeat(64)))?.lastUsed, at(60));

      assert.equal(await store.deleteApiToken(stranger.id, 'a'.repeat(64)), false);
      assert.equal(await store.deleteApiToken(owner.id, 'a'.repeat(64)), true);
      assert.equal(await store.deleteApiToken(owner.id, 'a'.repeat(64)), false);
      assert.equal(await store.findApiToken('a'.repeat(64)), undefined);
      assert.equal((await store.findApiToken('b'.repeat(64)))?.permit, '*');
    });

    test('a second token with the same hash is a conflict', async (t) => {
      const store = await fresh(t);
      const { owner } = await ownerWithVehicle(store);
      const token = {
        ownerId: owner.id,
        tokenHash: 'd'.repeat(64),
        application: 'a',
        purpose: 'p',
        permit: 'auth',
      };
      await store.createApiToken(token);
      await assert.rejects(store.createApiToken({ ...token, purpose: 'again' }), conflictNaming('token'));
      assert.equal((await store.listApiTokens(owner.id)).length, 1);
    });
  });
}
