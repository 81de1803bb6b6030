import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverVersion } from '../../src/server/ovms-server.js';
import { startServer } from '../helpers/harness.js';

const S =
  '80.5,K,230,16.00,charging,standard,280,250,16,3600,0,52,0,1,0,0,0,0,160.00,120,90,0,80,-1,0,0,0,90,120,310,0,3.50,390.50,98.00,3.70,94.00,-9.00,12.0,7.5,1234.5,60.0,-1';
const D = '96,8,4,25,30,22,123,456789,0,3600,18,1,1,1,12.60,0,12.40,0,24,1.5,21';
const F =
  '3.3.005-45-gabcdef0/ota_0/main (build idf v5.0.7 Jan  1 2026 00:00:00),5YJRE1A31A1P01234,22,0,TR,Example Net,-1,-1,OVMS WIFI BLE BT cores=2 rev 3.3,LTE;Online';
const L = '51.503364,-0.119519,270,15,1,1,0.0,123,0,0.000,1.234,0.321,0,0,AA,9,1.1,0.0,85';

test('Z counts: apps are counted for the car, batch clients are not; apps learn when the car comes and goes', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const app1 = await h.connect('A', 'DEMO1', 's1');
  assert.equal(await app1.next(), 'Z0');
  assert.match(await app1.next(), /^T\d+$/);
  const car = await h.connect('C', 'DEMO1', 's1');
  assert.equal(await car.next(), 'Z1');
  assert.equal(await app1.next(), 'Z1');
  const app2 = await h.connect('A', 'DEMO1', 's1');
  assert.equal(await app2.next(), 'Z1');
  assert.match(await app2.next(), /^T\d+$/);
  assert.equal(await car.next(), 'Z2');
  const batch = await h.connect('B', 'DEMO1', 's1');
  assert.equal(await batch.next(), 'Z1');
  assert.match(await batch.next(), /^T\d+$/);
  await app2.close();
  assert.equal(await car.next(), 'Z1');
  await car.close();
  assert.equal(await app1.next(), 'Z0');
  assert.equal(await batch.next(), 'Z0');
  assert.deepEqual(car.pending(), []);
});

test('car messages are stored and relayed with T0; F is followed by f<version>', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  assert.equal(await app.next(), 'Z1');
  assert.match(await app.next(), /^T\d+$/);
  car.send('S', S);
  assert.equal(await app.next(), `S${S}`);
  assert.equal(await app.next(), 'T0');
  car.send('F', F);
  assert.equal(await app.next(), `F${F}`);
  assert.equal(await app.next(), `f${serverVersion()}`);
  assert.equal(await app.next(), 'T0');
});

test('app login replays the stored messages: F, S, then the rest by code, then T<age>', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const watcher = await h.connect('B', 'DEMO1', 's1');
  await watcher.next();
  await watcher.nextOf('T');
  for (const [code, payload] of [
    ['W', '29,20,29,20,29,20,29,20,0'],
    ['L', L],
    ['D', D],
    ['S', S],
    ['F', F],
    ['Y', '4,FL,FR,RL,RR,4,230.0,231.0,229.5,230.2,1,0,-1,0,-1,0,-1,0,-1'],
  ] as const) {
    car.send(code, payload);
    await watcher.nextOf('T');
  }
  const app = await h.connect('A', 'DEMO1', 's1');
  const got = [];
  for (let i = 0; i < 8; i++) got.push(await app.next());
  assert.deepEqual(
    got.map((m) => m.slice(0, 1)),
    ['Z', 'F', 'S', 'D', 'L', 'W', 'Y', 'T'],
  );
  assert.equal(got[0], 'Z1');
  assert.equal(got[1], `F${F}`);
  assert.equal(got[2], `S${S}`);
  assert.match(got[7]!, /^T\d+$/);
});

test('replayed messages come before live ones, even when the car is busy', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  car.send('S', S);
  const batch = await h.connect('B', 'DEMO1', 's1');
  await batch.nextOf('S');
  const app = h.client('A', 'DEMO1', 's1');
  const login = app.client.connect();
  for (let i = 0; i < 20; i++) car.send('D', `${i},${D.slice(D.indexOf(',') + 1)}`);
  await login;
  assert.equal(await app.next(), 'Z1');
  assert.equal(await app.next(), `S${S}`);
  const replayEnd = await app.nextMessage();
  // The replay may already hold a D if one was stored before the login read the store.
  const rest = [replayEnd.code + replayEnd.text];
  while (!rest[rest.length - 1]!.startsWith('T')) rest.push(await app.next());
  assert.ok(rest.every((m) => m.startsWith('D') || m.startsWith('T')));
});

