import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterNode, startCluster } from '../helpers/cluster.js';
import { TestClient } from '../helpers/test-client.js';

function client(t: { after(fn: () => Promise<void>): void }, node: ClusterNode, type: 'C' | 'A'): TestClient {
  const c = new TestClient({
    host: '127.0.0.1',
    port: node.port,
    clientType: type,
    vehicleId: 'CAR1',
    secret: 'secret1',
  });
  t.after(() => c.close());
  return c;
}

/** The lines of a login's replay: everything after Z up to and including T<age>. */
async function replayOf(app: TestClient): Promise<string[]> {
  assert.match(await app.next(), /^Z[01]$/);
  const lines: string[] = [];
  for (;;) {
    const line = await app.next();
    lines.push(line);
    if (/^T\d+$/.test(line)) return lines;
  }
}

test('a message an app has received on one node is in the replay of a login that follows on another node', async (t) => {
  const { nodes } = await startCluster(t, 2, async (store, ownerId) => {
    await store.createVehicle({ ownerId, vehicleId: 'CAR1', secret: 'secret1' });
  });
  const [n1, n2] = nodes as [ClusterNode, ClusterNode];
  const watcher = client(t, n1, 'A');
  await watcher.client.connect();
  await replayOf(watcher);
  const car = client(t, n1, 'C');
  await car.client.connect();
  assert.equal(await car.next(), 'Z1');
  assert.equal(await watcher.next(), 'Z1');

  // Each round a new paranoid token (a vehicle write), a paranoid message under it and a plain
  // one (batched writes); the watcher on the car's node has them all before the login on node 2.
  for (let round = 0; round < 20; round++) {
    const token = `tok${round}`;
    car.send('E', `T${token}`);
    car.send('E', `MD${round},paranoid`);
    car.send('S', `${round},K`);
    assert.equal(await watcher.next(), `ET${token}`);
    assert.equal(await watcher.next(), `EMD${round},paranoid`);
    assert.equal(await watcher.next(), 'T0');
    assert.equal(await watcher.next(), `S${round},K`);
    assert.equal(await watcher.next(), 'T0');

    const late = client(t, n2, 'A');
    await late.client.connect();
    const replay = await replayOf(late);
    const paranoid = replay.indexOf(`EMD${round},paranoid`);
    assert.ok(replay.includes(`S${round},K`), `round ${round}: no S in ${JSON.stringify(replay)}`);
    assert.ok(paranoid >= 0, `round ${round}: no paranoid message in ${JSON.stringify(replay)}`);
    assert.equal(
      replay.indexOf(`ET${token}`),
      paranoid - 1,
      `round ${round}: the token must come just before the paranoid message in ${JSON.stringify(replay)}`,
    );
    await late.close();
  }
});
