import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { test } from 'node:test';
import {
  hashApiToken,
  hashPassword,
  needsRehash,
  newApiToken,
  verifyPassword,
} from '../../src/auth/passwords.js';

const FORMAT = /^scrypt\$16384\$8\$1\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** A hash with other parameters, built independently of the module. */
function scryptHash(plain: string, N: number, keyBytes = 32): string {
  const salt = randomBytes(16);
  const key = scryptSync(plain, salt, keyBytes, { N, r: 8, p: 1 });
  return `scrypt$${N}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
}

test('hashPassword produces the self-describing scrypt format with a 16-byte salt and 32-byte key', async () => {
  const stored = await hashPassword('correct horse');
  const match = FORMAT.exec(stored);
  assert.ok(match, stored);
  assert.equal(Buffer.from(match[1] ?? '', 'base64').length, 16);
  assert.equal(Buffer.from(match[2] ?? '', 'base64').length, 32);
  assert.notEqual(await hashPassword('correct horse'), stored, 'a fresh salt every time');
});

test('the right password verifies, a wrong one does not', async () => {
  const stored = await hashPassword('correct horse');
  assert.equal(await verifyPassword('correct horse', stored), true);
  assert.equal(await verifyPassword('correct horsE', stored), false);
  assert.equal(await verifyPassword('', stored), false);
  const unicode = await hashPassword('pässwörd 🚗');
  assert.equal(await verifyPassword('pässwörd 🚗', unicode), true);
  assert.equal(await verifyPassword('passwort 🚗', unicode), false);
});

test('the hash matches an independent scrypt computation', async () => {
  const stored = await hashPassword('check me');
  const [, , , , salt = '', key = ''] = stored.split('$');
  const expected = scryptSync('check me', Buffer.from(salt, 'base64'), 32, { N: 16384, r: 8, p: 1 });
  assert.equal(key, expected.toString('base64'));
});

test('hashes with other scrypt parameters still verify, and ask to be rehashed', async () => {
  const weaker = scryptHash('old one', 1024);
  assert.equal(await verifyPassword('old one', weaker), true);
  assert.equal(await verifyPassword('old two', weaker), false);
  assert.equal(needsRehash(weaker), true);
  const longerKey = scryptHash('old one', 16384, 64);
  assert.equal(await verifyPassword('old one', longerKey), true);
  assert.equal(needsRehash(longerKey), true);
  assert.equal(needsRehash(await hashPassword('new one')), false);
});

test('unknown or damaged formats never verify and never throw', async () => {
  const good = await hashPassword('pw');
  const parts = good.split('$');
  const damaged = [
    '',
    'pw',
    '$S$DxVn7wubSRzoK9X2pkGx4njeDRkLEgdqPphc2ZXkkb8Viy8JEGf3', // Drupal 7, of another password
    'scrypt$',
    'scrypt$16384$8$1$onlysalt',
    parts.with(1, '1000').join('$'), // N not a power of two
    parts.with(1, String(2 ** 30)).join('$'), // absurd memory
    parts.with(2, '0').join('$'),
    parts.with(4, 'not base64!').join('$'),
    parts.with(5, '').join('$'),
    `${good}$extra`,
  ];
  for (const stored of damaged) {
    assert.equal(await verifyPassword('pw', stored), false, stored);
    assert.equal(needsRehash(stored), true, stored);
  }
});

test('API tokens: 64 random hex characters, stored as their SHA-256', () => {
  const a = newApiToken();
  const b = newApiToken();
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, b);
  assert.equal(hashApiToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.match(hashApiToken(a), /^[0-9a-f]{64}$/);
  assert.notEqual(hashApiToken(a), a);
});
