import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecretBox, deriveSecretKey, plainSecretBox } from '../../src/store/secret-box.js';

const HEX_KEY = '00112233445566778899aabbccddeeff'.repeat(2);
const SEALED = /^enc:v1:([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]*)$/;
const namesTheSetting = (error: unknown) =>
  error instanceof Error &&
  error.message.includes('secrets.key') &&
  error.message.includes('OVMS_SECRETS_KEY');

test('the plain box stores secrets as they are', () => {
  assert.equal(plainSecretBox.seal('hunter2'), 'hunter2');
  assert.equal(plainSecretBox.open('hunter2'), 'hunter2');
  assert.equal(plainSecretBox.open(''), '');
});

test('the plain box cannot open sealed values and says which setting is missing', () => {
  const sealed = createSecretBox(HEX_KEY).seal('hunter2');
  assert.throws(() => plainSecretBox.open(sealed), namesTheSetting);
  assert.throws(() => plainSecretBox.seal('enc:looks-sealed'), /enc:/);
});

test('a keyed box seals as enc:v1 with a 12-byte IV and 16-byte tag, and opens it again', () => {
  const box = createSecretBox(HEX_KEY);
  const sealed = box.seal('hunter2');
  const match = SEALED.exec(sealed);
  assert.ok(match, sealed);
  assert.equal(Buffer.from(match[1] ?? '', 'base64').length, 12);
  assert.equal(Buffer.from(match[2] ?? '', 'base64').length, 16);
  assert.ok(!sealed.includes('hunter2'));
  assert.equal(box.open(sealed), 'hunter2');
  assert.notEqual(box.seal('hunter2'), sealed, 'a fresh IV every time');
  for (const secret of ['', 'p@ss wörd 🚗', 'x'.repeat(1000), 'enc:v1:inside']) {
    assert.equal(box.open(box.seal(secret)), secret);
  }
});

test('plain values open unchanged, so a key can be added to an existing database', () => {
  assert.equal(createSecretBox(HEX_KEY).open('legacy-plain'), 'legacy-plain');
});

test('the wrong key, tampering or a damaged value give clear errors', () => {
  const sealed = createSecretBox(HEX_KEY).seal('hunter2');
  assert.throws(() => createSecretBox('ff'.repeat(32)).open(sealed), namesTheSetting);
  const [prefix, version, iv, tag, ciphertext = ''] = sealed.split(':');
  const flipped = Buffer.from(ciphertext, 'base64');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  const tampered = [prefix, version, iv, tag, flipped.toString('base64')].join(':');
  assert.throws(() => createSecretBox(HEX_KEY).open(tampered), /cannot decrypt/);
  assert.throws(() => createSecretBox(HEX_KEY).open('enc:v1:short'), /damaged/);
  assert.throws(() => createSecretBox(HEX_KEY).open('enc:v9:a:b:c'), /enc:v9/);
});

test('keys: 64 hex characters and 44-character base64 are raw key bytes; anything else is a passphrase', () => {
  const raw = Buffer.from(HEX_KEY, 'hex');
  assert.deepEqual(deriveSecretKey(HEX_KEY), raw);
  assert.deepEqual(deriveSecretKey(raw.toString('base64')), raw);
  const fromHex = createSecretBox(HEX_KEY);
  const fromBase64 = createSecretBox(raw.toString('base64'));
  assert.equal(fromBase64.open(fromHex.seal('same key')), 'same key');

  const passphrase = 'a long passphrase nobody will guess';
  assert.equal(deriveSecretKey(passphrase).length, 32);
  assert.notDeepEqual(deriveSecretKey(passphrase), raw);
  const sealed = createSecretBox(passphrase).seal('via passphrase');
  assert.equal(createSecretBox(passphrase).open(sealed), 'via passphrase');
  assert.throws(() => createSecretBox(`${passphrase}!`).open(sealed), namesTheSetting);
  assert.throws(() => createSecretBox('   '), namesTheSetting);
});
