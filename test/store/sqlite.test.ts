import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createSecretBox } from '../../src/store/secret-box.js';
import { migrate, migrations } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import type { StoredMessage } from '../../src/store/store.js';
import { storeConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'ovms-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function newPath(label: string): string {
  files++;
  return join(dir, `${label}-${files}.sqlite`);
}

function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

storeConformance('sqlite (file)', async () => {
  const path = newPath('conformance');
  const store = await openSqliteStore({ path });
  return {
    store,
    async cleanup() {
      await store.close();
      removeDatabase(path);
    },
  };
});

/** Opens a migrated store on `path` (a new file by default); closed when the test ends. */
async function open(t: { after(fn: () => unknown): void }, options: Partial<SqliteStoreOptions> = {}) {
  const store = await openSqliteStore({ path: newPath('sqlite'), ...options });
  t.after(() => store.close());
  await store.migrate();
  return store;
}

/** A second, independent connection: sees only what is committed. */
function rawQuery<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const status = (text: string): StoredMessage => ({
  code: 'S',
  payload: Buffer.from(text),
  time: new Date('2024-05-01T00:00:00Z'),
  paranoid: false,
  ptoken: '',
});
const KEY = '0123456789abcdef'.repeat(4);
const OTHER_KEY = 'fedcba9876543210'.repeat(4);

