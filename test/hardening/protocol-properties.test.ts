import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeDigest, digestB64, sessionKey } from '../../src/protocol/digest.js';
import { frameLine, LineSplitter } from '../../src/protocol/framing.js';
import { completeClientHandshake, verifyClientDigest } from '../../src/protocol/handshake.js';
import { Scheme0Codec, Scheme1Codec } from '../../src/protocol/line-codec.js';
import { decodeMessage } from '../../src/protocol/messages/index.js';
import { formatScheme0Welcome, parseClientWelcome, parseServerWelcome } from '../../src/protocol/welcome.js';

/**
 * Property-based tests: whatever bytes a network delivers, the framing, the codecs and the
 * handshake parsers return a result, never throw, and never take long. Each property runs a few
 * hundred random cases; fast-check prints the seed and the shrunk input of any failure.
 */

const RUNS = { numRuns: 300 };
/** A parse that takes this long on a ≤ 70 KB input is a hang (catastrophic regex, quadratic loop). */
const SLOW_MS = 250;

function quick<T>(what: string, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const took = performance.now() - started;
  assert.ok(took < SLOW_MS, `${what} took ${took.toFixed(0)} ms`);
  return result;
}

/** Bytes biased towards what matters to framing: LF, CR, spaces, base64 and high bytes. */
const wireByte = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x20, 0x00, 0xff, 0x3d) },
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 255 }) },
);
const wireBytes = (maxLength: number) => fc.array(wireByte, { maxLength }).map((a) => Buffer.from(a));
/** Chunks as TCP might cut them, sometimes with one very long run. */
const chunks = fc.array(
  fc.oneof(
    { weight: 9, arbitrary: wireBytes(200) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70_000 }).map((n) => Buffer.alloc(n, 0x41)) },
  ),
  { maxLength: 12 },
);

/** What the splitter must do, computed on the whole input at once: the lines, and whether it fails. */
function modelSplit(input: Buffer, max: number): { lines: string[]; failed: boolean } {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const lf = input.indexOf(0x0a, start);
    if (lf < 0) break;
    let line = input.subarray(start, lf);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (line.length > max) return { lines, failed: true };
    if (line.length > 0) lines.push(line.toString('latin1'));
    start = lf + 1;
  }
  return { lines, failed: input.length - start > max + 1 };
}

test('framing: any chunks of any bytes give the same lines as splitting the whole input', () => {
  fc.assert(
    fc.property(chunks, fc.integer({ min: 1, max: 70_000 }), (parts, max) => {
      const got: string[] = [];
      const splitter = new LineSplitter((l) => got.push(l.toString('latin1')), max);
      let failed = false;
      quick('LineSplitter.push', () => {
        for (const part of parts) if (splitter.push(part)) failed = true;
      });
      const want = modelSplit(Buffer.concat(parts), max);
      assert.equal(failed, want.failed);
      assert.deepEqual(got, want.lines);
    }),
    RUNS,
  );
});

test('framing: a failed splitter delivers nothing more and keeps failing', () => {
  fc.assert(
    fc.property(wireBytes(300), (more) => {
      const got: Buffer[] = [];
      const splitter = new LineSplitter((l) => got.push(l), 8);
      assert.ok(splitter.push(Buffer.from('0123456789\n')));
      assert.ok(splitter.push(more));
      assert.equal(got.length, 0);
      assert.equal(splitter.buffered, 0);
    }),
    RUNS,
  );
});

test('framing: frameLine output splits back into the same line', () => {
  fc.assert(
    fc.property(wireBytes(500), (body) => {
      const line = Buffer.from(body.filter((b) => b !== 0x0a && b !== 0x0d));
      fc.pre(line.length > 0);
      const got: Buffer[] = [];
      new LineSplitter((l) => got.push(Buffer.from(l))).push(frameLine(line));
      assert.deepEqual(got, [line]);
    }),
    RUNS,
  );
});

test('codec: decoding any line with either scheme returns a result and never throws', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), wireBytes(2000), (key, line) => {
      const r0 = quick('Scheme0Codec.decode', () => new Scheme0Codec(key).decode(line));
      assert.equal(typeof r0.ok, 'boolean');
      if (r0.ok) assert.equal(r0.message.code.length, 1);
      const r1 = new Scheme1Codec().decode(line);
      assert.equal(r1.ok, line.length > 0);
    }),
    RUNS,
  );
});

const message = fc.record({
  code: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  payload: fc.uint8Array({ maxLength: 300 }),
});

test('codec: scheme 0 messages survive encode → bytes in any chunks → decode, in order', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.array(message, { maxLength: 20 }),
      fc.integer({ min: 1, max: 97 }),
      (key, messages, cut) => {
        const sender = new Scheme0Codec(key);
        const receiver = new Scheme0Codec(key);
        const wire = Buffer.concat(messages.map((m) => sender.encode(m.code, m.payload)));
        const got: { code: string; payload: Uint8Array }[] = [];
        const splitter = new LineSplitter((l) => {
          const r = receiver.decode(l);
          assert.ok(r.ok);
          got.push({ code: r.message.code, payload: new Uint8Array(r.message.payload) });
        });
        for (let i = 0; i < wire.length; i += cut) splitter.push(wire.subarray(i, i + cut));
        assert.deepEqual(
          got,
          messages.map((m) => ({ code: m.code, payload: m.payload })),
        );
      },
    ),
    RUNS,
  );
});