test('a second car login closes the first', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  await app.next();
  assert.match(await app.next(), /^T\d+$/);
  const first = await h.connect('C', 'DEMO1', 's1');
  assert.equal(await app.next(), 'Z1');
  const second = await h.connect('C', 'DEMO1', 's1');
  await first.closedByServer();
  assert.equal(await second.next(), 'Z1');
  second.send('S', S);
  assert.equal(await app.nextOf('S'), `S${S}`);
  // The first car leaving must not tell the apps the car went away.
  assert.ok(!app.pending().includes('Z0'));
  assert.ok(h.logs.some((l) => l.includes('duplicate car login')));
});

test('pings are answered with a, from cars and apps', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  car.send('A');
  assert.equal(await car.next(), 'a');
  const app = await h.connect('A', 'DEMO1', 's1');
  await app.nextOf('Z');
  app.send('A');
  assert.equal(await app.nextOf('a'), 'a');
});

test('alerts: P from the car reaches apps and the notifier, not stored; P from an app is ignored', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  await app.next();
  assert.match(await app.next(), /^T\d+$/);
  car.send('P', 'AVehicle is now charging');
  assert.equal(await app.next(), 'PAVehicle is now charging');
  const [alert] = await h.notifier.waitFor(1);
  assert.deepEqual(
    { type: alert!.type, text: alert!.text, vehicleId: alert!.vehicleId },
    { type: 'A', text: 'Vehicle is now charging', vehicleId: 'DEMO1' },
  );
  app.send('P', 'Aspam');
  car.send('S', S);
  assert.equal(await app.next(), `S${S}`);
  assert.equal(h.notifier.alerts.length, 1);
  assert.ok(
    (await h.store.getMessages({ ownerId: h.owner.id, vehicleId: 'DEMO1' })).every((m) => m.code !== 'P'),
  );
  const batch = await h.connect('B', 'DEMO1', 's1');
  batch.send('P', 'Inotify tool text');
  assert.equal(await app.nextOf('P'), 'PInotify tool text');
});

test('messages a client may not send are ignored and logged; other app messages go to the car', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  await app.next();
  assert.match(await app.next(), /^T\d+$/);
  car.send('C', '7,stat');
  app.send('c', '7,0,fake');
  app.send('E', 'Tforged');
  app.send('Q', 'custom');
  assert.equal(await car.nextOf('Q'), 'Qcustom');
  assert.ok(h.logs.some((l) => l.includes('commands from a car are not relayed')));
  assert.ok(h.logs.some((l) => l.includes('only cars send this')));
  assert.ok(h.logs.some((l) => l.includes('paranoid tokens come from the car')));
  assert.deepEqual(app.pending(), []);
});

test('the WebSocket transport carries one line per frame', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1', { transport: 'ws' });
  const app = await h.connect('A', 'DEMO1', 's1', { transport: 'ws' });
  assert.equal(await app.next(), 'Z1');
  assert.match(await app.next(), /^T\d+$/);
  car.send('S', S);
  assert.equal(await app.next(), `S${S}`);
  assert.equal(await car.nextOf('Z'), 'Z0');
});

test('an undecodable line closes the connection; the car may reconnect', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  // Write a line that is not valid for this session's cipher, under the client's feet.
  (car.client as unknown as { transport: { send(b: Buffer): void } }).transport.send(
    Buffer.from('bm90IGFuIE9WTVMgbGluZQ==\r\n'),
  );
  await car.closedByServer();
  assert.ok(h.logs.some((l) => l.includes('undecodable line')));
  const again = await h.connect('C', 'DEMO1', 's1');
  assert.equal(await again.next(), 'Z0');
});

test('watchers (HTTP live streams) see relayed messages and the car coming, without counting as apps', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const seen: string[] = [];
  const stop = await h.server.hub.watch(v, (l) => seen.push(l.code + l.payload.toString()));
  const car = await h.connect('C', 'DEMO1', 's1');
  assert.equal(await car.next(), 'Z0');
  car.send('S', '42,K');
  car.send('A');
  await car.nextOf('a');
  await stop();
  car.send('S', '43,K');
  car.send('A');
  await car.nextOf('a');
  // Z1: the car connected (what apps are told), then its messages.
  assert.deepEqual(seen, ['Z1', 'S42,K', 'T0']);
});
