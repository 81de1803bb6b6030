import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { LocalBus, LocalNetwork } from '../../src/bus/local-bus.js';
import { configWith } from '../../src/config/config.js';
import { createLogger } from '../../src/server/logger.js';
import { OvmsServer } from '../../src/server/ovms-server.js';
import { openStore } from '../../src/store/open-store.js';
import { TestClient } from '../helpers/test-client.js';

/** The SQLite database the nodes of a test share, with one owner. */
async function sharedDatabase(level: 'silent' | 'info') {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-nodes-'));
  const config = configWith({
    'server.host': '127.0.0.1',
    'database.url': `sqlite:${join(dir, 'db')}`,
    'log.level': level,
  });
  const store = await openStore(config.database.url);
  await store.migrate();
  const owner = await store.createOwner({ name: 'o', passwordHash: await hashPassword('x') });
  return { dir, config, store, owner };
}

/** Two nodes in one process on one in-process network: the hub must behave as if they were one. */
test('a car on one node and apps on another behave as on a single node', async (t) => {
  const { dir, config, store, owner } = await sharedDatabase('silent');
  await store.createVehicle({ ownerId: owner.id, vehicleId: 'CAR', secret: 's' });
  const network = new LocalNetwork();
  const log = createLogger({ level: 'silent' });
  const nodes = ['n1', 'n2'].map(
    (id) => new OvmsServer({ config, store, log, bus: new LocalBus(id, network), listen: { v2: 0 } }),
  );
  await Promise.all(nodes.map((n) => n.start()));
  const clients: TestClient[] = [];
  t.after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const connect = async (type: 'C' | 'A', node: number) => {
    const c = new TestClient({
      host: '127.0.0.1',
      port: nodes[node]!.ports.v2,
      clientType: type,
      vehicleId: 'CAR',
      secret: 's',
    });
    clients.push(c);
    await c.client.connect();
    return c;
  };
  const app = await connect('A', 1);
  assert.equal(await app.next(), 'Z0');
  assert.match(await app.next(), /^T\d+$/);
  const car = await connect('C', 0);
  assert.equal(await car.next(), 'Z1');
  assert.equal(await app.next(), 'Z1');
  car.send('S', '90,K');
  assert.equal(await app.next(), 'S90,K');
  assert.equal(await app.next(), 'T0');
  const reply = app.client.command(7, ['stat']);
  assert.equal(await car.nextOf('C'), 'C7,stat');
  car.send('c', '7,0,fine');
  assert.equal((await reply).lines[0]!.text, 'fine');
  // A second car login on the other node closes the first.
  const car2 = await connect('C', 1);
  await car.closedByServer();
  assert.equal(await car2.next(), 'Z1');
  await app.close();
  assert.equal(await car2.next(), 'Z0');
});

test('with two nodes starting together, stored history is back-filled by one of them', async (t) => {
  const { dir, config, store, owner } = await sharedDatabase('info');
  const cars = ['CAR1', 'CAR2', 'CAR3'];
  const start = Date.now() - 86_400_000;
  for (const vehicleId of cars) {
    const ref = await store.createVehicle({ ownerId: owner.id, vehicleId, secret: 's' });
    // What history.log_messages kept: an S a minute for two hours, so each replay takes a while.
    for (let i = 0; i < 120; i++) {
      const timestamp = new Date(start + i * 60_000);
      await store.addHistory(ref, {
        type: 'S',
        recno: 0,
        timestamp,
        data: Buffer.from(`${90 - Math.floor(i / 10)},K,13,,charging,standard,200,180`),
        expires: new Date(timestamp.getTime() + 2 * 86_400_000),
      });
    }
  }
  const network = new LocalNetwork();
  const lines: string[][] = [[], []];
  const nodes = ['n1', 'n2'].map((id, i) => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines[i]!.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    return new OvmsServer({ config, store, log, bus: new LocalBus(id, network), listen: { v2: 0 } });
  });
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await Promise.all(nodes.map((n) => n.start()));
  await Promise.all(nodes.map((n) => n.recording.backfilled));
  const said = (i: number, words: string) => lines[i]!.some((l) => l.includes(words));
  const filling = [0, 1].filter((i) => said(i, 'back-filling trips and charges'));
  assert.equal(filling.length, 1, 'one node back-fills');
  assert.ok(said(1 - filling[0]!, 'another node is back-filling'), 'the other says so');
  assert.deepEqual(await store.vehiclesNotBackfilled(10), []);
  // The claim is given up when done: a node started later finds nothing left and says nothing.
  assert.ok(await nodes[1]!.hub.bus.claim('recording:backfill'));
});
