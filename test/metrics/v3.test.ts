import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { connackCode, mqttConnect } from '../helpers/mqtt-client.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';

test('a v3 module on the embedded broker is a car over mqtt and a broker client, its login counted; the MQTT listener state is shown', async (t) => {
  const h = await startServer(t, { metrics: true, mqtt: { mqtt: 0 } });
  await h.addVehicle('V3CAR', 'v3-secret');
  await h.server.bridge!.ready;
  const app = await h.connect('A', 'V3CAR', 'v3-secret');
  assert.equal(await app.nextOf('Z'), 'Z0');
  const prefix = 'ovms/owner/V3CAR/';
  const module = await mqttConnect(`mqtt://127.0.0.1:${h.server.ports.mqtt}`, {
    username: 'V3CAR',
    password: 'v3-secret',
    clientId: 'V3CAR',
  });
  t.after(() => module.endAsync(true));
  const url = `mqtt://127.0.0.1:${h.server.ports.mqtt}`;
  assert.equal(await connackCode(url, { username: 'V3CAR', password: 'wrong', clientId: 'V3X' }), 4);
  await module.publishAsync(`${prefix}metric/s/v3/connected`, 'yes', { retain: true });
  while ((await app.nextOf('Z')) !== 'Z1');
  const metrics = parsePrometheusText(
    await (await fetch(`http://127.0.0.1:${h.server.ports.metrics}/metrics`)).text(),
  );
  assert.equal(sampleValue(metrics, 'ovms_connections', { kind: 'car', transport: 'mqtt' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_connections', { kind: 'app', transport: 'tcp' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_connections', { kind: 'mqtt', transport: 'mqtt' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_listener_state', { listener: 'mqtt', state: 'listening' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_logins_total', { result: 'ok', kind: 'mqtt' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_logins_total', { result: 'refused', kind: 'mqtt' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_logins_total', { result: 'ok', kind: 'app' }), 1);
});
