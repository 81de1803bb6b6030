import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { mqttConnect } from '../helpers/mqtt-client.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

test('a taken MQTT port: one error line naming the setting; v2 and HTTP serve on; /health shows each listener', async (t) => {
  // Another broker (Mosquitto, say) already holds the port.
  const other = net.createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => other.close(() => resolve())));
  const taken = (other.address() as net.AddressInfo).port;

  const h = await startServer(t, { mqtt: { mqtt: taken } });
  const errors = h.logs.filter((l) => l.includes('"level":50'));
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, new RegExp(`port ${taken} is already in use`));
  assert.match(errors[0]!, /mqtt\.port \(--mqtt-port, OVMS_MQTT_PORT\)/);
  assert.equal(h.server.ports.mqtt, 0);

  await h.addVehicle('CAR1', 'car1-secret');
  const car = await h.connect('C', 'CAR1', 'car1-secret');
  await h.connect('A', 'CAR1', 'car1-secret');
  await car.nextOf('Z');
  const res = await fetch(`http://127.0.0.1:${h.httpPort}/health`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; listeners: Record<string, unknown> };
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.listeners, {
    v2: { state: 'listening', port: h.port },
    v2_tls: { state: 'off' },
    http: { state: 'listening', port: h.httpPort },
    https: { state: 'off' },
    mqtt: { state: 'failed', error: (body.listeners.mqtt as { error: string }).error },
    mqtt_tls: { state: 'off' },
    metrics: { state: 'off' },
  });
  assert.match((body.listeners.mqtt as { error: string }).error, /already in use.*mqtt\.port/);
  // The broker still runs in-process for the server's own side.
  assert.ok(h.server.mqtt);
});

test('MQTT over TLS with the tls.cert/tls.key certificate; /health lists the TLS listeners', async (t) => {
  const cert = makeTestCertificate();
  const h = await startServer(t, { tls: cert, mqtt: { mqtt: 0, mqttTls: 0 } });
  assert.ok(h.server.ports.mqttTls > 0);
  const client = await mqttConnect(`mqtts://localhost:${h.server.ports.mqttTls}`, {
    username: 'owner',
    password: 'owner-password',
    clientId: 'tls-client',
    ca: cert.pem,
  });
  const echo = new Promise<string>((resolve) => client.once('message', (_t, p) => resolve(p.toString())));
  await client.subscribeAsync('ovms/owner/CAR1/#', { qos: 1 });
  await client.publishAsync('ovms/owner/CAR1/metric/v/b/soc', '42', { qos: 1 });
  assert.equal(await echo, '42');
  await client.endAsync();
  const body = (await (await fetch(`http://127.0.0.1:${h.httpPort}/health`)).json()) as {
    listeners: Record<string, unknown>;
  };
  assert.deepEqual(body.listeners.mqtt_tls, { state: 'listening', port: h.server.ports.mqttTls });
  assert.deepEqual(body.listeners.v2_tls, { state: 'listening', port: h.server.ports.v2tls });
});

test('tests that list no MQTT port start no broker (the defaults would try 1883)', async (t) => {
  const h = await startServer(t);
  assert.equal(h.server.mqtt, undefined);
  const body = (await (await fetch(`http://127.0.0.1:${h.httpPort}/health`)).json()) as {
    listeners: Record<string, unknown>;
  };
  assert.deepEqual(body.listeners.mqtt, { state: 'off' });
});