describe('SQLite store', () => {
  test('data survives close and reopen', async (t) => {
    const path = newPath('reopen');
    const first = await open(t, { path });
    const owner = await first.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'DEMO1' };
    await first.createVehicle({ ...ref, secret: 'pw' });
    await first.saveMessage(ref, status('kept'));
    await first.close();

    const second = await open(t, { path });
    assert.equal((await second.migrationStatus()).current, migrations.at(-1)?.version);
    assert.equal((await second.findVehicle('demo1'))?.secret, 'pw');
    assert.equal((await second.getMessages(ref))[0]?.payload.toString(), 'kept');
  });

  test('a new file reports schema version 0 until migrated; WAL mode is on', async (t) => {
    const path = newPath('fresh');
    const store = await openSqliteStore({ path });
    t.after(() => store.close());
    assert.deepEqual(await store.migrationStatus(), {
      current: 0,
      latest: migrations.at(-1)?.version,
      applied: [],
    });
    await store.migrate();
    assert.deepEqual(rawQuery(path, 'PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  });

  test('the parent directory is created, and :memory: works', async (t) => {
    const nested = join(dir, 'deeper', 'still', 'ovms.sqlite');
    const store = await open(t, { path: nested });
    await store.createOwner({ name: 'n', passwordHash: 'h' });
    assert.equal(rawQuery(nested, 'SELECT name FROM owners').length, 1);

    const memory = await open(t, { path: ':memory:' });
    await memory.createOwner({ name: 'm', passwordHash: 'h' });
    assert.equal((await memory.getOwnerByName('m'))?.name, 'm');
  });

  test('with a key configured, car secrets are not stored in plain text', async (t) => {
    const path = newPath('sealed');
    const store = await open(t, { path, secretBox: createSecretBox(KEY) });
    const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
    await store.createVehicle({ ownerId: owner.id, vehicleId: 'SEALED', secret: 'hunter2-very-secret' });
    assert.equal((await store.findVehicle('SEALED'))?.secret, 'hunter2-very-secret');

    const [row] = rawQuery<{ secret: string }>(path, 'SELECT secret FROM vehicles');
    assert.match(row?.secret ?? '', /^enc:v1:/);
    assert.ok(!row?.secret.includes('hunter2'));
    await store.close();
    assert.ok(!readFileSync(path).includes('hunter2-very-secret'), 'the secret appears nowhere in the file');
  });

  test('with a key configured, ABRP tokens are not stored in plain text either', async (t) => {
    const path = newPath('sealed-abrp');
    const store = await open(t, { path, secretBox: createSecretBox(KEY) });
    const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'SEALED' };
    await store.createVehicle({ ...ref, secret: 'pw' });
    await store.setAbrpToken(ref, 'abrp-token-0123456789');
    assert.equal((await store.getAbrpLink(ref))?.token, 'abrp-token-0123456789');
    const [row] = rawQuery<{ token: string }>(path, 'SELECT token FROM abrp_links');
    assert.match(row?.token ?? '', /^enc:v1:/);
    await store.close();
    assert.ok(!readFileSync(path).includes('abrp-token-0123456789'), 'the token appears nowhere in the file');

    const wrong = await open(t, { path, secretBox: createSecretBox(OTHER_KEY) });
    const [unreadable] = await wrong.listAbrpLinks();
    assert.equal(unreadable?.token, '', 'an unreadable token is never sent');
    assert.match(unreadable?.error ?? '', /secrets\.key/);
  });

  test('a wrong or missing key gives an error that says what to configure', async (t) => {
    const path = newPath('wrong-key');
    const sealed = await open(t, { path, secretBox: createSecretBox(KEY) });
    const owner = await sealed.createOwner({ name: 'alice', passwordHash: 'h' });
    await sealed.createVehicle({ ownerId: owner.id, vehicleId: 'SEALED', secret: 'pw' });
    await sealed.close();

    const clearly = (error: unknown) =>
      error instanceof Error && /secrets\.key/.test(error.message) && /OVMS_SECRETS_KEY/.test(error.message);
    const wrong = await open(t, { path, secretBox: createSecretBox(OTHER_KEY) });
    await assert.rejects(wrong.findVehicle('SEALED'), clearly);
    await wrong.close();
    const none = await open(t, { path });
    await assert.rejects(none.findVehicle('SEALED'), clearly);
  });

  test('a key can be added to a database that has plain secrets', async (t) => {
    const path = newPath('add-key');
    const plain = await open(t, { path });
    const owner = await plain.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'OLD' };
    await plain.createVehicle({ ...ref, secret: 'old-plain' });
    await plain.close();

    const keyed = await open(t, { path, secretBox: createSecretBox(KEY) });
    assert.equal((await keyed.findVehicle('OLD'))?.secret, 'old-plain');
    await keyed.setVehicleSecret(ref, 'new-sealed');
    assert.equal((await keyed.findVehicle('OLD'))?.secret, 'new-sealed');
    assert.match(
      rawQuery<{ secret: string }>(path, 'SELECT secret FROM vehicles')[0]?.secret ?? '',
      /^enc:v1:/,
    );
  });

  test('5000 saveMessage calls are group-committed and all on disk after flush()', async (t) => {
    const path = newPath('burst');
    const store = await open(t, { path });
    const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'BURST' };
    await store.createVehicle({ ...ref, secret: 'pw' });
    const before = store.writeStats.batches;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 5000; i++) writes.push(store.saveMessage(ref, { ...status(`m${i}`), code: `c${i}` }));
    await store.flush();
    assert.deepEqual(rawQuery(path, 'SELECT COUNT(*) AS n FROM messages'), [{ n: 5000 }]);
    await Promise.all(writes);
    const batches = store.writeStats.batches - before;
    assert.ok(batches >= 5 && batches <= 10, `5000 writes took ${batches} transactions`);
    assert.equal((await store.getMessages(ref)).length, 5000);
  });

  test('close() commits the writes still queued', async (t) => {
    const path = newPath('close');
    const store = await open(t, { path, batch: { maxDelayMs: 10_000 } });
    const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'CLOSE' };
    await store.createVehicle({ ...ref, secret: 'pw' });
    const saving = store.saveMessage(ref, status('last words'));
    await store.close();
    await saving;
    assert.deepEqual(rawQuery(path, "SELECT CAST(payload AS TEXT) AS p FROM messages WHERE code = 'S'"), [
      { p: 'last words' },
    ]);
    await assert.rejects(store.getOwner(owner.id), /closed/);
    await assert.rejects(store.saveMessage(ref, status('too late')), /closed/);
  });

  test('a failing write rejects alone; the rest of its batch is committed', async (t) => {
    const store = await open(t, { batch: { maxDelayMs: 10_000 } });
    const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'GOOD' };
    await store.createVehicle({ ...ref, secret: 'pw' });
    const results = await Promise.allSettled([
      store.saveMessage(ref, { ...status('one'), code: 'S' }),
      store.saveMessage({ ownerId: owner.id, vehicleId: 'NO-SUCH-CAR' }, status('orphan')),
      store.saveMessage(ref, { ...status('two'), code: 'D' }),
      store.flush(),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(
      (await store.getMessages(ref)).map((m) => m.payload.toString()),
      ['one', 'two'],
    );
    assert.equal(store.writeStats.retriedBatches, 1);
  });

  test('invalid input to a batched write rejects its promise', async (t) => {
    const store = await open(t);
    const ref = { ownerId: 1, vehicleId: 'ANY' };
    await assert.rejects(
      store.addUtilisation(ref, 'yesterday', { carRx: 1, carTx: 1, appRx: 1, appTx: 1 }),
      /YYYY-MM-DD/,
    );
    await assert.rejects(
      store.addUtilisation(ref, '2024-05-01', { carRx: -1, carTx: 0, appRx: 0, appTx: 0 }),
      /carRx/,
    );
    await assert.rejects(
      store.saveMessage(ref, { ...status('x'), time: new Date(Number.NaN) }),
      /valid date/,
    );
  });

  test('a database written by a newer ovms-server is refused', async (t) => {
    const path = newPath('newer');
    const store = await open(t, { path });
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, 'future', 0)").run();
    db.close();
    await assert.rejects(store.migrate(), /version 999, newer than this ovms-server/);
  });

  test('a failing migration is rolled back and not recorded', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      const broken = [
        ...migrations,
        { version: 99, name: 'broken', up: 'CREATE TABLE t2 (x); SELECT * FROM nowhere;' },
      ];
      assert.throws(() => migrate(db, broken), /migration 99 \(broken\) failed/);
      assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 't2'").get(), undefined);
      assert.equal(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()?.constructor, Object);
      assert.deepEqual(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get(), {
        v: migrations.at(-1)?.version,
      });
    } finally {
      db.close();
    }
  });
});
