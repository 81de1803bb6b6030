import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCar } from '../../src/cli/car/simulator.js';
import { StatusView } from '../../src/http/schemas.js';
import { startServer } from '../helpers/harness.js';
import { Api, assertJson } from './api-client.js';

test('end to end with the simulated car: PUT /api/lock locks it and /api/status shows the new D', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('SIM1', 's1');
  const app = await h.connect('A', 'SIM1', 's1');
  const car = startCar({
    client: { host: '127.0.0.1', port: h.port, vehicleId: 'SIM1', secret: 's1' },
    pin: '4321',
    seed: 1,
  });
  t.after(() => car.stop());
  await car.ready;
  await app.nextOf('D');
  const api = new Api(h);
  const before = assertJson(await api.withPassword('GET', '/api/status/SIM1'), 200, StatusView) as Record<
    string,
    unknown
  >;
  assert.equal(before.carlocked, 0, 'the simulated car starts unlocked');
  assert.equal(typeof before.soc, 'string');

  const wrong = await api.withPassword('PUT', '/api/lock/SIM1', { form: { pin: '1111' } });
  assert.equal(wrong.status, 502);

  const locked = await api.withPassword('PUT', '/api/lock/SIM1', { form: { pin: '4321' } });
  const reply = assertJson(locked, 200) as { command: number; result: number };
  assert.equal(reply.command, 20);
  assert.equal(reply.result, 0);
  // The car reports its new state with a D; the API shows it.
  for (;;) {
    const d = await app.nextOf('D');
    if ((Number(d.slice(1).split(',')[1]) & 8) !== 0) break;
  }
  const after = assertJson(await api.withPassword('GET', '/api/status/SIM1'), 200, StatusView) as Record<
    string,
    unknown
  >;
  assert.equal(after.carlocked, 8);
  const lock = assertJson(await api.withPassword('GET', '/api/lock/SIM1'), 200) as Record<string, unknown>;
  assert.equal(lock.carlocked, 8);

  const unlocked = await api.withPassword('DELETE', '/api/lock/SIM1', { form: { pin: '4321' } });
  assert.equal(unlocked.status, 200, unlocked.text);
});
