import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store, VehicleRef } from '../../../src/store/store.js';
import {
  assertRecent,
  at,
  conflictNaming,
  type FreshStore,
  message,
  ownerWithVehicle,
  T0,
} from './fixtures.js';

/** A latest message, a history row, a day of utilisation and a push subscription for a vehicle. */
async function fillVehicleData(store: Store, r: VehicleRef): Promise<void> {
  await store.saveMessage(r, message('S', 'status'));
  await store.addHistory(r, { type: 'T', recno: 0, timestamp: T0, data: Buffer.from('d'), expires: at(60) });
  await store.addUtilisation(r, '2024-05-01', { carRx: 1, carTx: 2, appRx: 3, appTx: 4 });
  await store.upsertPushSubscription({
    ...r,
    appId: 'app',
    pushType: 'fcm',
    pushKeyType: '',
    pushKeyValue: 'k',
  });
}

export function ownerTests(fresh: FreshStore): void {
  describe('owners', () => {
    test('an owner is created with defaults and found by id and by name', async (t) => {
      const store = await fresh(t);
      const bob = await store.createOwner({ name: 'bob', passwordHash: 'scrypt$x' });
      assert.equal(bob.name, 'bob');
      assert.equal(bob.mail, '');
      assert.equal(bob.passwordHash, 'scrypt$x');
      assert.equal(bob.admin, false);
      assertRecent(bob.createdAt, 'createdAt');
      assert.deepEqual(await store.getOwner(bob.id), bob);
      assert.deepEqual(await store.getOwnerByName('bob'), bob);
      assert.equal(await store.getOwner(bob.id + 1000), undefined);
      assert.equal(await store.getOwnerByName('nobody'), undefined);

      const admin = await store.createOwner({
        name: 'root',
        passwordHash: 'h',
        mail: 'r@example.org',
        admin: true,
      });
      assert.equal(admin.mail, 'r@example.org');
      assert.equal(admin.admin, true);
      assert.notEqual(admin.id, bob.id);
    });

    test('owners are listed in id order', async (t) => {
      const store = await fresh(t);
      const ids: number[] = [];
      for (const name of ['zed', 'amy', 'kim'])
        ids.push((await store.createOwner({ name, passwordHash: 'h' })).id);
      const listed = await store.listOwners();
      assert.deepEqual(
        listed.map((o) => o.name),
        ['zed', 'amy', 'kim'],
      );
      assert.deepEqual(
        listed.map((o) => o.id),
        [...ids].sort((a, b) => a - b),
      );
    });

    test('a second owner with the same name is a conflict that names it', async (t) => {
      const store = await fresh(t);
      await store.createOwner({ name: 'carol', passwordHash: 'h1' });
      await assert.rejects(store.createOwner({ name: 'carol', passwordHash: 'h2' }), conflictNaming('carol'));
      assert.equal((await store.listOwners()).length, 1);
      assert.equal((await store.getOwnerByName('carol'))?.passwordHash, 'h1');
    });

    test('an owner password hash can be replaced', async (t) => {
      const store = await fresh(t);
      const dave = await store.createOwner({ name: 'dave', passwordHash: 'old' });
      await store.setOwnerPassword(dave.id, 'new');
      assert.equal((await store.getOwner(dave.id))?.passwordHash, 'new');
    });

    test('deleting an owner removes the vehicles, their data, tokens and auto-provision rows', async (t) => {
      const store = await fresh(t);
      const { owner, ref } = await ownerWithVehicle(store, 'erin', 'GONE1');
      const other = await ownerWithVehicle(store, 'frank', 'KEEP1');
      for (const r of [ref, other.ref]) {
        await fillVehicleData(store, r);
      }
      await store.createApiToken({
        ownerId: owner.id,
        tokenHash: 'e'.repeat(64),
        application: 'a',
        purpose: 'p',
        permit: '*',
      });
      await store.putAutoProvision({
        apKey: 'VIN-E',
        token: 't',
        digest: 'd',
        record: 'r',
        ownerId: owner.id,
        lastUsed: undefined,
      });

      assert.equal(await store.deleteOwner(owner.id), true);
      assert.equal(await store.deleteOwner(owner.id), false);
      assert.equal(await store.getOwner(owner.id), undefined);
      assert.equal(await store.findVehicle('GONE1'), undefined);
      assert.deepEqual(await store.listVehicles(owner.id), []);
      assert.equal(await store.findApiToken('e'.repeat(64)), undefined);
      assert.equal(await store.getAutoProvision('VIN-E'), undefined);

      // Re-registering the id under someone else starts from nothing.
      const again = { ownerId: other.owner.id, vehicleId: 'GONE1' };
      await store.createVehicle({ ...again, secret: 's' });
      assert.deepEqual(await store.getMessages(again), []);
      assert.deepEqual(await store.historySummary(again), []);
      assert.deepEqual(await store.getUtilisation(again, 90), []);
      assert.deepEqual(await store.listPushSubscriptions(again), []);

      // The other owner's data is untouched.
      assert.equal((await store.getMessages(other.ref)).length, 1);
      assert.equal((await store.historySummary(other.ref))[0]?.totalRecords, 1);
      assert.equal((await store.getUtilisation(other.ref, 90)).length, 1);
      assert.equal((await store.listPushSubscriptions(other.ref)).length, 1);
    });
  });
}

