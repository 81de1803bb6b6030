import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pino from 'pino';
import {
  type DeliveryOutcome,
  PushDispatcher,
  type PushDispatcherOptions,
} from '../../src/push/dispatcher.js';
import type { PushChannel } from '../../src/push/types.js';
import { loadVece } from '../../src/push/vece.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store, VehicleRef } from '../../src/store/store.js';

export const silent = pino({ level: 'silent' });

export async function pushStore(
  t: TestContext,
  path = join(mkdtempSync(join(tmpdir(), 'ovms-push-')), 'db'),
) {
  const store = await openSqliteStore({ path });
  await store.migrate();
  t.after(() => store.close());
  return { store, path };
}

export async function vehicleWith(
  store: Store,
  subs: { appId: string; pushType: string; key: string; keyType?: string }[],
) {
  const owner =
    (await store.getOwnerByName('alice')) ?? (await store.createOwner({ name: 'alice', passwordHash: 'h' }));
  const ref: VehicleRef = { ownerId: owner.id, vehicleId: 'CAR1' };
  if (!(await store.getVehicle(ref))) await store.createVehicle({ ...ref, secret: 's' });
  for (const s of subs) {
    await store.upsertPushSubscription({
      ...ref,
      appId: s.appId,
      pushType: s.pushType,
      pushKeyType: s.keyType ?? 'production',
      pushKeyValue: s.key,
    });
  }
  return ref;
}

export function dispatcher(
  t: TestContext,
  store: Store,
  channels: PushChannel[],
  extra: Partial<PushDispatcherOptions> = {},
) {
  const d = new PushDispatcher({
    store,
    log: silent,
    channels,
    vece: loadVece(),
    throttleMs: 0,
    maxAttempts: 3,
    retryBaseMs: 10,
    retryMaxMs: 50,
    suppressDebug: true,
    pollMs: 20,
    ...extra,
  });
  const outcomes: DeliveryOutcome[] = [];
  d.on('outcome', (o: DeliveryOutcome) => outcomes.push(o));
  d.start();
  t.after(() => d.close());
  return { d, outcomes };
}

/** Polls until `check` is true, failing after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function alert(ref: VehicleRef, type: string, text: string) {
  return { ...ref, ownerName: 'alice', type, text, time: new Date('2024-05-01T12:00:00Z') };
}
