import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/**
 * Found by the server suite under load: a car sends a new paranoid token, then a message under it.
 * The token is a direct write, the message a batched one; when the batch committed first, the
 * invalidation of messages stored under older tokens also removed the new message, and an app
 * logging in saw nothing. A batched write must not take effect before a direct write issued before it.
 */
test('a batched write issued after a direct write takes effect after it', async (t) => {
  const store = await openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  await store.migrate();
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'PARA' };
  await store.createVehicle({ ...ref, secret: 'pw' });
  const time = new Date();
  // As the server does for "ETone", "ETtwo", "EMDnew": two tokens, then a message under the second.
  const writes = [
    store.setParanoidToken(ref, 'one'),
    store.setParanoidToken(ref, 'two'),
    store.saveMessage(ref, { code: 'D', payload: Buffer.from('new'), time, paranoid: true, ptoken: 'two' }),
  ];
  await store.flush();
  await Promise.all(writes);
  const stored = await store.getMessages(ref);
  assert.deepEqual(
    stored.map((m) => `${m.code}:${m.payload.toString()}:${m.ptoken}`),
    ['D:new:two'],
  );
  assert.equal((await store.getVehicle(ref))?.ptoken, 'two');
});
