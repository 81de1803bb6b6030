import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OpenedSecrets } from '../../src/store/opened-secrets.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const KEY = 'a'.repeat(64);
const dir = mkdtempSync(join(tmpdir(), 'ovms-opened-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a sealed secret is opened once, then answered from the cache', () => {
  const cache = new OpenedSecrets();
  let opened = 0;
  const open = (sealed: string) => {
    opened++;
    return `plain of ${sealed}`;
  };
  assert.equal(cache.get('enc:v1:one', open), 'plain of enc:v1:one');
  assert.equal(cache.get('enc:v1:one', open), 'plain of enc:v1:one');
  assert.equal(opened, 1);
  assert.equal(cache.get('enc:v1:two', open), 'plain of enc:v1:two');
  assert.equal(opened, 2);
});

test('the cache is bounded: the least recently used entry goes', () => {
  const cache = new OpenedSecrets(2);
  let opened = 0;
  const open = (sealed: string) => {
    opened++;
    return sealed.toUpperCase();
  };
  cache.get('a', open);
  cache.get('b', open);
  cache.get('a', open); // a is now the most recently used
  cache.get('c', open); // b goes
  assert.equal(cache.size, 2);
  assert.equal(opened, 3);
  cache.get('a', open);
  assert.equal(opened, 3, 'a was kept');
  cache.get('b', open);
  assert.equal(opened, 4, 'b was opened again');
});

test('a failure to open is not cached', () => {
  const cache = new OpenedSecrets();
  assert.throws(() =>
    cache.get('enc:v1:bad', () => {
      throw new Error('wrong key');
    }),
  );
  assert.equal(cache.size, 0);
  assert.equal(
    cache.get('enc:v1:bad', () => 'now it opens'),
    'now it opens',
  );
});

test('a secret changed by another process (the CLI) is never answered from the cache', async (t) => {
  const path = join(dir, 'passwd.db');
  // The server's store, and a second one on the same file as `ovms-server vehicle passwd` opens it.
  const server = await openSqliteStore({ path, secretBox: createSecretBox(KEY) });
  t.after(() => server.close());
  await server.migrate();
  const owner = await server.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'CAR1' };
  await server.createVehicle({ ...ref, secret: 'first-secret' });
  assert.equal((await server.findVehicle('CAR1'))?.secret, 'first-secret');
  assert.equal((await server.getVehicle(ref))?.secret, 'first-secret');

  const cli = await openSqliteStore({ path, secretBox: createSecretBox(KEY) });
  await cli.setVehicleSecret(ref, 'second-secret');
  await cli.close();
  assert.equal((await server.findVehicle('CAR1'))?.secret, 'second-secret');

  // Set back to the first value: sealed again with a new IV, so again a different text.
  await server.setVehicleSecret(ref, 'first-secret');
  assert.equal((await server.findVehicle('CAR1'))?.secret, 'first-secret');
});
