import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decryptProvision, encryptProvision } from '../../src/protocol/autoprovision.js';
import { decodeDigest, digestB64, hmacMd5, sessionKey } from '../../src/protocol/digest.js';
import {
  acceptClient,
  clientWelcomeLine,
  completeClientHandshake,
  verifyClientDigest,
} from '../../src/protocol/handshake.js';
import { Scheme0Codec } from '../../src/protocol/line-codec.js';
import { decryptParanoid, encryptParanoid } from '../../src/protocol/paranoid.js';
import { Rc4 } from '../../src/protocol/rc4.js';
import {
  formatAutoProvisionReply,
  formatScheme1Welcome,
  formatServerWelcome1,
  parseClientWelcome,
  parseServerWelcome,
} from '../../src/protocol/welcome.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8'));

const CRLF = '\r\n';
const strip = (line: string) => (line.endsWith(CRLF) ? line.slice(0, -2) : line);
/** 'MP-0 S80.5,...' -> ['S', '80.5,...'] */
const split = (plaintext: string) => {
  assert.ok(plaintext.startsWith('MP-0 '));
  return [plaintext[5]!, plaintext.slice(6)] as const;
};

describe('primitives', () => {
  for (const v of vectors.primitives.hmac_md5) {
    test(`HMAC-MD5 ${v.key} / ${v.msg}`, () => {
      assert.equal(hmacMd5(v.key, v.msg).toString('hex'), v.hex);
      assert.equal(digestB64(v.key, v.msg), v.b64);
      assert.equal(decodeDigest(v.b64)?.toString('hex'), v.hex);
      assert.equal(decodeDigest(v.b64_unpadded)?.toString('hex'), v.hex);
    });
  }
  for (const v of vectors.primitives.rc4) {
    test(`RC4 keystream ${v.key_hex}`, () => {
      const rc4 = new Rc4(Buffer.from(v.key_hex, 'hex'));
      assert.equal(Buffer.from(rc4.process(new Uint8Array(16))).toString('hex'), v.keystream_0_16_hex);
      rc4.skip(1024 - 16);
      assert.equal(Buffer.from(rc4.process(new Uint8Array(16))).toString('hex'), v.keystream_1024_1040_hex);
    });
  }
});

for (const name of ['car_session', 'app_session', 'suggested_inputs_session']) {
  const s = vectors[name];
  const { shared_secret: secret, client_token: clientToken, server_token: serverToken } = s.inputs;

  describe(name, () => {
    test('client welcome line is formatted and parsed exactly', () => {
      const line = clientWelcomeLine({
        secret,
        clientType: s.inputs.client_type,
        vehicleId: s.inputs.vehicle_id,
        clientToken,
      });
      assert.equal(line + CRLF, s.client_welcome_line);
      const parsed = parseClientWelcome(strip(s.client_welcome_line));
      assert.equal(parsed.kind, 'login');
      assert.ok(parsed.kind === 'login' && parsed.scheme === 0);
      assert.equal(parsed.vehicleId, s.inputs.vehicle_id);
      assert.equal(parsed.token, clientToken);
      assert.ok(verifyClientDigest(secret, parsed));
      assert.ok(verifyClientDigest(secret, { token: clientToken, digest: s.client_digest_b64_unpadded }));
      assert.ok(!verifyClientDigest(`${secret}x`, parsed));
    });

    test('server welcome line, session key and keystream', () => {
      const accepted = acceptClient(secret, clientToken, () => serverToken);
      assert.equal(accepted.reply + CRLF, s.server_welcome_line);
      assert.equal(sessionKey(secret, serverToken, clientToken).toString('hex'), s.session_key_hex);
      const rc4 = new Rc4(Buffer.from(s.session_key_hex, 'hex')).skip(1024);
      assert.equal(
        Buffer.from(rc4.process(new Uint8Array(32))).toString('hex'),
        s.keystream_after_1024_discard_first32_hex,
      );
      const done = completeClientHandshake(
        secret,
        clientToken,
        parseServerWelcome(strip(s.server_welcome_line)),
      );
      assert.ok(done.ok);
    });

    test('every line in both directions, byte for byte and in order', () => {
      const server = acceptClient(secret, clientToken, () => serverToken).codec;
      const done = completeClientHandshake(
        secret,
        clientToken,
        parseServerWelcome(strip(s.server_welcome_line)),
      );
      assert.ok(done.ok);
      const client = done.codec;
      for (const { plaintext, wire } of s.client_to_server) {
        const [code, payload] = split(plaintext);
        assert.equal(client.encode(code, Buffer.from(payload, 'latin1')).toString('latin1'), wire);
        const got = server.decode(Buffer.from(strip(wire), 'latin1'));
        assert.ok(got.ok);
        assert.equal(got.message.code, code);
        assert.equal(got.message.payload.toString('latin1'), payload);
      }
      for (const { plaintext, wire } of s.server_to_client) {
        const [code, payload] = split(plaintext);
        assert.equal(server.encode(code, Buffer.from(payload, 'latin1')).toString('latin1'), wire);
        const got = client.decode(Buffer.from(strip(wire), 'latin1'));
        assert.ok(got.ok);
        assert.equal(got.message.code + got.message.payload.toString('latin1'), code + payload);
      }
    });
  });
}

