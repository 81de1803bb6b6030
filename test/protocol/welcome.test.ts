import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeDigest } from '../../src/protocol/digest.js';
import { checkSecret } from '../../src/protocol/handshake.js';
import { formatServerWelcome0, parseClientWelcome, parseServerWelcome } from '../../src/protocol/welcome.js';

test('runs of spaces and tabs between fields are accepted', () => {
  const w = parseClientWelcome('MP-C   0\tTok  okiuR6HX9INJj1E1TrhEiQ==    TESTCAR');
  assert.ok(w.kind === 'login' && w.scheme === 0);
  assert.equal(w.token, 'Tok');
  assert.equal(w.vehicleId, 'TESTCAR');
});

test('vehicle ids are upper-cased', () => {
  const w = parseClientWelcome('MP-A 0 tok dig testcar');
  assert.ok(w.kind === 'login');
  assert.equal(w.vehicleId, 'TESTCAR');
});

test('a trailing 5th field (iOS car image) is kept aside and ignored', () => {
  const w = parseClientWelcome('MP-A 0 tok dig TESTCAR car_roadster_lightninggreen.png');
  assert.ok(w.kind === 'login' && w.scheme === 0);
  assert.equal(w.vehicleId, 'TESTCAR');
  assert.equal(w.extra, 'car_roadster_lightninggreen.png');
});

test('batch and server client types parse', () => {
  for (const t of ['B', 'S'] as const) {
    const w = parseClientWelcome(`MP-${t} 0 tok dig X`);
    assert.ok(w.kind === 'login');
    assert.equal(w.clientType, t);
  }
});

test('invalid welcome lines give a reason and never throw', () => {
  for (const line of [
    '',
    'hello',
    'MP-X 0 a b c',
    'MP-C 0 a b',
    'MP-C 2 a b c',
    'AP-C',
    'GET / HTTP/1.1',
    'MP-C',
  ]) {
    const w = parseClientWelcome(line);
    assert.equal(w.kind, 'invalid', line);
    assert.ok(w.kind === 'invalid' && w.reason.length > 0);
  }
});

test('digest decoding accepts padded and unpadded, refuses other lengths and junk', () => {
  assert.equal(decodeDigest('okiuR6HX9INJj1E1TrhEiQ==')?.length, 16);
  assert.equal(decodeDigest('okiuR6HX9INJj1E1TrhEiQ')?.length, 16);
  assert.equal(decodeDigest('okiuR6HX9INJj1E1TrhE'), undefined);
  assert.equal(decodeDigest('okiuR6HX9INJj1E1TrhEiQ!!'), undefined);
  assert.equal(decodeDigest(''), undefined);
});

test('server reply format is strict: single spaces, no trailing blanks', () => {
  assert.equal(formatServerWelcome0('T', 'D=='), 'MP-S 0 T D==');
  const r = parseServerWelcome('MP-S 0 tok dig== ');
  assert.ok(r.kind === 'welcome0');
  // A car compares everything after the token, so a trailing blank makes the digest differ.
  assert.equal(r.digest, 'dig== ');
  assert.equal(parseServerWelcome('MP-S tok dig').kind, 'invalid');
});

test('secrets: empty, over 64 bytes and line breaks are refused', () => {
  assert.match(checkSecret('') ?? '', /empty/);
  assert.match(checkSecret('x'.repeat(65)) ?? '', /64 bytes/);
  assert.match(checkSecret('é'.repeat(33)) ?? '', /64 bytes/);
  assert.equal(checkSecret('x'.repeat(64)), undefined);
  assert.match(checkSecret('a\nb') ?? '', /line breaks/);
});
