import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Harness, startServer } from '../helpers/harness.js';
import { mqttClient, mqttConnect, nextMessage } from '../helpers/mqtt-client.js';

const url = (h: Harness) => `mqtt://127.0.0.1:${h.server.ports.mqtt}`;
const PREFIX = 'ovms/owner/CAR1/';

/** A module as the firmware connects: vehicle login, clean session off, will `no` on s/v3/connected. */
const MODULE = {
  username: 'CAR1',
  password: 'car1-secret',
  clientId: 'CAR1',
  clean: false,
  will: {
    topic: `${PREFIX}metric/s/v3/connected`,
    payload: Buffer.from('no'),
    qos: 0 as const,
    retain: true,
  },
};

function connectModule(h: Harness) {
  return mqttConnect(url(h), MODULE);
}

test('embedded broker: retained metrics reach later subscribers; the will marks the module gone on an abrupt close', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  const module = await connectModule(h);
  await module.publishAsync(`${PREFIX}metric/s/v3/connected`, 'yes', { qos: 0, retain: true });
  await module.publishAsync(`${PREFIX}metric/v/b/soc`, '81.5', { qos: 1, retain: true });

  const app = await mqttConnect(url(h), { username: 'owner', password: 'owner-password', clientId: 'app' });
  t.after(() => app.endAsync(true));
  const soc = nextMessage(app, (topic) => topic.endsWith('/v/b/soc'));
  const connected = nextMessage(app, (topic) => topic.endsWith('/s/v3/connected'));
  await app.subscribeAsync(`${PREFIX}metric/#`, { qos: 1 });
  assert.deepEqual(await soc, { topic: `${PREFIX}metric/v/b/soc`, payload: '81.5', retain: true });
  assert.equal((await connected).payload, 'yes');

  // The firmware never sends DISCONNECT: every close is a plain TCP close, and the will fires.
  const will = nextMessage(app, (topic) => topic.endsWith('/s/v3/connected'));
  module.stream.destroy();
  assert.equal((await will).payload, 'no');
  // ...and is retained: the server's own subscription (the bridge's) sees it too.
  const seen: string[] = [];
  const stop = await h.server.mqtt!.subscribe(`${PREFIX}metric/s/v3/connected`, (_topic, payload) => {
    seen.push(payload.toString());
  });
  assert.deepEqual(seen, ['no']);
  await stop();
});

test('embedded broker: clean session off keeps the subscriptions across a reconnect, with QoS 1 messages queued meanwhile', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  const first = await connectModule(h);
  await first.subscribeAsync(`${PREFIX}client/+/command/+`, { qos: 1 });
  await first.endAsync(true);

  // Commands sent while the module is away wait in its session.
  await h.server.mqtt!.publish(`${PREFIX}client/app/command/1`, 'stat', { qos: 1 });
  const app = await mqttConnect(url(h), { username: 'owner', password: 'owner-password', clientId: 'app' });
  t.after(() => app.endAsync(true));
  await app.publishAsync(`${PREFIX}client/app/command/2`, 'charge start', { qos: 1 });

  // Listening before the reconnect: queued messages follow the CONNACK at once.
  const second = mqttClient(url(h), MODULE);
  t.after(() => second.endAsync(true));
  const received: string[] = [];
  const both = new Promise<void>((resolve) => {
    second.on('message', (_topic, payload) => {
      received.push(payload.toString());
      if (received.length === 2) resolve();
    });
  });
  const connack = await new Promise<{ sessionPresent: boolean }>((resolve) =>
    second.once('connect', resolve),
  );
  assert.equal(connack.sessionPresent, true);
  await both;
  assert.deepEqual(received, ['stat', 'charge start']);
  // Without subscribing again, a live command still arrives.
  const live = nextMessage(second, (topic) => topic.endsWith('/command/3'));
  await app.publishAsync(`${PREFIX}client/app/command/3`, 'lock', { qos: 1 });
  assert.equal((await live).payload, 'lock');
});

test('embedded broker as MqttPort: the server publishes anywhere and subscribes in-process, retained messages first', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  const port = h.server.mqtt!;
  await port.publish('ovms/owner/V2CAR/metric/v/b/soc', '55', { retain: true });
  const seen: string[] = [];
  const stop = await port.subscribe('ovms/+/+/metric/#', (topic, payload) => {
    seen.push(`${topic}=${payload}`);
  });
  assert.deepEqual(seen, ['ovms/owner/V2CAR/metric/v/b/soc=55']);
  const app = await mqttConnect(url(h), { username: 'owner', password: 'owner-password', clientId: 'app' });
  t.after(() => app.endAsync(true));
  // QoS 2: PUBCOMP comes back once the broker has passed the message on.
  await app.publishAsync('ovms/owner/CAR9/metric/v/p/odometer', '1234', { qos: 2 });
  assert.deepEqual(seen, ['ovms/owner/V2CAR/metric/v/b/soc=55', 'ovms/owner/CAR9/metric/v/p/odometer=1234']);
  await stop();
  await app.publishAsync('ovms/owner/CAR9/metric/v/p/odometer', '1235', { qos: 2 });
  assert.equal(seen.length, 2);
  await assert.rejects(port.publish('ovms/+/x', 'y'), /wildcard/);
});