test('codec: truncated, flipped or foreign-key scheme 0 lines never throw', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      message,
      fc.nat(),
      fc.nat(),
      fc.constantFrom('truncate', 'flip', 'foreign', 'unpad'),
      (key, m, a, b, how) => {
        let line = new Scheme0Codec(key).encode(m.code, m.payload).subarray(0, -2);
        if (how === 'truncate') line = line.subarray(0, a % (line.length + 1));
        if (how === 'flip') {
          line = Buffer.from(line);
          if (line.length > 0) line[a % line.length] = b % 256;
        }
        if (how === 'unpad') line = Buffer.from(line.toString('latin1').replace(/=+$/, ''), 'latin1');
        const receiver = new Scheme0Codec(how === 'foreign' ? new Uint8Array(16).fill(b % 256) : key);
        const r = receiver.decode(line);
        // A line that still decodes must keep the receiver usable for the next line.
        assert.equal(typeof r.ok, 'boolean');
        assert.equal(typeof receiver.decode(Buffer.from('QUJD')).ok, 'boolean');
      },
    ),
    RUNS,
  );
});

/** Text biased towards welcome-line shapes: prefixes, spaces, base64 and any characters. */
const welcomeish = fc.oneof(
  fc.string({ maxLength: 300, unit: 'binary' }),
  fc
    .tuple(
      fc.constantFrom('MP-C', 'MP-A', 'MP-B', 'MP-S', 'AP-C', 'MP-', 'MP-X', 'GET', ''),
      fc.array(fc.string({ maxLength: 40, unit: 'binary-ascii' }), { maxLength: 8 }),
      fc.constantFrom(' ', '  ', '\t', ' \v ', '\u00a0'),
    )
    .map(([head, rest, sep]) => [head, ...rest].join(sep)),
  fc.integer({ min: 0, max: 70_000 }).map((n) => `MP-C 0 ${'A'.repeat(n)} x y`),
);

test('handshake: any welcome line parses to a result without throwing or hanging', () => {
  fc.assert(
    fc.property(welcomeish, fc.string({ maxLength: 64 }), (line, secret) => {
      const w = quick('parseClientWelcome', () => parseClientWelcome(line));
      assert.ok(['login', 'autoprovision', 'invalid'].includes(w.kind));
      if (w.kind === 'login' && w.scheme === 0 && secret.length > 0) {
        assert.equal(
          quick('verifyClientDigest', () => verifyClientDigest(secret, w)),
          w.digest.replace(/=+$/, '') === digestB64(secret, w.token).replace(/=+$/, ''),
        );
      }
      const reply = quick('parseServerWelcome', () => parseServerWelcome(line));
      assert.equal(typeof reply.kind, 'string');
      const done = completeClientHandshake(secret || 'x', 'ClientToken', reply);
      assert.equal(typeof done.ok, 'boolean');
      assert.ok(decodeDigest(line) === undefined || decodeDigest(line)?.length === 16);
    }),
    RUNS,
  );
});

test('handshake: well-formed scheme 0 welcome lines round-trip, whatever the token and id', () => {
  const field = fc.stringMatching(/^[!-~]{1,40}$/);
  fc.assert(
    fc.property(fc.constantFrom('C', 'A', 'B'), field, field, field, (clientType, token, digest, vid) => {
      const w = parseClientWelcome(formatScheme0Welcome({ clientType, token, digest, vehicleId: vid }));
      assert.deepEqual(w, {
        kind: 'login',
        scheme: 0,
        clientType,
        token,
        digest,
        vehicleId: vid.toUpperCase(),
        extra: '',
      });
    }),
    RUNS,
  );
});

test('handshake: a client accepts a server reply only with the right digest for its secret', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[A-Za-z0-9+/]{22}$/),
      fc.string({ minLength: 1, maxLength: 64 }),
      (tok, secret) => {
        fc.pre(tok !== 'ClientToken');
        const good = parseServerWelcome(`MP-S 0 ${tok} ${digestB64(secret, tok)}`);
        const done = completeClientHandshake(secret, 'ClientToken', good);
        assert.ok(done.ok);
        // The codec it returns talks to a server codec keyed with the same session key.
        const server = new Scheme0Codec(sessionKey(secret, tok, 'ClientToken'));
        const r = server.decode(done.codec.encode('A').subarray(0, -2));
        assert.ok(r.ok && r.message.code === 'A');
        const bad = parseServerWelcome(`MP-S 0 ${tok} ${digestB64(`${secret}x`, tok)}`);
        assert.equal(completeClientHandshake(secret, 'ClientToken', bad).ok, false);
      },
    ),
    RUNS,
  );
});

test('messages: the catalogue decodes any payload of any code from any side without throwing', () => {
  const code = fc.oneof(
    fc.constantFrom(...'SDLFWYPcChHEgGpTZaAfVXx'.split('')),
    fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  );
  const payload = fc.oneof(
    fc.string({ maxLength: 600, unit: 'binary' }),
    fc
      .array(fc.oneof(fc.integer().map(String), fc.constantFrom('', '-', '1e999', 'NaN', '0x1f', ' ')), {
        maxLength: 60,
      })
      .map((a) => a.join(',')),
  );
  fc.assert(
    fc.property(code, payload, fc.constantFrom('car', 'app', 'server'), (c, p, origin) => {
      const m = quick('decodeMessage', () => decodeMessage(c + p, origin as 'car' | 'app' | 'server'));
      assert.equal(typeof m.kind, 'string');
    }),
    { numRuns: 1000 },
  );
});
