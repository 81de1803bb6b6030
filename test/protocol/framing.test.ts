import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameLine, LineSplitter, LineTooLongError } from '../../src/protocol/framing.js';
import { Scheme0Codec, Scheme1Codec } from '../../src/protocol/line-codec.js';

function collect(max?: number) {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l.toString('latin1')), max);
  return { lines, splitter };
}

test('CR LF and bare LF both end a line; CR is removed', () => {
  const { lines, splitter } = collect();
  splitter.push(Buffer.from('one\r\ntwo\nthree\r\n'));
  assert.deepEqual(lines, ['one', 'two', 'three']);
});

test('empty lines are ignored', () => {
  const { lines, splitter } = collect();
  splitter.push(Buffer.from('\r\n\n\r\nx\r\n\r\n'));
  assert.deepEqual(lines, ['x']);
});

test('a line split at every byte boundary comes out whole', () => {
  const input = Buffer.from('MP-C 0 tok dig CAR\r\nsA49bqZB\r\n');
  for (let cut = 0; cut <= input.length; cut++) {
    const { lines, splitter } = collect();
    splitter.push(input.subarray(0, cut));
    splitter.push(input.subarray(cut));
    assert.deepEqual(lines, ['MP-C 0 tok dig CAR', 'sA49bqZB'], `cut at ${cut}`);
  }
});

test('byte-by-byte feeding, with CR and LF in separate reads', () => {
  const { lines, splitter } = collect();
  for (const b of Buffer.from('ab\r\ncd\n')) splitter.push(Buffer.from([b]));
  assert.deepEqual(lines, ['ab', 'cd']);
});

test('non-ASCII bytes pass through untouched', () => {
  const lines: Buffer[] = [];
  const splitter = new LineSplitter((l) => lines.push(Buffer.from(l)));
  const bytes = Buffer.from([0xc3, 0xa9, 0xff, 0x00, 0x80, 0x0a]);
  splitter.push(bytes);
  assert.deepEqual(lines[0], bytes.subarray(0, 5));
});

test('an over-long line is an error with a stable code, even across reads', () => {
  const { lines, splitter } = collect(10);
  assert.equal(splitter.push(Buffer.from('0123456789\n')), undefined);
  const err = splitter.push(Buffer.from('01234567890\n'));
  assert.ok(err instanceof LineTooLongError);
  assert.equal(err.code, 'OVMS_ERR_LINE_TOO_LONG');
  assert.deepEqual(lines, ['0123456789']);

  const b = collect(10);
  assert.equal(b.splitter.push(Buffer.from('012345')), undefined);
  assert.ok(b.splitter.push(Buffer.from('789012')) instanceof LineTooLongError);
  // Once failed, nothing more is delivered.
  assert.ok(b.splitter.push(Buffer.from('ok\n')) instanceof LineTooLongError);
  assert.deepEqual(b.lines, []);
});

test('a line of exactly the limit is accepted with CR LF pending in the next read', () => {
  const { lines, splitter } = collect(4);
  assert.equal(splitter.push(Buffer.from('abcd\r')), undefined);
  assert.equal(splitter.push(Buffer.from('\n')), undefined);
  assert.deepEqual(lines, ['abcd']);
});

test('frameLine appends CR LF', () => {
  assert.equal(frameLine('MP-S 0 a b').toString(), 'MP-S 0 a b\r\n');
});

test('scheme 0 codec round-trips arbitrary bytes', () => {
  const key = Buffer.alloc(16, 7);
  const a = new Scheme0Codec(key);
  const b = new Scheme0Codec(key);
  const payload = Buffer.from([0, 1, 0xff, 0x0d, 0x0a, 0xc3, 0xa9, 0x2c]);
  const line = a.encode('P', payload);
  assert.ok(line.subarray(-2).equals(Buffer.from('\r\n')));
  const got = b.decode(line.subarray(0, -2));
  assert.ok(got.ok);
  assert.equal(got.message.code, 'P');
  assert.deepEqual(got.message.payload, payload);
});

test('scheme 1 codec is plain text', () => {
  const c = new Scheme1Codec();
  assert.equal(c.encode('Z', '1').toString(), 'Z1\r\n');
  const got = c.decode(Buffer.from('C7,stat'));
  assert.ok(got.ok);
  assert.equal(got.message.code, 'C');
  assert.equal(got.message.payload.toString(), '7,stat');
});
