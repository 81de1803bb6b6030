import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { type Harness, startServer } from '../helpers/harness.js';
import { granted, mqttConnect, nextMessage } from '../helpers/mqtt-client.js';

const url = (h: Harness) => `mqtt://127.0.0.1:${h.server.ports.mqtt}`;

/** Every message `client` receives from now on, by topic. */
function collect(client: MqttClient): string[] {
  const topics: string[] = [];
  client.on('message', (topic) => topics.push(topic));
  return topics;
}

test('embedded broker: an owner uses ovms/<owner>/# only; other owners topics are refused, wildcards cannot escape', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addOwner('bob', 'bob-password');
  const alice = await mqttConnect(url(h), {
    username: 'owner',
    password: 'owner-password',
    clientId: 'alice',
  });
  const bob = await mqttConnect(url(h), { username: 'bob', password: 'bob-password', clientId: 'bob' });
  t.after(() => Promise.all([alice.endAsync(true), bob.endAsync(true)]));

  assert.deepEqual(await granted(alice, ['ovms/owner/#', 'ovms/owner/+/metric/#']), [1, 1]);
  // Outside the prefix, or a wildcard standing for the owner level: failure return code 0x80.
  assert.deepEqual(
    await granted(alice, ['ovms/bob/#', 'ovms/+/CAR1/#', 'ovms/#', '#', '+/owner/#', '$SYS/#', 'ovms/owner']),
    [128, 128, 128, 128, 128, 128, 128],
  );
  assert.ok(h.logs.some((l) => l.includes('MQTT subscribe refused: outside the topics of this login')));

  assert.deepEqual(await granted(bob, ['ovms/bob/#']), [1]);
  const seenByBob = collect(bob);
  // Alice publishing into bob's topics is dropped (QoS 2: done once PUBCOMP is back), and she stays connected.
  await alice.publishAsync('ovms/bob/CAR2/metric/v/b/soc', '12', { qos: 2 });
  await alice.publishAsync('ovms/bob/CAR2/client/x/command/1', 'lock 1234', { qos: 2 });
  const mine = nextMessage(alice, (topic) => topic === 'ovms/owner/CAR1/metric/v/b/soc');
  await alice.publishAsync('ovms/owner/CAR1/metric/v/b/soc', '80', { qos: 1 });
  assert.equal((await mine).payload, '80');
  // The server's own publish comes after alice's in bob's stream: what she sent did not reach him.
  const marker = nextMessage(bob, (topic) => topic === 'ovms/bob/CAR2/marker');
  await h.server.mqtt!.publish('ovms/bob/CAR2/marker', 'x', { qos: 1 });
  await marker;
  assert.deepEqual(seenByBob, ['ovms/bob/CAR2/marker']);
  assert.ok(h.logs.some((l) => l.includes('MQTT publish dropped: outside the topics of this login')));
});

test('embedded broker: a vehicle login (vehicle id + secret) uses its own vehicle prefix only', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  await h.addVehicle('CAR2', 'car2-secret');
  const module = await mqttConnect(url(h), { username: 'CAR1', password: 'car1-secret', clientId: 'CAR1' });
  const owner = await mqttConnect(url(h), { username: 'owner', password: 'owner-password', clientId: 'ha' });
  t.after(() => Promise.all([module.endAsync(true), owner.endAsync(true)]));
  // What the module subscribes to after CONNACK (V3.md §1.6), under its explicit prefix.
  assert.deepEqual(
    await granted(module, ['ovms/owner/CAR1/client/+/active', 'ovms/owner/CAR1/client/+/command/+']),
    [1, 1],
  );
  assert.deepEqual(
    await granted(module, ['ovms/owner/#', 'ovms/owner/CAR2/#', 'ovms/owner/+/client/#']),
    [128, 128, 128],
  );

  assert.deepEqual(await granted(owner, ['ovms/owner/#']), [1]);
  const seen = collect(owner);
  await module.publishAsync('ovms/owner/CAR2/metric/v/b/soc', '1', { qos: 2 });
  await module.publishAsync('ovms/owner/metric/v/b/soc', '2', { qos: 2 });
  const own = nextMessage(owner, (topic) => topic === 'ovms/owner/CAR1/metric/v/b/soc');
  await module.publishAsync('ovms/owner/CAR1/metric/v/b/soc', '3', { qos: 1 });
  assert.equal((await own).payload, '3');
  assert.deepEqual(seen, ['ovms/owner/CAR1/metric/v/b/soc']);

  // A command for the car reaches the module.
  const command = nextMessage(module, (topic) => topic.includes('/command/'));
  await owner.publishAsync('ovms/owner/CAR1/client/ha/command/7', 'stat', { qos: 1 });
  assert.deepEqual((await command).payload, 'stat');
});

test('embedded broker: a client id chosen by another owner neither takes over nor reads the module session', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addOwner('mallory', 'mallory-password');
  await h.addVehicle('CAR1', 'car1-secret');
  const module = await mqttConnect(url(h), {
    username: 'owner',
    password: 'owner-password',
    clientId: 'CAR1',
    clean: false,
  });
  t.after(() => module.endAsync(true));
  await module.subscribeAsync('ovms/owner/CAR1/client/+/command/+', { qos: 1 });
  let closed = false;
  module.on('close', () => {
    closed = true;
  });
  const mallory = await mqttConnect(url(h), {
    username: 'mallory',
    password: 'mallory-password',
    clientId: 'CAR1',
    clean: false,
  });
  const seenByMallory = collect(mallory);
  t.after(() => mallory.endAsync(true));
  // The module still gets its commands, and mallory's session holds none of them.
  const command = nextMessage(module, (topic) => topic.endsWith('/command/1'));
  await h.server.mqtt!.publish('ovms/owner/CAR1/client/app/command/1', 'stat', { qos: 1 });
  assert.equal((await command).payload, 'stat');
  assert.equal(closed, false);
  assert.deepEqual(seenByMallory, []);
});
