import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/**
 * A car streaming S faster than a batch commits rewrites the same rows (its latest S, and its S
 * history row of the current second) many times in one transaction; only the last write of each
 * row would be left. Such writes are merged while queued: one statement per row per batch.
 */
test('writes to the same message or history row within one batch are committed once, last wins', async (t) => {
  const store = await openSqliteStore({ path: ':memory:', batch: { maxDelayMs: 10_000, maxItems: 100_000 } });
  t.after(() => store.close());
  await store.migrate();
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'BURST' };
  await store.createVehicle({ ...ref, secret: 'pw' });
  const time = new Date(Math.floor(Date.now() / 1000) * 1000);
  const expires = new Date(time.getTime() + 86_400_000);
  const before = store.writeStats.committed;
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 1000; i++) {
    const payload = Buffer.from(`S ${i}`);
    writes.push(store.saveMessage(ref, { code: 'S', payload, time, paranoid: false, ptoken: '' }));
    writes.push(store.addHistory(ref, { type: 'S', recno: 0, timestamp: time, data: payload, expires }));
    if (i % 100 === 0)
      writes.push(
        store.saveMessage(ref, {
          code: 'D',
          payload: Buffer.from(`D ${i}`),
          time,
          paranoid: false,
          ptoken: '',
        }),
      );
  }
  await store.flush();
  await Promise.all(writes);
  assert.equal(store.writeStats.committed - before, 3, 'one write each for S, D and the S history row');
  const stored = await store.getMessages(ref);
  assert.deepEqual(
    stored.map((m) => `${m.code}=${m.payload.toString()}`),
    ['S=S 999', 'D=D 900'],
  );
  const rows = await store.historyRecords(ref, 'S');
  assert.deepEqual(
    rows.map((r) => r.data.toString()),
    ['S 999'],
  );
  // Once a batch has begun, a write to the same row is queued anew (and not lost).
  const later = store.saveMessage(ref, {
    code: 'S',
    payload: Buffer.from('after'),
    time,
    paranoid: false,
    ptoken: '',
  });
  await store.flush();
  await later;
  assert.equal((await store.getMessages(ref))[0]?.payload.toString(), 'after');
});

test('a batch that fills up commits inside the call that filled it, and later writes still land', async (t) => {
  const store = await openSqliteStore({ path: ':memory:', batch: { maxDelayMs: 10_000, maxItems: 3 } });
  t.after(() => store.close());
  await store.migrate();
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'FULL' };
  await store.createVehicle({ ...ref, secret: 'pw' });
  const time = new Date();
  const save = (code: string, text: string) =>
    store.saveMessage(ref, { code, payload: Buffer.from(text), time, paranoid: false, ptoken: '' });
  const writes = [save('A', '1'), save('B', '1'), save('C', '1'), save('C', '2'), save('A', '2')];
  await store.flush();
  await Promise.all(writes);
  assert.deepEqual(
    (await store.getMessages(ref)).map((m) => `${m.code}=${m.payload.toString()}`),
    ['A=2', 'B=1', 'C=2'],
  );
});
