import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { startV3Car } from '../../src/cli/car/v3-simulator.js';
import { environmentRecord, statusRecord } from '../../src/protocol/messages/index.js';
import { addApiToken } from '../helpers/api-tokens.js';
import { startServer } from '../helpers/harness.js';
import type { TestClient } from '../helpers/test-client.js';
import { clearModuleTraces, MOSQUITTO_URL, uniqueName } from '../helpers/v3-module.js';

/**
 * The simulated v3 module through the bridge (`mqtt.url` = the machine's Mosquitto): a v2 app
 * sees it as a car, with the simulator's SOC and lock state, and locks it.
 */

async function nextD(app: TestClient, test: (d: ReturnType<typeof environmentRecord.decode>) => boolean) {
  for (;;) {
    const d = environmentRecord.decode((await app.nextOf('D')).slice(1));
    if (test(d)) return d;
  }
}

test('a v2 app sees the simulated v3 car (S, D) and locks it: c20 round trip, then D shows it locked', async (t) => {
  // Session expiry 0 ends the server's MQTT session with the test instead of leaving it on the shared
  // Mosquitto for a day; it lifts no limit.
  const h = await startServer(t, {
    settings: { 'mqtt.url': MOSQUITTO_URL, 'server.node_id': uniqueName('node'), 'mqtt.session_expiry': 0 },
  });
  const owner = uniqueName('owner');
  const vehicleId = uniqueName('V');
  await h.addVehicle(vehicleId, 'car-secret-1', await h.addOwner(owner));
  await h.server.bridge!.ready;

  const car = startV3Car({
    url: MOSQUITTO_URL,
    user: owner,
    password: 'owner-password',
    vehicleId,
    pin: '4321',
  });
  t.after(async () => {
    await car.stop();
    await clearModuleTraces(car.prefix, car.publishedMetrics, vehicleId);
  });
  await car.ready;

  const app = await h.connect('A', vehicleId, 'car-secret-1');
  while ((await app.nextOf('Z')) !== 'Z1');
  const s = statusRecord.decode((await app.nextOf('S')).slice(1));
  assert.equal(s.fields.soc, '84.5');
  assert.equal(s.fields.units, 'K');
  assert.equal(s.fields.idealrange, String(Math.round(car.model.idealRangeKm)));
  assert.equal((await nextD(app, () => true)).fields.lockunlock, '5', 'unlocked');

  const wrong = await app.client.command(20, ['1111']);
  assert.equal(wrong.result, 1);
  assert.equal(car.model.state.locked, false);
  const lock = await app.client.command(20, ['4321']);
  assert.deepEqual([lock.command, lock.result], [20, 0]);
  assert.equal(car.model.state.locked, true);
  const locked = await nextD(app, (d) => d.fields.lockunlock === '4');
  assert.equal(Number(locked.fields.doors2) & 0x08, 0x08, 'doors2 bit 3');

  const stat = await app.client.command(7, ['stat']);
  assert.match(stat.lines[0]!.text, /^Not charging\rSOC: 84\.5%/);
});

test('on the embedded broker: the module logs in as the owner with an mqtt token; a wrong password stops it for good', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('SIMV3', 'car-secret-1');
  await h.server.bridge!.ready;
  const url = `mqtt://127.0.0.1:${h.server.ports.mqtt}`;
  const token = await addApiToken(h, 'mqtt', 'simulator-mqtt-token-1');

  const car = startV3Car({ url, user: h.owner.name, password: token, vehicleId: 'simv3' });
  t.after(() => car.stop());
  await car.ready;
  assert.equal(car.prefix, `ovms/${h.owner.name}/SIMV3/`);
  const app = await h.connect('A', 'SIMV3', 'car-secret-1');
  while ((await app.nextOf('Z')) !== 'Z1');
  assert.equal(statusRecord.decode((await app.nextOf('S')).slice(1)).fields.soc, '84.5');

  const refused = startV3Car({ url, user: h.owner.name, password: 'wrong password', vehicleId: 'SIMV3X' });
  t.after(() => refused.stop());
  const fatal = once(refused, 'fatal');
  await assert.rejects(refused.ready, /Bad username or password/i);
  assert.equal(((await fatal)[0] as { code: number }).code, 4);
});
