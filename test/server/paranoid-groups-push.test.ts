import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { startServer } from '../helpers/harness.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8'));
const truncatedS = vectors.paranoid.messages[0].v3_firmware_actually_sends.slice(5); // "EMS..."

test('paranoid messages are stored and replayed opaquely, ET once before the first', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const live = await h.connect('A', 'DEMO1', 's1');
  car.send('E', 'TParanoidToken123456789');
  assert.equal(await live.nextOf('E'), 'ETParanoidToken123456789');
  car.send('E', truncatedS.slice(1));
  assert.equal(await live.nextOf('E'), truncatedS);
  assert.equal(await live.next(), 'T0');
  car.send('D', '1,2,3');
  await live.nextOf('T');

  const app = await h.connect('A', 'DEMO1', 's1');
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await app.next());
  // S comes right after F in the replay order, paranoid or not.
  assert.deepEqual(got.slice(0, 4), ['Z1', 'ETParanoidToken123456789', truncatedS, 'D1,2,3']);
  assert.match(got[4]!, /^T\d+$/);
  const stored = await h.store.getMessages(v);
  assert.ok(stored.some((m) => m.paranoid && m.code === 'S'));
});

test('a new paranoid token invalidates messages stored under the old one', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const watch = await h.connect('B', 'DEMO1', 's1');
  await watch.nextOf('T'); // the login replay ends with T
  car.send('E', 'Ttoken-one');
  car.send('E', 'MSold-encrypted');
  await watch.nextOf('T');
  car.send('E', 'Ttoken-two');
  car.send('E', 'MDnew-encrypted');
  await watch.nextOf('T');
  const app = await h.connect('A', 'DEMO1', 's1');
  const got = [];
  for (let i = 0; i < 4; i++) got.push(await app.next());
  assert.deepEqual(got.slice(0, 3), ['Z1', 'ETtoken-two', 'EMDnew-encrypted']);
});

test('paranoid commands are queued and relayed unchanged', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const other = await h.connect('A', 'DEMO1', 's1');
  app.send('E', 'MCeSPVh149');
  assert.equal(await car.nextOf('E'), 'EMCeSPVh149');
  car.send('E', 'McREPLY');
  assert.equal(await app.nextOf('E'), 'EMcREPLY');
  car.send('S', '1');
  await other.nextOf('S');
  assert.ok(!other.pending().includes('EMcREPLY'));
});

test('groups: subscribed apps see member cars, new subscribers get the current state, leaving cars drop out', async (t) => {
  const h = await startServer(t);
  const bob = await h.addOwner('bob');
  await h.addVehicle('CAR1', 's1');
  await h.addVehicle('CAR2', 's2', bob);
  const app = await h.connect('A', 'CAR1', 's1');
  app.send('G', 'club');
  const car2 = await h.connect('C', 'CAR2', 's2');
  car2.send('g', 'Club,51.5,-0.1,1,2,3');
  assert.equal(await app.nextOf('g'), 'gCAR2,CLUB,51.5,-0.1,1,2,3');
  const late = await h.connect('A', 'CAR1', 's1');
  late.send('G', 'CLUB');
  assert.equal(await late.nextOf('g'), 'gCAR2,CLUB,51.5,-0.1,1,2,3');
  await car2.close();
  const again = await h.connect('A', 'CAR1', 's1');
  again.send('G', 'CLUB');
  again.send('A');
  assert.equal(await again.nextOf('a'), 'a');
  assert.ok(!again.pending().some((m) => m.startsWith('g')));
});

test('push subscriptions: vehicle form with a password containing commas, wrong password, simple form', async (t) => {
  const h = await startServer(t);
  const v1 = await h.addVehicle('CAR1', 'pa,ss,word');
  const v2 = await h.addVehicle('CAR2', 'other');
  const bob = await h.addOwner('bob');
  await h.addVehicle('BOBCAR', 'bobs', bob);
  const app = await h.connect('A', 'CAR1', 'pa,ss,word');
  app.send('p', 'app-uuid-1,gcm,production,car1,pa,ss,word,fcmTokenABC');
  app.send('p', 'app-uuid-2,apns,sandbox,CAR2,other,apnsToken');
  app.send('p', 'app-uuid-3,gcm,production,CAR2,wrong,tokenX');
  app.send('p', 'app-uuid-4,gcm,production,BOBCAR,bobs,tokenY');
  app.send('p', 'expo-1,expo,simple,ExponentPushToken[xyz]');
  app.send('A');
  await app.nextOf('a');
  // `p` gets no answer: on a network database its write may still be in flight when `a` arrives.
  const subs1 = await eventually(
    () => h.store.listPushSubscriptions(v1),
    (subs) => subs.length === 2,
  );
  assert.deepEqual(subs1.map((s) => [s.appId, s.pushType, s.pushKeyType, s.pushKeyValue]).sort(), [
    ['app-uuid-1', 'gcm', 'production', 'fcmTokenABC'],
    ['expo-1', 'expo', 'simple', 'ExponentPushToken[xyz]'],
  ]);
  const subs2 = await eventually(
    () => h.store.listPushSubscriptions(v2),
    (subs) => subs.length === 1,
  );
  // APNs is always production, as in the reference; the wrong password is refused.
  assert.deepEqual(
    subs2.map((s) => [s.appId, s.pushKeyType]),
    [['app-uuid-2', 'production']],
  );
  assert.deepEqual(await h.store.listPushSubscriptions({ ownerId: bob.id, vehicleId: 'BOBCAR' }), []);
  app.send('p', 'app-uuid-1,gcm,production,CAR1,pa,ss,word,newToken');
  app.send('A');
  await app.nextOf('a');
  const updated = await eventually(
    () => h.store.listPushSubscriptions(v1),
    (subs) => subs.some((sub) => sub.pushKeyValue === 'newToken'),
  );
  assert.equal(updated.find((s) => s.appId === 'app-uuid-1')?.pushKeyValue, 'newToken');
  assert.equal(updated.length, 2);
});

test("an app's messages take effect in order: the later of two subscriptions wins", async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('CAR1', 'pw');
  const app = await h.connect('A', 'CAR1', 'pw');
  for (let i = 1; i <= 5; i++) app.send('p', `same-app,gcm,production,CAR1,pw,token${i}`);
  app.send('A');
  await app.nextOf('a');
  const subs = await h.store.listPushSubscriptions(v);
  assert.deepEqual(
    subs.map((s) => s.pushKeyValue),
    ['token5'],
  );
});
