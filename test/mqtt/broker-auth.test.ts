import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addApiToken } from '../helpers/api-tokens.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { connackCode, mqttConnect } from '../helpers/mqtt-client.js';

const url = (h: Harness) => `mqtt://127.0.0.1:${h.server.ports.mqtt}`;

test('embedded broker logins: owner password, token with the mqtt right, vehicle id + secret; bad credentials get a final code', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  const good = await addApiToken(h, 'mqtt', 'token-with-the-mqtt-right');
  const readOnly = await addApiToken(h, 'vehicle.read', 'token-without-the-mqtt-right');

  // The firmware's defaults: server.v3 user = the owner, password server.v3 = the owner's password.
  assert.equal(
    await connackCode(url(h), { username: 'owner', password: 'owner-password', clientId: 'a' }),
    0,
  );
  assert.equal(await connackCode(url(h), { username: 'owner', password: good, clientId: 'b' }), 0);
  // The Python server's convention: user name = vehicle id, password = the vehicle's secret.
  assert.equal(await connackCode(url(h), { username: 'CAR1', password: 'car1-secret', clientId: 'CAR1' }), 0);

  // 4 (bad user name or password) and 5 (not authorised) are final for the firmware.
  assert.equal(
    await connackCode(url(h), { username: 'owner', password: 'wrong-password', clientId: 'c' }),
    4,
  );
  assert.equal(
    await connackCode(url(h), { username: 'nobody', password: 'owner-password', clientId: 'd' }),
    4,
  );
  assert.equal(await connackCode(url(h), { username: 'CAR1', password: 'wrong-secret', clientId: 'e' }), 4);
  assert.equal(await connackCode(url(h), { username: 'owner', password: readOnly, clientId: 'f' }), 5);
  // Firmware up to 3.3.005 sends an empty user name and password when none is configured.
  assert.equal(await connackCode(url(h), { username: '', password: '', clientId: 'g' }), 4);
  assert.equal(await connackCode(url(h), { clientId: 'h' }), 4);
  assert.ok(
    h.logs.some((l) => l.includes('MQTT login refused') && l.includes('does not hold the mqtt right')),
  );
});

test('embedded broker: failed MQTT logins count in the per-account throttle, which answers "server unavailable" (retry)', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 }, settings: { 'limits.account_failures': 2 } });
  for (let i = 0; i < 2; i++)
    assert.equal(
      await connackCode(url(h), { username: 'owner', password: `guess-${i}-xyz`, clientId: 'x' }),
      4,
    );
  // The third try comes too early: refused unchecked, with 3 so a real module retries later.
  assert.equal(
    await connackCode(url(h), { username: 'owner', password: 'owner-password', clientId: 'x' }),
    3,
  );
  assert.ok(h.logs.some((l) => l.includes('login throttled')));
});

test('embedded broker: a database error answers "server unavailable" (3), so modules retry', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  const store = h.store as unknown as { findVehicle(): Promise<unknown>; getOwnerByName(): Promise<unknown> };
  const down = () => Promise.reject(new Error('database unreachable'));
  store.findVehicle = down;
  store.getOwnerByName = down;
  assert.equal(await connackCode(url(h), { username: 'CAR1', password: 'car1-secret', clientId: 'CAR1' }), 3);
  assert.equal(
    await connackCode(url(h), { username: 'owner', password: 'owner-password', clientId: 'x' }),
    3,
  );
  assert.ok(h.logs.some((l) => l.includes('login not checked: database unreachable')));
});

test('embedded broker: an owner name holding "+" or "#" cannot log in (it could not be a topic level)', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addOwner('al+ce', 'wildcard-password');
  await h.addOwner('b#b', 'wildcard-password');
  assert.equal(
    await connackCode(url(h), { username: 'al+ce', password: 'wildcard-password', clientId: 'w' }),
    5,
  );
  assert.equal(
    await connackCode(url(h), { username: 'b#b', password: 'wildcard-password', clientId: 'w' }),
    5,
  );
  const ok = await mqttConnect(url(h), { username: 'owner', password: 'owner-password', clientId: 'ok' });
  await ok.endAsync();
});
