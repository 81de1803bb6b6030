import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Owner, Store, StoredMessage, VehicleRef } from '../../../src/store/store.js';

/** Makes an empty store of the back-end under test; `cleanup` releases it (closing it if still open). */
export type StoreFactory = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

/** A fresh, migrated store for one test, released when that test ends. */
export type FreshStore = (t: TestContext) => Promise<Store>;

export function freshStoreFrom(factory: StoreFactory): FreshStore {
  return async (t) => {
    const { store, cleanup } = await factory();
    t.after(cleanup);
    await store.migrate();
    return store;
  };
}

/** A whole second: back-ends keep message and history times to the second. */
export const T0 = new Date('2024-05-01T12:00:00Z');

export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

export function message(code: string, payload: string | Buffer, time = T0): StoredMessage {
  return { code, payload: Buffer.from(payload), time, paranoid: false, ptoken: '' };
}

export function paranoidMessage(code: string, payload: string, ptoken: string, time = T0): StoredMessage {
  return { code, payload: Buffer.from(payload), time, paranoid: true, ptoken };
}

export async function ownerWithVehicle(
  store: Store,
  ownerName = 'alice',
  vehicleId = 'DEMO1',
): Promise<{ owner: Owner; ref: VehicleRef }> {
  const owner =
    (await store.getOwnerByName(ownerName)) ??
    (await store.createOwner({ name: ownerName, passwordHash: 'h' }));
  await store.createVehicle({ ownerId: owner.id, vehicleId, secret: `secret-of-${vehicleId}` });
  return { owner, ref: { ownerId: owner.id, vehicleId } };
}

/** Asserts a date lies within a few seconds of now (for defaults like createdAt). */
export function assertRecent(date: Date | undefined, what: string): void {
  assert.ok(date instanceof Date, `${what} is a Date`);
  assert.ok(Math.abs(date.getTime() - Date.now()) < 10_000, `${what} (${date.toISOString()}) is about now`);
}

/** Matches a StoreConflictError (by name and code, so a back-end's own subclass also passes). */
export function conflictNaming(fragment: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof Error, 'an Error');
    assert.equal(error.name, 'StoreConflictError');
    assert.equal((error as { code?: string }).code, 'OVMS_ERR_STORE_CONFLICT');
    assert.ok(error.message.includes(fragment), `"${error.message}" names ${fragment}`);
    return true;
  };
}
