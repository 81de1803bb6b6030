import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { mqttConnect } from '../helpers/mqtt-client.js';

test('the bridge runs over the embedded broker: a module logged in by vehicle id and secret is a car to a v2 app', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  assert.ok(h.server.bridge, 'the bridge uses the embedded broker');
  await h.server.bridge.ready;
  const app = await h.connect('A', 'CAR1', 'car1-secret');
  assert.equal(await app.nextOf('Z'), 'Z0');
  const prefix = 'ovms/owner/CAR1/';
  const module = await mqttConnect(`mqtt://127.0.0.1:${h.server.ports.mqtt}`, {
    username: 'CAR1',
    password: 'car1-secret',
    clientId: 'CAR1',
    clean: false,
    will: { topic: `${prefix}metric/s/v3/connected`, payload: Buffer.from('no'), qos: 0, retain: true },
  });
  await module.subscribeAsync(`${prefix}client/+/command/+`, { qos: 1 });
  await module.publishAsync(`${prefix}metric/v/b/soc`, '77.5', { retain: true });
  await module.publishAsync(`${prefix}metric/s/v3/connected`, 'yes', { retain: true });
  while ((await app.nextOf('Z')) !== 'Z1');
  assert.equal((await app.nextOf('S')).slice(1).split(',')[0], '77.5');
  // An abrupt close (the firmware never sends DISCONNECT): the will takes the car offline.
  module.stream.destroy();
  while ((await app.nextOf('Z')) !== 'Z0');
});
