import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashDrupalPassword, isDrupalHash, verifyDrupalPassword } from '../../src/auth/drupal-hash.js';
import { hashPassword, needsRehash, verifyPassword } from '../../src/auth/passwords.js';

// A published Drupal 7 hash of the password "hashcat" (hashcat's example for its mode 7900),
// computed by Drupal's own code, not ours.
const KNOWN = '$S$C33783772bRXEx1aCsvY.dqgaaSu76XmVlKrW9Qu8IQlvxHlmzLf';

test('a Drupal 7 hash made by Drupal verifies with its password only', async () => {
  assert.equal(verifyDrupalPassword('hashcat', KNOWN), true);
  assert.equal(verifyDrupalPassword('Hashcat', KNOWN), false);
  assert.equal(await verifyPassword('hashcat', KNOWN), true);
  assert.equal(await verifyPassword('hashcat ', KNOWN), false);
  assert.equal(needsRehash(KNOWN), true, 'a Drupal hash is replaced by scrypt at the next login');
});

test('hashes we make have the Drupal 7 layout and verify', async () => {
  const hash = hashDrupalPassword('p@ss wörd');
  assert.match(hash, /^\$S\$D[./0-9A-Za-z]{51}$/, 'cost 2^15 is "D"; 55 characters');
  assert.equal(isDrupalHash(hash), true);
  assert.equal(await verifyPassword('p@ss wörd', hash), true);
  assert.equal(await verifyPassword('p@ss word', hash), false);
  assert.notEqual(hashDrupalPassword('p@ss wörd'), hash, 'a fresh salt each time');
});

test('damaged Drupal hashes and absurd costs never verify', async () => {
  const good = hashDrupalPassword('pw', 8);
  for (const stored of [
    good.slice(0, 54),
    `${good.slice(0, 3)}/${good.slice(4)}`, // cost 2^1: below Drupal's minimum
    `${good.slice(0, 3)}z${good.slice(4)}`, // cost 2^63: far above what we run
    `${good.slice(0, 20)}${good[20] === 'a' ? 'b' : 'a'}${good.slice(21)}`,
  ]) {
    assert.equal(await verifyPassword('pw', stored), false, stored);
  }
  assert.throws(() => hashDrupalPassword('x'.repeat(513)), /512 bytes/);
});

test('plain-text stored passwords verify only when the caller allows them (Perl mode)', async () => {
  assert.equal(await verifyPassword('secret', 'plain$secret'), false);
  assert.equal(await verifyPassword('secret', 'plain$secret', { plainText: true }), true);
  assert.equal(await verifyPassword('Secret', 'plain$secret', { plainText: true }), false);
  assert.equal(await verifyPassword('secret', 'secret', { plainText: true }), false, 'only tagged values');
  assert.equal(needsRehash('plain$secret'), true);
  assert.equal(needsRehash(await hashPassword('x')), false);
});
