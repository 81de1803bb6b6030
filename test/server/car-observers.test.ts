import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CarObserver } from '../../src/server/car-message-observers.js';
import { startServer } from '../helpers/harness.js';
import { mqttConnect } from '../helpers/mqtt-client.js';

/** Records what an observer is told, and lets a test await an entry without sleeping. */
class Recorder implements CarObserver {
  readonly seen: string[] = [];
  private waiters: (() => void)[] = [];

  private push(entry: string): void {
    this.seen.push(entry);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  message(m: Parameters<NonNullable<CarObserver['message']>>[0]): void {
    this.push(`${m.transport} ${m.ref.vehicleId} ${m.code}${m.payload.toString('latin1')}`);
  }

  carUp(car: Parameters<NonNullable<CarObserver['carUp']>>[0]): void {
    this.push(`${car.transport} ${car.ref.vehicleId} up ${car.ownerName} ${car.key}`);
  }

  carDown(car: Parameters<NonNullable<CarObserver['carDown']>>[0]): void {
    this.push(`${car.transport} ${car.ref.vehicleId} down`);
  }

  async until(entry: string): Promise<void> {
    while (!this.seen.includes(entry)) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

test('one registry of car observers: v2 and v3 cars, messages and alerts, never paranoid; an observer may leave out the cars the v3 bridge attached', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  const v2 = await h.addVehicle('OBSV2', 'v2-secret-1');
  await h.addVehicle('OBSV3', 'v3-secret-1');
  await h.server.bridge!.ready;
  const all = new Recorder();
  const v2Only = new Recorder();
  const messages: string[] = [];
  const hub = h.server.hub;
  t.after(hub.carMessages.add(all));
  t.after(hub.carMessages.add(v2Only, { bridged: false }));
  // A function observes messages only (as ABRP does).
  t.after(hub.carMessages.add((m) => messages.push(`${m.ref.vehicleId} ${m.code}`)));

  const car = await h.connect('C', 'OBSV2', 'v2-secret-1');
  const key = `${v2.ownerId}/OBSV2`;
  await all.until(`tcp OBSV2 up owner ${key}`);
  car.send('S', '55,K,0,0,charging');
  car.send('E', 'TParanoidToken123456789');
  car.send('E', 'MSopaque-encrypted-status');
  car.send('P', 'AHello');
  car.send('D', '1,2,3,4,5,6,7,8,9,10,11');
  await all.until('tcp OBSV2 D1,2,3,4,5,6,7,8,9,10,11');
  await car.close();
  await all.until('tcp OBSV2 down');

  const module = await mqttConnect(`mqtt://127.0.0.1:${h.server.ports.mqtt}`, {
    username: 'OBSV3',
    password: 'v3-secret-1',
    clientId: 'OBSV3',
    will: {
      topic: 'ovms/owner/OBSV3/metric/s/v3/connected',
      payload: Buffer.from('no'),
      qos: 0,
      retain: true,
    },
  });
  await module.publishAsync('ovms/owner/OBSV3/metric/v/b/soc', '66', { retain: true });
  await module.publishAsync('ovms/owner/OBSV3/metric/s/v3/connected', 'yes', { retain: true });
  await all.until(`mqtt OBSV3 up owner ${v2.ownerId}/OBSV3`);
  await module.publishAsync('ovms/owner/OBSV3/notify/alert/test', 'from v3', { qos: 1 });
  await all.until('mqtt OBSV3 PAfrom v3');
  module.stream.destroy();
  await all.until('mqtt OBSV3 down');

  const v2Entries = [
    `tcp OBSV2 up owner ${key}`,
    'tcp OBSV2 S55,K,0,0,charging',
    'tcp OBSV2 PAHello',
    'tcp OBSV2 D1,2,3,4,5,6,7,8,9,10,11',
    'tcp OBSV2 down',
  ];
  assert.deepEqual(v2Only.seen, v2Entries, 'the bridged car is not reported to this observer');
  assert.deepEqual(all.seen.slice(0, v2Entries.length), v2Entries);
  assert.ok(
    all.seen.some((e) => e.startsWith('mqtt OBSV3 S66.0,')),
    'the v3 car is a car like any other',
  );
  assert.ok(!all.seen.some((e) => e.includes('opaque') || e.includes('ParanoidToken')));
  assert.deepEqual(messages.slice(0, 3), ['OBSV2 S', 'OBSV2 P', 'OBSV2 D']);
});
