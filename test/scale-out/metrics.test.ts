import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashApiToken, hashPassword } from '../../src/auth/passwords.js';
import { startCluster } from '../helpers/cluster.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';
import { TestClient } from '../helpers/test-client.js';

test("two nodes on the Redis bus: each scrape counts both nodes, and a relay across nodes is counted on the app's node", async (t) => {
  const token = 'cluster-metrics-token';
  const { nodes } = await startCluster(
    t,
    2,
    async (store, ownerId) => {
      await store.createVehicle({ ownerId, vehicleId: 'MCAR1', secret: 'secret1' });
      const ops = await store.createOwner({
        name: 'ops',
        passwordHash: await hashPassword('ops-password'),
        admin: true,
      });
      await store.createApiToken({
        ownerId: ops.id,
        tokenHash: hashApiToken(token),
        application: 'prometheus',
        purpose: 'metrics',
        permit: 'admin',
      });
    },
    { OVMS_METRICS_ENABLED: 'true' },
  );
  const [n1, n2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  const scrape = async (node: (typeof nodes)[0]) => {
    const res = await fetch(`http://127.0.0.1:${node.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    return parsePrometheusText(await res.text());
  };
  const clientOf = (port: number, type: 'C' | 'A') => {
    const c = new TestClient({
      host: '127.0.0.1',
      port,
      clientType: type,
      vehicleId: 'MCAR1',
      secret: 'secret1',
    });
    t.after(() => c.close());
    return c;
  };
  const car = clientOf(n1.port, 'C');
  await car.client.connect();
  const app = clientOf(n2.port, 'A');
  await app.client.connect();
  await app.nextOf('Z');
  car.send('S', '70,K');
  assert.match(await app.nextOf('S'), /^S70/);

  const [m1, m2] = [await scrape(n1), await scrape(n2)];
  assert.equal(sampleValue(m1, 'ovms_bus_nodes'), 2);
  assert.equal(sampleValue(m2, 'ovms_bus_nodes'), 2);
  const info = m1.get('ovms_info')!.samples[0]!;
  assert.deepEqual(
    [info.labels.node, info.labels.store, info.labels.bus, info.value],
    ['node1', 'postgres', 'redis', 1],
  );
  assert.equal(sampleValue(m1, 'ovms_connections', { kind: 'car', transport: 'tcp' }), 1);
  assert.equal(sampleValue(m2, 'ovms_connections', { kind: 'app', transport: 'tcp' }), 1);
  assert.equal(sampleValue(m1, 'ovms_messages_received_total', { from: 'car', code: 'S' }), 1);
  assert.equal(sampleValue(m2, 'ovms_messages_relayed_total', { code: 'S' }), 1);
  assert.equal(sampleValue(m1, 'ovms_messages_relayed_total', { code: 'S' }), undefined);
  assert.ok((sampleValue(m1, 'ovms_database_size_bytes') ?? 0) > 0);
});
