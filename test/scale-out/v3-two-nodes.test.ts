import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { CLAIM_RETRY_MS } from '../../src/bridge/v3-car.js';
import { type ClusterNode, startCluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/test-client.js';
import { MOSQUITTO_URL, MqttInbox, uniqueName, V3Module } from '../helpers/v3-module.js';

/**
 * Protocol v3 on two nodes: both follow the same external broker (the machine's Mosquitto), so both
 * receive every MQTT message. A module's car is attached on one node only, a v2 app on the other
 * sees it, and a v2 car is shown on MQTT once. Vehicle ids and node ids are unique per run (the
 * broker is shared with other test files).
 */

function client(
  t: { after(fn: () => Promise<void>): void },
  node: ClusterNode,
  type: 'C' | 'A',
  vehicleId: string,
) {
  const c = new TestClient({
    host: '127.0.0.1',
    port: node.port,
    clientType: type,
    vehicleId,
    secret: 'secret1',
    commandTimeoutMs: 10_000,
  });
  t.after(() => c.close());
  return c;
}

const count = (node: ClusterNode, text: string) => node.output.filter((l) => l.includes(text)).length;

test('two nodes on one external broker: a v3 module is attached once, an app on the other node sees it and locks it; a v2 car is on MQTT once', async (t) => {
  const v3Id = uniqueName('V3');
  const v2Id = uniqueName('V2');
  const { startNode } = await startCluster(
    t,
    0,
    async (store, ownerId) => {
      await store.createVehicle({ ownerId, vehicleId: v3Id, secret: 'secret1' });
      await store.createVehicle({ ownerId, vehicleId: v2Id, secret: 'secret1' });
    },
    // Session expiry 0: the nodes' MQTT sessions end with the test instead of staying on the shared
    // Mosquitto for a day (no limit is lifted: the default only decides how long a broker keeps them).
    { OVMS_MQTT_URL: MOSQUITTO_URL, OVMS_MQTT_SESSION_EXPIRY: '0' },
  );
  const n1 = await startNode(uniqueName('node1-'));
  const n2 = await startNode(uniqueName('node2-'));
  for (const n of [n1, n2]) {
    const seen = await eventually(
      async () => count(n, 'protocol v3 bridge following MQTT'),
      (c) => c === 1,
      10_000,
    );
    assert.equal(seen, 1, `node ${n.id} follows MQTT`);
  }

  const m = await V3Module.connect('owner', v3Id);
  t.after(() => m.close(['v.b.soc', 'v.e.locked']));
  await m.metrics({ 'v.b.soc': '64.5' });
  await m.online();
  const app = client(t, n2, 'A', v3Id);
  await app.client.connect();
  while ((await app.nextOf('Z')) !== 'Z1');
  assert.equal((await app.nextOf('S')).slice(1).split(',')[0], '64.5');

  m.answer = (line) => (line === 'lock 1234' ? 'Vehicle locked' : undefined);
  const lock = await app.client.command(20, ['1234']);
  assert.deepEqual([lock.command, lock.result], [20, 0]);
  // Live updates go on, with no flapping: the car stays attached on exactly one node.
  await m.metrics({ 'v.b.soc': '66' });
  let s = await app.nextOf('S');
  while (s.slice(1).split(',')[0] !== '66.0') s = await app.nextOf('S');
  assert.deepEqual(
    app.pending().filter((l) => l.startsWith('Z')),
    [],
    'the app saw the car leave and come back',
  );
  const attached = () => count(n1, 'v3 module connected') + count(n2, 'v3 module connected');
  assert.equal(attached(), 1);
  assert.equal(count(n1, 'duplicate car login') + count(n2, 'duplicate car login'), 0);

  // A v2 car on node 1 is shown on MQTT by node 1 only, each value once.
  const watcher = await connectAsync(MOSQUITTO_URL, { clientId: uniqueName('watch-'), reconnectPeriod: 0 });
  t.after(() => watcher.endAsync());
  const inbox = new MqttInbox(watcher);
  const prefix = `ovms/owner/${v2Id}/`;
  await watcher.subscribeAsync(`${prefix}metric/#`, { qos: 1 });
  const car = client(t, n1, 'C', v2Id);
  await car.client.connect();
  car.send('S', '71,K,0,0,stopped,standard,200,180,0,0,0,0,0,0,0');
  await inbox.find((topic, payload) => topic === `${prefix}metric/v/b/soc` && payload === '71');
  car.send('S', '72,K,0,0,stopped,standard,200,180,0,0,0,0,0,0,0');
  await inbox.find((topic, payload) => topic === `${prefix}metric/v/b/soc` && payload === '72');
  const socs = inbox.items.filter(([topic]) => topic === `${prefix}metric/v/b/soc`).map(([, p]) => p);
  assert.deepEqual(socs, ['71', '72']);
  const connected = inbox.items.filter(([topic]) => topic === `${prefix}metric/s/v3/connected`);
  assert.deepEqual(
    connected.map(([, p]) => p),
    ['yes'],
  );
  // Node 2 read node 1's publishes but attached no second car connection for the v2 car.
  assert.equal(attached(), 1);
  assert.equal(count(n1, 'duplicate car login') + count(n2, 'duplicate car login'), 0);

  // The v2 car leaves: `no` once, and its retained state is cleared for later runs.
  await car.close();
  await inbox.find((topic, payload) => topic === `${prefix}metric/s/v3/connected` && payload === 'no');
  for (const name of [
    'v/b/soc',
    's/v3/connected',
    'v/b/range/ideal',
    'v/b/range/est',
    'v/c/state',
    'v/c/mode',
  ])
    await watcher.publishAsync(`${prefix}metric/${name}`, '', { retain: true });
});

test('two nodes: modules coming online at the same moment are each attached by one node (the bus claim in Redis); a node that stops hands its modules to the other', async (t) => {
  const ids = Array.from({ length: 6 }, () => uniqueName('V3'));
  const { startNode } = await startCluster(
    t,
    0,
    async (store, ownerId) => {
      for (const vehicleId of ids) await store.createVehicle({ ownerId, vehicleId, secret: 'secret1' });
    },
    // As above: no session left on the shared Mosquitto.
    { OVMS_MQTT_URL: MOSQUITTO_URL, OVMS_MQTT_SESSION_EXPIRY: '0' },
  );
  const nodes = [await startNode(uniqueName('node1-')), await startNode(uniqueName('node2-'))];
  for (const n of nodes)
    await eventually(
      async () => count(n, 'protocol v3 bridge following MQTT'),
      (c) => c === 1,
      10_000,
    );
  const modules = await Promise.all(ids.map((id) => V3Module.connect('owner', id)));
  t.after(() => Promise.all(modules.map((m) => m.close(['v.b.soc']))));
  await Promise.all(modules.map((m) => m.metrics({ 'v.b.soc': '50' })));
  await Promise.all(modules.map((m) => m.online()));
  const holders = (id: string) =>
    nodes.filter((n) => n.output.some((l) => l.includes('v3 module connected') && l.includes(id)));
  await eventually(
    async () => ids.map((id) => holders(id).length),
    (c) => c.every((n) => n >= 1),
    10_000,
  );
  for (const id of ids) assert.equal(holders(id).length, 1, `${id} attached once`);
  for (const n of nodes) assert.equal(count(n, 'duplicate car login'), 0);

  // The node holding the first module stops: the other takes the module over (within the claim retry).
  const [gone] = holders(ids[0]!) as [ClusterNode];
  const survivor = nodes.find((n) => n !== gone)!;
  const app = client(t, survivor, 'A', ids[0]!);
  await app.client.connect();
  while ((await app.nextOf('Z')) !== 'Z1');
  const exited = new Promise((r) => gone.process.once('exit', r));
  gone.process.kill('SIGTERM');
  await exited;
  while ((await app.nextOf('Z')) !== 'Z0');
  // Within CLAIM_RETRY_MS (10 s) of the claim being released.
  while ((await app.nextOf('Z', CLAIM_RETRY_MS + 5000)) !== 'Z1');
  // Its log line may come a moment after the app's Z1.
  const attachedBy = await eventually(
    async () =>
      survivor.output.filter((l) => l.includes('v3 module connected') && l.includes(ids[0]!)).length,
    (n) => n === 1,
    5000,
  );
  assert.equal(attachedBy, 1, 'attached by the survivor after the other left');
});
