import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { type Harness, startServer } from '../helpers/harness.js';
import { connackCode, granted, mqttConnect, nextMessage } from '../helpers/mqtt-client.js';

const url = (h: Harness) => `mqtt://127.0.0.1:${h.server.ports.mqtt}`;
const OWNER = { username: 'owner', password: 'owner-password' };

test('MQTT limit mqtt.max_packet_size: a larger packet closes the connection before it is buffered', async (t) => {
  // The limit set to its minimum for this test about it.
  const h = await startServer(t, { mqtt: { mqtt: 0 }, settings: { 'mqtt.max_packet_size': 16384 } });
  const client = await mqttConnect(url(h), { ...OWNER, clientId: 'big' });
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the connection stayed open')), 5000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  client.publish('ovms/owner/CAR1/client/x/response/1', Buffer.alloc(20_000, 0x41), { qos: 0 });
  await closed;
  assert.ok(h.logs.some((l) => l.includes('larger than mqtt.max_packet_size (16384)')));
  // A response of several KB, under the limit, passes.
  const ok = await mqttConnect(url(h), { ...OWNER, clientId: 'ok' });
  t.after(() => ok.endAsync(true));
  const echo = nextMessage(ok, () => true);
  await ok.subscribeAsync('ovms/owner/#', { qos: 1 });
  await ok.publishAsync('ovms/owner/CAR1/client/x/response/1', Buffer.alloc(15_000, 0x41), { qos: 1 });
  assert.equal((await echo).payload.length, 15_000);
});

test('MQTT limit mqtt.max_subscriptions: further subscriptions get the failure code; unsubscribing frees a place', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 }, settings: { 'mqtt.max_subscriptions': 2 } });
  const client = await mqttConnect(url(h), { ...OWNER, clientId: 'subs' });
  t.after(() => client.endAsync(true));
  assert.deepEqual(await granted(client, ['ovms/owner/a/#', 'ovms/owner/b/#']), [1, 1]);
  assert.deepEqual(await granted(client, ['ovms/owner/c/#', 'ovms/owner/a/#']), [128, 1]);
  await client.unsubscribeAsync('ovms/owner/b/#');
  assert.deepEqual(await granted(client, ['ovms/owner/c/#']), [1]);
  assert.ok(h.logs.some((l) => l.includes('mqtt.max_subscriptions')));
});

test('MQTT limit mqtt.max_connections_per_address, and the CONNECT deadline (mqtt.connect_timeout)', async (t) => {
  const h = await startServer(t, {
    mqtt: { mqtt: 0 },
    settings: { 'mqtt.max_connections_per_address': 2, 'mqtt.connect_timeout': 1 },
  });
  const silent = net.connect(h.server.ports.mqtt, '127.0.0.1');
  const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
  const one = await mqttConnect(url(h), { ...OWNER, clientId: 'one' });
  // The third connection from this address is closed at once, before CONNACK.
  await assert.rejects(mqttConnect(url(h), { ...OWNER, clientId: 'three', connectTimeout: 2000 }));
  assert.ok(h.logs.some((l) => l.includes('mqtt.max_connections_per_address')));
  // The silent socket is closed at the deadline, and its place is free again.
  await silentClosed;
  assert.equal(await connackCode(url(h), { ...OWNER, clientId: 'two' }), 0);
  await one.endAsync(true);
});

test('MQTT limit mqtt.max_retained_per_owner: beyond it a message is delivered but not retained', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 }, settings: { 'mqtt.max_retained_per_owner': 1 } });
  const client = await mqttConnect(url(h), { ...OWNER, clientId: 'pub' });
  t.after(() => client.endAsync(true));
  const live = nextMessage(client, (topic) => topic.endsWith('/two'));
  await client.subscribeAsync('ovms/owner/CAR1/#', { qos: 1 });
  await client.publishAsync('ovms/owner/CAR1/one', '1', { qos: 1, retain: true });
  await client.publishAsync('ovms/owner/CAR1/two', '2', { qos: 1, retain: true });
  assert.equal((await live).payload, '2');
  const seen: string[] = [];
  const stop = await h.server.mqtt!.subscribe('ovms/owner/#', (topic) => {
    seen.push(topic);
  });
  assert.deepEqual(seen, ['ovms/owner/CAR1/one']);
  await stop();
  assert.ok(h.logs.some((l) => l.includes('delivered but not retained')));
});

test('MQTT limit mqtt.publish_rate: a client past its burst is slowed down, nothing dropped, order kept', async (t) => {
  const h = await startServer(t, {
    mqtt: { mqtt: 0 },
    settings: { 'mqtt.publish_rate': 50, 'mqtt.publish_burst': 5 },
  });
  const client = await mqttConnect(url(h), { ...OWNER, clientId: 'fast' });
  t.after(() => client.endAsync(true));
  const seen: string[] = [];
  const stop = await h.server.mqtt!.subscribe('ovms/owner/#', (_topic, payload) => {
    seen.push(payload.toString());
  });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 15 }, (_, i) =>
      client.publishAsync('ovms/owner/CAR1/metric/x', String(i), { qos: 2 }),
    ),
  );
  // 10 messages past the burst at 50 a second: at least 180 ms.
  assert.ok(Date.now() - started >= 180, `${Date.now() - started} ms`);
  assert.deepEqual(
    seen,
    Array.from({ length: 15 }, (_, i) => String(i)),
  );
  await stop();
  assert.ok(h.logs.some((l) => l.includes('faster than mqtt.publish_rate')));
});
