import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterNode, startCluster } from '../helpers/cluster.js';
import { TestClient } from '../helpers/test-client.js';

function client(
  t: { after(fn: () => Promise<void>): void },
  node: ClusterNode,
  type: 'C' | 'A' | 'B',
  vehicleId: string,
  secret: string,
) {
  const c = new TestClient({
    host: '127.0.0.1',
    port: node.port,
    clientType: type,
    vehicleId,
    secret,
    commandTimeoutMs: 10_000,
  });
  t.after(() => c.close());
  return c;
}

async function login(c: TestClient): Promise<TestClient> {
  await c.client.connect();
  return c;
}

test('three nodes: a car on node 1 and its apps on nodes 2 and 3 behave as on one node', async (t) => {
  const { nodes } = await startCluster(t, 3, async (store, ownerId) => {
    await store.createVehicle({ ownerId, vehicleId: 'CAR1', secret: 'secret1' });
    await store.createVehicle({ ownerId, vehicleId: 'CAR2', secret: 'secret2' });
  });
  const [n1, n2, n3] = nodes as [ClusterNode, ClusterNode, ClusterNode];
  const app1 = await login(client(t, n2, 'A', 'CAR1', 'secret1'));
  const app2 = await login(client(t, n3, 'A', 'CAR1', 'secret1'));
  for (const app of [app1, app2]) {
    assert.equal(await app.next(), 'Z0');
    assert.match(await app.next(), /^T\d+$/);
  }
  const car = await login(client(t, n1, 'C', 'CAR1', 'secret1'));
  // Z counts the apps on every node.
  assert.equal(await car.next(), 'Z2');
  assert.equal(await app1.next(), 'Z1');
  assert.equal(await app2.next(), 'Z1');

  // Relays in order, with T0, and f after F.
  for (let i = 0; i < 50; i++) car.send('S', `${i},K`);
  car.send('F', '3.3.005,VIN');
  for (const app of [app1, app2]) {
    for (let i = 0; i < 50; i++) {
      assert.equal(await app.next(), `S${i},K`);
      assert.equal(await app.next(), 'T0');
    }
    assert.equal(await app.next(), 'F3.3.005,VIN');
    assert.match(await app.next(), /^fovms-server\//);
    assert.equal(await app.next(), 'T0');
  }

  // A command reply reaches only its requester, on its node; multi-line replies complete.
  const seven = app1.client.command(7, ['stat']);
  assert.equal(await car.nextOf('C'), 'C7,stat');
  car.send('c', '7,0,all good');
  assert.equal((await seven).lines[0]!.text, 'all good');
  const features = app2.client.command(1);
  assert.equal(await car.nextOf('C'), 'C1');
  for (let n = 0; n < 32; n++) car.send('c', `1,0,${n},32,f${n}`);
  assert.equal((await features).lines.length, 32);
  assert.ok(!app2.pending().some((m) => m.startsWith('c7')));
  assert.ok(!app1.pending().some((m) => m.startsWith('c1')));

  // Groups across nodes.
  app1.send('G', 'CLUB');
  const car2 = await login(client(t, n3, 'C', 'CAR2', 'secret2'));
  car2.send('g', 'club,51.5,-0.1');
  assert.equal(await app1.nextOf('g'), 'gCAR2,CLUB,51.5,-0.1');

  // An HTTP session "connecting" to the vehicle on node 3 counts as an app for the car on node 1.
  const api = `http://127.0.0.1:${n3.httpPort}/api/vehicle/CAR1?username=owner&password=owner-password`;
  const cookieRes = await fetch(
    `http://127.0.0.1:${n3.httpPort}/api/cookie?username=owner&password=owner-password`,
  );
  const cookie = cookieRes.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(api.split('?')[0]!, { headers: { cookie } });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { v_net_connected: number }).v_net_connected, 1);
  assert.equal(await car.nextOf('Z'), 'Z3');
  await fetch(api.split('?')[0]!, { method: 'DELETE', headers: { cookie } });
  assert.equal(await car.nextOf('Z'), 'Z2');

  // A second login of the car on node 2 closes the one on node 1; apps never see Z0 for it.
  const carAgain = await login(client(t, n2, 'C', 'CAR1', 'secret1'));
  await car.closedByServer();
  assert.equal(await carAgain.next(), 'Z2');
  carAgain.send('S', 'after,K');
  assert.equal(await app2.nextOf('S'), 'Safter,K');
  assert.equal(await app1.nextOf('S'), 'Safter,K');
  // The new car's login tells the apps Z1 again, as the reference does; never Z0.
  assert.ok(!app2.pending().includes('Z0') && !app1.pending().includes('Z0'));
  await app1.nextOf('T');

  // The car leaves: apps learn Z0, and a command is answered at once.
  await carAgain.close();
  assert.equal(await app1.nextOf('Z'), 'Z0');
  const offline = await app2.client.command(20, ['1234']);
  assert.deepEqual([offline.result, offline.lines[0]!.text], [1, 'vehicle not connected']);
});

test('a node killed with -9 under traffic: its car and apps drop out, the car comes back on another node', async (t) => {
  const { nodes } = await startCluster(
    t,
    3,
    async (store, ownerId) => {
      await store.createVehicle({ ownerId, vehicleId: 'CAR1', secret: 'secret1' });
    },
    { OVMS_BUS_LEASE: '1' },
  );
  const [n1, n2, n3] = nodes as [ClusterNode, ClusterNode, ClusterNode];
  const app = await login(client(t, n2, 'A', 'CAR1', 'secret1'));
  const doomedApp = await login(client(t, n1, 'A', 'CAR1', 'secret1'));
  const car = await login(client(t, n1, 'C', 'CAR1', 'secret1'));
  assert.equal(await car.next(), 'Z2');
  await app.nextOf('Z');
  await app.nextOf('Z');
  // Traffic while the node dies.
  const streaming = setInterval(() => car.client.send('S', '50,K'), 5);
  t.after(() => clearInterval(streaming));
  await app.nextOf('S');
  n1.process.kill('SIGKILL');
  // Within the lease (1 s) the survivors notice: the app learns the car is gone.
  assert.equal(await app.nextOf('Z', 10_000), 'Z0');
  clearInterval(streaming);
  void doomedApp;
  // The car reconnects through the load balancer and lands on node 3; the app's count is right.
  const back = await login(client(t, n3, 'C', 'CAR1', 'secret1'));
  assert.equal(await back.next(), 'Z1');
  assert.equal(await app.nextOf('Z'), 'Z1');
  back.send('S', '51,K');
  assert.equal(await app.nextOf('S'), 'S51,K');
});

test('each node reports its own health', async (t) => {
  const { nodes } = await startCluster(t, 2, async (store, ownerId) => {
    await store.createVehicle({ ownerId, vehicleId: 'CAR1', secret: 'secret1' });
  });
  const car = await login(client(t, nodes[0]!, 'C', 'CAR1', 'secret1'));
  await car.next();
  const [h1, h2] = await Promise.all(
    nodes.map(async (n) => {
      const res = await fetch(`http://127.0.0.1:${n.httpPort}/health`);
      assert.equal(res.status, 200);
      return (await res.json()) as Record<string, unknown>;
    }),
  );
  assert.deepEqual([h1!.node, h1!.status, h1!.cars, h1!.database, h1!.bus], ['node1', 'ok', 1, 'ok', 'ok']);
  assert.deepEqual([h2!.node, h2!.cars], ['node2', 0]);
});
