import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mysqlMigrations } from '../../src/store/mysql/mysql-migrations.js';
import { openStore } from '../../src/store/open-store.js';
import { postgresMigrations } from '../../src/store/postgres/postgres-migrations.js';
import { sqlMigrate } from '../../src/store/sql/sql-migrations.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import type { StoredMessage } from '../../src/store/store.js';
import { createMysqlDatabase, createPostgresDatabase, type TestDatabase } from '../helpers/databases.js';

const KEY = '0123456789abcdef'.repeat(4);
const status = (text: string, code = 'S'): StoredMessage => ({
  code,
  payload: Buffer.from(text),
  time: new Date('2024-05-01T00:00:00Z'),
  paranoid: false,
  ptoken: '',
});

type Context = { after(fn: () => unknown): void };

/** A fresh database and a store on it (not yet migrated), both gone when the test ends. */
async function fresh(t: Context, create: () => Promise<TestDatabase>, secretsKey?: string) {
  const database = await create();
  t.after(() => database.drop());
  const store = (await openStore(database.url, { secretsKey })) as SqlStore;
  t.after(() => store.close());
  return { database, store };
}

async function withVehicle(store: SqlStore) {
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'CAR1' };
  await store.createVehicle({ ...ref, secret: 'hunter2-very-secret' });
  return ref;
}

for (const [name, create] of [
  ['postgres', createPostgresDatabase],
  ['mysql', createMysqlDatabase],
] as const) {
  describe(`${name} store`, () => {
    test('the URL picks the back-end; an empty database is at version 0 until migrated', async (t) => {
      const { store } = await fresh(t, create);
      assert.equal(store.kind, name);
      const latest = (name === 'postgres' ? postgresMigrations : mysqlMigrations).length;
      assert.deepEqual(await store.migrationStatus(), { current: 0, latest, applied: [] });
      assert.equal((await store.migrate()).current, latest);
    });

    test('two processes migrating at once apply each migration once', async (t) => {
      const { database, store } = await fresh(t, create);
      const other = await openStore(database.url);
      t.after(() => other.close());
      const [a, b] = await Promise.all([store.migrate(), other.migrate()]);
      assert.deepEqual(a, b);
      assert.deepEqual(
        a.applied.map((m) => m.version),
        (name === 'postgres' ? postgresMigrations : mysqlMigrations).map((m) => m.version),
      );
    });

    test('a database written by a newer ovms-server is refused', async (t) => {
      const { store } = await fresh(t, create);
      await store.migrate();
      await store.pool.query(
        "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, 'future', 0)",
      );
      await assert.rejects(store.migrate(), /version 999, newer than this ovms-server/);
    });

    test('with a key configured, car secrets are not stored in plain text', async (t) => {
      const { store } = await fresh(t, create, KEY);
      await store.migrate();
      await withVehicle(store);
      assert.equal((await store.findVehicle('CAR1'))?.secret, 'hunter2-very-secret');
      const { rows } = await store.pool.query<{ secret: string }>('SELECT secret FROM vehicles');
      assert.match(rows[0]?.secret ?? '', /^enc:v1:/);
      assert.ok(!rows[0]?.secret.includes('hunter2'));
    });

    test('plain secrets from before a key are sealed by sealStoredSecrets; a wrong key is reported', async (t) => {
      const { database, store } = await fresh(t, create);
      await store.migrate();
      await withVehicle(store);
      assert.deepEqual(await store.sealStoredSecrets(), { sealedNow: 0, sealedBefore: 0, unreadable: [] });
      const keyed = (await openStore(database.url, { secretsKey: KEY })) as SqlStore;
      t.after(() => keyed.close());
      assert.deepEqual(await keyed.sealStoredSecrets(), { sealedNow: 1, sealedBefore: 0, unreadable: [] });
      const { rows } = await keyed.pool.query<{ secret: string }>('SELECT secret FROM vehicles');
      assert.match(rows[0]?.secret ?? '', /^enc:v1:/);
      assert.equal((await keyed.findVehicle('CAR1'))?.secret, 'hunter2-very-secret');
      assert.deepEqual(await keyed.sealStoredSecrets(), { sealedNow: 0, sealedBefore: 1, unreadable: [] });
      const wrong = await openStore(database.url, { secretsKey: 'f'.repeat(64) });
      t.after(() => wrong.close());
      assert.deepEqual(await wrong.sealStoredSecrets(), {
        sealedNow: 0,
        sealedBefore: 1,
        unreadable: ['CAR1'],
      });
    });

    test('5000 saveMessage calls are group-committed in a few transactions', async (t) => {
      const { store } = await fresh(t, create);
      await store.migrate();
      const ref = await withVehicle(store);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 5000; i++) writes.push(store.saveMessage(ref, status(`m${i}`, `c${i}`)));
      await store.flush();
      const { rows } = await store.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM messages');
      assert.equal(Number(rows[0]?.n), 5000);
      await Promise.all(writes);
      const { batches } = store.writeStats;
      assert.ok(batches >= 5 && batches <= 50, `5000 writes took ${batches} transactions`);
    });

    test('a failing write rejects alone; close() commits what is still queued', async (t) => {
      const { database, store } = await fresh(t, create);
      await store.migrate();
      const ref = await withVehicle(store);
      const results = await Promise.allSettled([
        store.saveMessage(ref, status('one')),
        store.saveMessage({ ownerId: ref.ownerId, vehicleId: 'NO-SUCH-CAR' }, status('orphan')),
        store.saveMessage(ref, status('two', 'D')),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.equal(store.writeStats.retriedBatches, 1);

      const last = store.saveMessage(ref, status('last words', 'L'));
      await store.close();
      await last;
      await assert.rejects(store.getMessages(ref), /closed/);
      await assert.rejects(store.saveMessage(ref, status('too late')), /closed/);
      const reopened = await openStore(database.url);
      t.after(() => reopened.close());
      assert.deepEqual(
        (await reopened.getMessages(ref)).map((m) => m.payload.toString()),
        ['one', 'two', 'last words'],
      );
    });
  });
}

test('postgres: a failing migration is rolled back and not recorded', async (t) => {
  const { store } = await fresh(t, createPostgresDatabase);
  await store.migrate();
  const broken = [
    ...postgresMigrations,
    { version: 99, name: 'broken', up: ['CREATE TABLE t2 (x INTEGER)', 'SELECT * FROM nowhere'] },
  ];
  await assert.rejects(sqlMigrate(store.pool, broken), /migration 99 \(broken\) failed/);
  const { rows } = await store.pool.query("SELECT 1 FROM information_schema.tables WHERE table_name = 't2'");
  assert.deepEqual(rows, []);
  assert.equal((await store.migrationStatus()).current, postgresMigrations.length);
});

test('postgres: secrets sealed with one key give an error naming secrets.key under another', async (t) => {
  const { database, store } = await fresh(t, createPostgresDatabase, KEY);
  await store.migrate();
  await withVehicle(store);
  await store.close();
  const wrongKey = await openStore(database.url, { secretsKey: 'fedcba9876543210'.repeat(4) });
  t.after(() => wrongKey.close());
  await assert.rejects(wrongKey.findVehicle('CAR1'), /secrets\.key/);
});
