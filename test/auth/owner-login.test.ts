import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashDrupalPassword, isDrupalHash } from '../../src/auth/drupal-hash.js';
import { authenticateOwner, hashOwnerPassword } from '../../src/auth/owner-login.js';
import { needsRehash, verifyPassword } from '../../src/auth/passwords.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

async function memoryStore(t: { after(fn: () => unknown): void }) {
  const store = await openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  await store.migrate();
  return store;
}

test('an owner imported with a Drupal hash logs in, and the hash becomes scrypt', async (t) => {
  const store = await memoryStore(t);
  const drupal = hashDrupalPassword('old site password', 8);
  await store.createOwner({ name: 'alice', passwordHash: drupal });

  assert.equal(await authenticateOwner(store, 'alice', 'wrong'), undefined);
  assert.equal((await store.getOwnerByName('alice'))?.passwordHash, drupal, 'a failed login changes nothing');

  const owner = await authenticateOwner(store, 'alice', 'old site password');
  assert.equal(owner?.name, 'alice');
  const stored = (await store.getOwnerByName('alice'))?.passwordHash ?? '';
  assert.match(stored, /^scrypt\$/);
  assert.equal(needsRehash(stored), false);
  assert.equal(await verifyPassword('old site password', stored), true);
  assert.equal((await authenticateOwner(store, 'alice', 'old site password'))?.id, owner?.id);
});

test('unknown owners and plain-text passwords outside Perl mode are refused', async (t) => {
  const store = await memoryStore(t);
  await store.createOwner({ name: 'bob', passwordHash: 'plain$secret' });
  assert.equal(await authenticateOwner(store, 'bob', 'secret'), undefined);
  assert.equal(await authenticateOwner(store, 'nobody', 'secret'), undefined);
});

test('new passwords are scrypt on our schema and Drupal 7 on a Perl-server database', async () => {
  assert.match(await hashOwnerPassword({ kind: 'sqlite' }, 'pw'), /^scrypt\$/);
  const perl = await hashOwnerPassword({ kind: 'perl-mysql' }, 'pw');
  assert.equal(isDrupalHash(perl), true);
  assert.equal(await verifyPassword('pw', perl), true);
});
