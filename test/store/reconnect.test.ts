import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlAdmin,
  postgresAdmin,
  type TestDatabase,
} from '../helpers/databases.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';

const status = (text: string) => ({
  code: 'S',
  payload: Buffer.from(text),
  time: new Date('2024-05-01T12:00:00Z'),
  paranoid: false,
  ptoken: '',
});

/** Opens a migrated store with some connections in its pool, and an owner with a vehicle. */
async function busyStore(t: { after(fn: () => unknown): void }, database: TestDatabase) {
  t.after(() => database.drop());
  const store = await openStore(database.url);
  t.after(() => store.close());
  await store.migrate();
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'DEMO1' };
  await store.createVehicle({ ...ref, secret: 'pw' });
  // Several reads at once open several pooled connections, all of which are about to be killed.
  await Promise.all(Array.from({ length: 5 }, () => store.listVehicles()));
  return { store, ref };
}

/** Everything a server does in one go: the store must answer as if nothing had happened. */
async function assertStillWorks(store: Store, ref: { ownerId: number; vehicleId: string }) {
  await store.saveMessage(ref, status('after the kill'));
  assert.equal((await store.getMessages(ref))[0]?.payload.toString(), 'after the kill');
  assert.equal((await store.findVehicle('DEMO1'))?.secret, 'pw');
  const bob = await store.createOwner({ name: 'bob', passwordHash: 'h' });
  assert.equal((await store.getOwner(bob.id))?.name, 'bob');
}

describe('reconnecting after the database drops our connections', () => {
  test('PostgreSQL: pg_terminate_backend on every connection of the store', async (t) => {
    const database = await createPostgresDatabase();
    const { store, ref } = await busyStore(t, database);
    const killed = await postgresAdmin(async (c) => {
      const result = await c.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database.name],
      );
      return result.rowCount ?? 0;
    });
    assert.ok(killed >= 1, `connections were killed (${killed})`);
    await assertStillWorks(store, ref);
  });

  test('MariaDB: KILL on every connection of the store', async (t) => {
    const database = await createMysqlDatabase();
    const { store, ref } = await busyStore(t, database);
    const killed = await mysqlAdmin(async (c) => {
      const [rows] = await c.query('SELECT id FROM information_schema.processlist WHERE db = ?', [
        database.name,
      ]);
      for (const { id } of rows as { id: number }[]) await c.query(`KILL ${Number(id)}`);
      return (rows as unknown[]).length;
    });
    assert.ok(killed >= 1, `connections were killed (${killed})`);
    await assertStillWorks(store, ref);
  });
});

describe('riding out a database restart', () => {
  for (const [name, create, port] of [
    ['PostgreSQL', createPostgresDatabase, 5432],
    ['MariaDB', createMysqlDatabase, 3306],
  ] as const) {
    test(`${name}: a read issued while the server is down is answered once it is back`, async (t) => {
      const database = await create();
      t.after(() => database.drop());
      const proxy = await FlakyProxy.start(port);
      t.after(() => proxy.close());
      const store = await openStore(proxy.route(database.url));
      t.after(() => store.close());
      await store.migrate();
      await store.createOwner({ name: 'alice', passwordHash: 'h' });

      proxy.down();
      const reading = store.listOwners();
      await proxy.dropped(1);
      proxy.up();
      assert.deepEqual(
        (await reading).map((o) => o.name),
        ['alice'],
      );
    });
  }
});
