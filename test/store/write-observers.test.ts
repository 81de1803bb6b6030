import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import { createMysqlDatabase, createPostgresDatabase, type TestDatabase } from '../helpers/databases.js';

const sqlite = async (): Promise<TestDatabase> => {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-observe-'));
  return {
    url: `sqlite:${join(dir, 'db')}`,
    name: 'db',
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

for (const [name, create] of [
  ['sqlite', sqlite],
  ['postgres', createPostgresDatabase],
  ['mysql', createMysqlDatabase],
] as const) {
  test(`${name}: every observer of the store's writes hears of each committed batch, until it stops; the size is read from the catalogue`, async (t) => {
    const database = await create();
    t.after(() => database.drop());
    const store = await openStore(database.url);
    t.after(() => store.close());
    await store.migrate();
    const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
    const ref = { ownerId: owner.id, vehicleId: 'CAR1' };
    await store.createVehicle({ ...ref, secret: 's' });
    // Two nodes of one process share a store: each node's metrics observe it.
    const seen: [string, number, number, number][] = [];
    const observer = (who: string) => ({
      batch: (size: number, waitedMs: number, commitMs: number) => seen.push([who, size, waitedMs, commitMs]),
    });
    const stopA = store.observeWrites!(observer('a'));
    store.observeWrites!(observer('b'));
    const message = (text: string) => ({
      code: 'S',
      payload: Buffer.from(text),
      time: new Date(),
      paranoid: false,
      ptoken: '',
    });
    const D = { ...message('x'), code: 'D' };
    await Promise.all([store.saveMessage(ref, message('1')), store.saveMessage(ref, D)]);
    assert.deepEqual(
      seen.map(([who, size]) => [who, size]),
      [
        ['a', 2],
        ['b', 2],
      ],
    );
    for (const [, , waitedMs, commitMs] of seen) assert.ok(waitedMs >= 0 && commitMs >= 0);
    stopA();
    seen.length = 0;
    await store.saveMessage(ref, message('2'));
    assert.deepEqual(
      seen.map(([who, size]) => [who, size]),
      [['b', 1]],
    );
    const usage = await store.usage!();
    assert.ok(usage.bytes! > 0);
    if (name === 'sqlite') assert.equal(usage.historyRows, undefined);
    else assert.ok(usage.historyRows === undefined || usage.historyRows >= 0);
  });
}
