import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mpDecodeForDisplay, mpEncode } from '../../src/protocol/mp-encoding.js';

test('CR LF and bare LF become one CR; a bare CR stays', () => {
  assert.equal(mpEncode('Line 1\r\nLine 2\nLine 3\rLine 4'), 'Line 1\rLine 2\rLine 3\rLine 4');
  assert.equal(mpEncode('\n\n'), '\r\r');
  assert.equal(mpEncode('\r\n\r\n'), '\r\r');
  assert.equal(mpEncode('\r\r\n'), '\r\r');
});

test('commas become semicolons', () => {
  assert.equal(mpEncode('LTE,Online'), 'LTE;Online');
  assert.equal(mpEncode(',,'), ';;');
});

test('other text, including non-ASCII, is untouched', () => {
  assert.equal(mpEncode('Ladung beendet: 80 % – Zeit 1:23'), 'Ladung beendet: 80 % – Zeit 1:23');
  assert.equal(mpEncode(''), '');
});

test('the result never contains a comma or LF', () => {
  const alphabet = ['a', ',', '\r', '\n', ' ', 'é', ';'];
  let seed = 7;
  for (let i = 0; i < 500; i++) {
    let text = '';
    for (let n = 0; n < 12; n++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      text += alphabet[seed % alphabet.length];
    }
    const encoded = mpEncode(text);
    assert.doesNotMatch(encoded, /[,\n]/, JSON.stringify(text));
  }
});

test('display decoding turns CR into newlines', () => {
  assert.equal(mpDecodeForDisplay('State: Connected\rOK'), 'State: Connected\nOK');
  assert.equal(mpDecodeForDisplay(mpEncode('a\r\nb\nc')), 'a\nb\nc');
  assert.equal(mpDecodeForDisplay('no breaks; here'), 'no breaks; here');
});