describe('handshake failures a client detects', () => {
  const s = vectors.car_session;
  const { shared_secret: secret, client_token: clientToken } = s.inputs;
  test('wrong server digest', () => {
    const r = completeClientHandshake(
      secret,
      clientToken,
      parseServerWelcome(`MP-S 0 ${s.inputs.server_token} ${s.client_digest_b64}`),
    );
    assert.deepEqual(r.ok, false);
  });
  test('unpadded server digest is refused as a car would', () => {
    const r = completeClientHandshake(
      secret,
      clientToken,
      parseServerWelcome(`MP-S 0 ${s.inputs.server_token} ${s.server_digest_b64.replace(/=+$/, '')}`),
    );
    assert.equal(r.ok, false);
  });
  test('token replay', () => {
    const digest = digestB64(secret, clientToken);
    const r = completeClientHandshake(
      secret,
      clientToken,
      parseServerWelcome(`MP-S 0 ${clientToken} ${digest}`),
    );
    assert.ok(!r.ok && /replay/.test(r.error));
  });
  test('a server never reuses the client token', () => {
    const tokens = [clientToken, 'Other0123456789abcdefg'];
    const r = acceptClient(secret, clientToken, () => tokens.shift()!);
    assert.equal(r.serverToken, 'Other0123456789abcdefg');
  });
  test('a line that does not decrypt to MP-0 is an error', () => {
    const codec = new Scheme0Codec(Buffer.from(s.session_key_hex, 'hex'));
    const r = codec.decode(Buffer.from('bm90IGFuIE9WTVMgbGluZQ==', 'latin1'));
    assert.equal(r.ok, false);
  });
});

describe('paranoid mode', () => {
  const p = vectors.paranoid;
  const { paranoid_secret: secret, ptoken } = p.inputs;
  test('key', () => assert.equal(hmacMd5(secret, ptoken).toString('hex'), p.pdigest_hex));
  for (const m of p.messages) {
    test(`payload of ${m.plaintext}`, () => {
      const [code, data] = split(m.plaintext);
      const wrapped = `MP-0 EM${code}${encryptParanoid(secret, ptoken, data)}`;
      assert.equal(wrapped, m.paranoid_form);
      assert.equal(decryptParanoid(secret, ptoken, m.paranoid_form.slice(8)).toString('latin1'), data);
      // What v3 cars really send: the wrapped form cut to the plaintext's length.
      assert.equal(wrapped.slice(0, m.plaintext.length), m.v3_firmware_actually_sends);
    });
  }
  test('transport on the car session', () => {
    const s = vectors.car_session;
    const client = new Scheme0Codec(Buffer.from(s.session_key_hex, 'hex'));
    const server = new Scheme0Codec(Buffer.from(s.session_key_hex, 'hex'));
    for (const { plaintext, wire } of p.transport_on_car_session.client_to_server) {
      const [code, payload] = split(plaintext);
      assert.equal(client.encode(code, payload).toString('latin1'), wire);
    }
    for (const { plaintext, wire } of p.transport_on_car_session.server_to_client) {
      const [code, payload] = split(plaintext);
      assert.equal(server.encode(code, payload).toString('latin1'), wire);
    }
  });
});

describe('auto-provisioning', () => {
  const a = vectors.autoprovision;
  const { secret_iccid: secret, server_token: token, record_plaintext: record } = a.inputs;
  test('request line parses', () => {
    assert.deepEqual(parseClientWelcome(strip(a.client_request_line)), {
      kind: 'autoprovision',
      scheme: '0',
      apkey: a.inputs.apkey_vin,
    });
  });
  test('record, digest and reply lines', () => {
    const blob = encryptProvision(secret, token, record);
    assert.equal(blob.digest, a.digest_b64_unpadded);
    assert.equal(blob.record, a.record_b64);
    assert.equal(formatAutoProvisionReply(blob.token, blob.digest, blob.record) + CRLF, a.server_reply_line);
    assert.equal(
      formatAutoProvisionReply(token, a.digest_b64, blob.record) + CRLF,
      a.server_reply_line_padded_digest,
    );
  });
  test('a module decrypts both reply forms', () => {
    for (const line of [a.server_reply_line, a.server_reply_line_padded_digest]) {
      const reply = parseServerWelcome(strip(line));
      assert.equal(reply.kind, 'autoprovision');
      if (reply.kind !== 'autoprovision') return;
      const out = decryptProvision(secret, reply);
      assert.deepEqual(out, { ok: true, record });
    }
    const reply = parseServerWelcome(strip(a.server_reply_line));
    assert.ok(reply.kind === 'autoprovision');
    assert.equal(decryptProvision('89852000000000000000', reply).ok, false);
  });
  test('negative reply', () =>
    assert.deepEqual(parseServerWelcome(strip(a.negative_reply_line)), { kind: 'no-autoprovision' }));
});

describe('scheme 1', () => {
  const v = vectors.scheme1;
  test('welcome lines', () => {
    assert.deepEqual(parseClientWelcome(strip(v.client_welcome_line)), {
      kind: 'login',
      scheme: 1,
      clientType: 'A',
      username: 'alice',
      password: 's3cret',
      vehicleId: 'TESTCAR',
    });
    const first = parseClientWelcome(strip(v.client_welcome_line_first_car));
    assert.ok(first.kind === 'login' && first.vehicleId === '*');
    assert.equal(
      formatScheme1Welcome({ clientType: 'A', username: 'alice', password: 's3cret', vehicleId: 'TESTCAR' }) +
        CRLF,
      v.client_welcome_line,
    );
    assert.equal(
      formatServerWelcome1('alice', 'TESTCAR', ['OTHERCAR', 'TESTCAR']) + CRLF,
      v.server_welcome_line,
    );
    assert.deepEqual(parseServerWelcome(strip(v.server_welcome_line)), {
      kind: 'welcome1',
      username: 'alice',
      vehicleId: 'TESTCAR',
      vehicleIds: ['OTHERCAR', 'TESTCAR'],
    });
  });
});