export function vehicleTests(fresh: FreshStore): void {
  describe('vehicles', () => {
    test('a vehicle id is stored upper-case and found whatever the case', async (t) => {
      const store = await fresh(t);
      const owner = await store.createOwner({ name: 'gina', passwordHash: 'h' });
      const created = await store.createVehicle({
        ownerId: owner.id,
        vehicleId: 'demo1',
        secret: 'pw',
        name: 'Twizy',
      });
      assert.equal(created.vehicleId, 'DEMO1');
      assert.equal(created.ownerId, owner.id);
      assert.equal(created.ownerName, 'gina');
      assert.equal(created.secret, 'pw');
      assert.equal(created.name, 'Twizy');
      assert.equal(created.ptoken, '');
      assert.equal(created.lastUpdate, undefined);
      assertRecent(created.createdAt, 'createdAt');
      assert.deepEqual(await store.findVehicle('demo1'), created);
      assert.deepEqual(await store.findVehicle('DeMo1'), created);
      assert.equal(await store.findVehicle('DEMO2'), undefined);
      const plain = await store.createVehicle({ ownerId: owner.id, vehicleId: 'X2', secret: 's' });
      assert.equal(plain.name, '');
    });

    test('getVehicle needs the right owner', async (t) => {
      const store = await fresh(t);
      const { owner, ref } = await ownerWithVehicle(store, 'hank', 'HANK1');
      const stranger = await store.createOwner({ name: 'ivy', passwordHash: 'h' });
      assert.equal((await store.getVehicle(ref))?.vehicleId, 'HANK1');
      assert.equal((await store.getVehicle({ ownerId: owner.id, vehicleId: 'hank1' }))?.vehicleId, 'HANK1');
      assert.equal(await store.getVehicle({ ownerId: stranger.id, vehicleId: 'HANK1' }), undefined);
    });

    test('vehicles are listed by id, all of them or one owner’s', async (t) => {
      const store = await fresh(t);
      const a = await ownerWithVehicle(store, 'jo', 'ZETA');
      await ownerWithVehicle(store, 'jo', 'ALPHA');
      const b = await ownerWithVehicle(store, 'kai', 'MIKE');
      assert.deepEqual(
        (await store.listVehicles()).map((v) => v.vehicleId),
        ['ALPHA', 'MIKE', 'ZETA'],
      );
      assert.deepEqual(
        (await store.listVehicles(a.owner.id)).map((v) => v.vehicleId),
        ['ALPHA', 'ZETA'],
      );
      assert.deepEqual(
        (await store.listVehicles(b.owner.id)).map((v) => `${v.ownerName}/${v.vehicleId}`),
        ['kai/MIKE'],
      );
      assert.deepEqual(await store.listVehicles(b.owner.id + 1000), []);
    });

    test('a vehicle id is unique across owners and letter case', async (t) => {
      const store = await fresh(t);
      await ownerWithVehicle(store, 'lee', 'TAKEN');
      const other = await store.createOwner({ name: 'max', passwordHash: 'h' });
      await assert.rejects(
        store.createVehicle({ ownerId: other.id, vehicleId: 'taken', secret: 's' }),
        conflictNaming('TAKEN'),
      );
      assert.deepEqual(await store.listVehicles(other.id), []);
      assert.equal((await store.findVehicle('TAKEN'))?.ownerName, 'lee');
    });

    test('a vehicle for an owner that does not exist is refused', async (t) => {
      const store = await fresh(t);
      await assert.rejects(
        store.createVehicle({ ownerId: 4242, vehicleId: 'ORPHAN', secret: 's' }),
        conflictNaming('4242'),
      );
      assert.equal(await store.findVehicle('ORPHAN'), undefined);
    });

    test('createVehicles adds them all, or none when one is a duplicate', async (t) => {
      const store = await fresh(t);
      const { owner } = await ownerWithVehicle(store, 'ned', 'EXISTS');
      const ownerId = owner.id;
      assert.equal(
        await store.createVehicles([
          { ownerId, vehicleId: 'BULK1', secret: 'a' },
          { ownerId, vehicleId: 'bulk2', secret: 'b', name: 'second' },
        ]),
        2,
      );
      assert.equal((await store.findVehicle('BULK2'))?.name, 'second');
      assert.equal((await store.findVehicle('BULK1'))?.secret, 'a');

      await assert.rejects(
        store.createVehicles([
          { ownerId, vehicleId: 'NEW1', secret: 'a' },
          { ownerId, vehicleId: 'NEW2', secret: 'b' },
          { ownerId, vehicleId: 'exists', secret: 'c' },
        ]),
        conflictNaming('EXISTS'),
      );
      await assert.rejects(
        store.createVehicles([
          { ownerId, vehicleId: 'NEW3', secret: 'a' },
          { ownerId, vehicleId: 'NEW3', secret: 'b' },
        ]),
        conflictNaming('NEW3'),
      );
      assert.deepEqual(
        (await store.listVehicles(ownerId)).map((v) => v.vehicleId),
        ['BULK1', 'BULK2', 'EXISTS'],
      );
    });

    test('secrets come back exactly and can be changed', async (t) => {
      const store = await fresh(t);
      const owner = await store.createOwner({ name: 'olga', passwordHash: 'h' });
      const odd = 'p@ss wörd:enc 🚗 "quoted" \\ end';
      await store.createVehicle({ ownerId: owner.id, vehicleId: 'ODD', secret: odd });
      assert.equal((await store.findVehicle('ODD'))?.secret, odd);
      await store.setVehicleSecret({ ownerId: owner.id, vehicleId: 'odd' }, 'changed');
      assert.equal((await store.findVehicle('ODD'))?.secret, 'changed');
      assert.equal((await store.listVehicles(owner.id))[0]?.secret, 'changed');
    });

    test('deleting a vehicle removes its messages, history, utilisation and subscriptions', async (t) => {
      const store = await fresh(t);
      const { owner, ref } = await ownerWithVehicle(store, 'pat', 'DOOMED');
      const kept = await ownerWithVehicle(store, 'pat', 'KEPT');
      for (const r of [ref, kept.ref]) {
        await fillVehicleData(store, r);
      }
      assert.equal(await store.deleteVehicle({ ownerId: owner.id, vehicleId: 'doomed' }), true);
      assert.equal(await store.deleteVehicle(ref), false);
      assert.equal(await store.findVehicle('DOOMED'), undefined);

      await store.createVehicle({ ownerId: owner.id, vehicleId: 'DOOMED', secret: 'again' });
      assert.deepEqual(await store.getMessages(ref), []);
      assert.deepEqual(await store.historyRecords(ref, 'T'), []);
      assert.deepEqual(await store.getUtilisation(ref, 90), []);
      assert.deepEqual(await store.listPushSubscriptions(ref), []);
      assert.equal((await store.getVehicle(ref))?.lastUpdate, undefined);

      assert.equal((await store.getMessages(kept.ref)).length, 1);
      assert.equal((await store.historyRecords(kept.ref, 'T')).length, 1);
      assert.equal((await store.getUtilisation(kept.ref, 90))[0]?.appTx, 4);
      assert.equal((await store.listPushSubscriptions(kept.ref)).length, 1);
    });
  });
}
