import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { startServer } from '../helpers/harness.js';
import { Api, assertJson } from './api-client.js';

test('account routes: who am I, change password, add a vehicle', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('CAR1', 's1');
  const api = new Api(h);
  const cookie = await api.login();

  const me = assertJson(await api.call('GET', '/api/account', { cookie }), 200) as Record<string, unknown>;
  assert.deepEqual(me, { owner: 'owner', admin: false, vehicles: [{ id: 'CAR1', age_s: -1 }] });

  // Password: the current one is checked, the new one must be 8+ characters.
  const wrong = await api.call('PUT', '/api/account/password', {
    cookie,
    body: { current: 'nope', password: 'new-password' },
  });
  assert.equal(wrong.status, 403);
  const short = await api.call('PUT', '/api/account/password', {
    cookie,
    body: { current: 'owner-password', password: 'short' },
  });
  assert.equal(short.status, 400);
  const changed = await api.call('PUT', '/api/account/password', {
    cookie,
    form: { current: 'owner-password', password: 'new-password' },
  });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await api.withPassword('GET', '/api/vehicles')).status, 401, 'the old password is gone');
  const fresh = new Api(h, { username: 'owner', password: 'new-password' });
  assert.equal((await fresh.withPassword('GET', '/api/vehicles')).status, 200);

  // A read-only token may not change the password or add vehicles.
  const token = assertJson(
    await fresh.withPassword('POST', '/api/token', { body: { permit: 'auth' } }),
    201,
  ) as {
    token: string;
  };
  const bearer = { authorization: `Bearer ${token.token}` };
  const refused = await api.call('POST', '/api/vehicles', {
    headers: bearer,
    body: { vehicleid: 'X', secret: 'x' },
  });
  assert.equal(refused.status, 403);

  // Add a vehicle: id upper-cased, checked, unique across owners; the secret as the car needs it.
  const made = await fresh.withPassword('POST', '/api/vehicles', {
    body: { vehicleid: 'my-car.2', secret: 'sekrit' },
  });
  assert.deepEqual(assertJson(made, 201), { vehicleid: 'MY-CAR.2', owner: 'owner' });
  assert.equal((await h.store.findVehicle('MY-CAR.2'))?.secret, 'sekrit');
  const taken = await fresh.withPassword('POST', '/api/vehicles', {
    body: { vehicleid: 'car1', secret: 'x' },
  });
  assert.equal(taken.status, 409);
  const badId = await fresh.withPassword('POST', '/api/vehicles', {
    body: { vehicleid: 'a b', secret: 'x' },
  });
  assert.equal(badId.status, 400);
  const longSecret = await fresh.withPassword('POST', '/api/vehicles', {
    body: { vehicleid: 'CAR3', secret: 'x'.repeat(65) },
  });
  assert.equal(longSecret.status, 400);
  assert.match(longSecret.text, /64 bytes/);
});

test('push subscriptions: list (key shortened) and remove, only for your own vehicles', async (t) => {
  const h = await startServer(t);
  const car = await h.addVehicle('CAR1', 's1');
  const other = await h.addOwner('other');
  await h.addVehicle('CAR2', 's2', other);
  await h.store.upsertPushSubscription({
    ownerId: car.ownerId,
    vehicleId: 'CAR1',
    appId: 'phone-1',
    pushType: 'apns',
    pushKeyType: 'production',
    pushKeyValue: 'abcdef0123456789abcdef0123456789',
  });
  const api = new Api(h);
  const list = assertJson(await api.withPassword('GET', '/api/push/CAR1'), 200) as Record<string, string>[];
  assert.equal(list.length, 1);
  assert.equal(list[0]!.appid, 'phone-1');
  assert.equal(list[0]!.pushkey, 'abcdef012345…');
  assert.equal((await api.withPassword('GET', '/api/push/CAR2')).status, 403);
  assert.equal((await api.withPassword('DELETE', '/api/push/CAR1/nope')).status, 404);
  assert.equal((await api.withPassword('DELETE', '/api/push/CAR1/phone-1')).status, 200);
  assert.deepEqual(assertJson(await api.withPassword('GET', '/api/push/CAR1'), 200), []);
});

test('GET /api/admin/overview: owners, vehicles and connections, for admins only', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('CAR1', 's1');
  await h.store.createOwner({ name: 'root', passwordHash: await hashPassword('root-password'), admin: true });
  const car = await h.connect('C', 'CAR1', 's1');
  assert.ok(car);
  assert.equal((await new Api(h).withPassword('GET', '/api/admin/overview')).status, 403);
  const admin = new Api(h, { username: 'root', password: 'root-password' });
  const o = assertJson(await admin.withPassword('GET', '/api/admin/overview'), 200) as {
    server: { cars: number };
    owners: { name: string; admin: boolean; vehicles: number }[];
    vehicles: { id: string; owner: string; v_net_connected: number }[];
  };
  assert.equal(o.server.cars, 1);
  assert.deepEqual(
    o.owners.map((w) => [w.name, w.admin, w.vehicles]),
    [
      ['owner', false, 1],
      ['root', true, 0],
    ],
  );
  assert.deepEqual(o.vehicles, [
    {
      id: 'CAR1',
      owner: 'owner',
      v_net_connected: 1,
      v_apps_connected: 0,
      v_btcs_connected: 0,
      v_car_protocol: 'v2',
      history_refused: 0,
    },
  ]);
});

test('GET / serves the dashboard with the map tile setting; assets are immutable; no path escapes', async (t) => {
  const h = await startServer(t, { settings: { 'http.map_tiles': 'https://tiles.example/{z}/{x}/{y}.png' } });
  const api = new Api(h);
  const index = await api.call('GET', '/');
  assert.equal(index.status, 200);
  if (!index.headers.get('content-type')?.includes('text/html')) return; // dashboard not built
  assert.match(index.text, /tiles\.example\/\{z\}/);
  const asset = /assets\/[^"]+\.js/.exec(index.text)?.[0];
  assert.ok(asset);
  const js = await api.call('GET', `/${asset}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await api.call('GET', '/assets/..%2F..%2Fpackage.json')).status, 404);
  assert.equal((await api.call('GET', '/assets/nope.js')).status, 404);
});
