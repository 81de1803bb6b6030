import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { digestB64, sessionKey } from '../../src/protocol/digest.js';
import { clientWelcomeLine } from '../../src/protocol/handshake.js';
import { startServer } from '../helpers/harness.js';
import { SecretRegistry } from '../helpers/log-secrets.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { Api } from '../http/api-client.js';

/**
 * No secret in any log line at any level. Every test file that starts a server scans its own logs
 * at the end (test/helpers/harness.ts); this file checks that the scan finds what it looks for, and
 * walks through every place a secret passes with distinctive values, at debug level.
 */

test('the log scan finds secrets, digests and session keys in every form a log line could hold', () => {
  const r = new SecretRegistry();
  r.literal('hunter2-password', 'password');
  r.literal('1234', 'PIN'); // too short to scan for: it would match ordinary numbers
  r.session('car-secret-xyz', 'ServerToken1234567890A', 'ClientToken1234567890A');
  const key = sessionKey('car-secret-xyz', 'ServerToken1234567890A', 'ClientToken1234567890A');
  const digest = digestB64('car-secret-xyz', 'ClientToken1234567890A');
  const leaking = [
    '{"msg":"login","password":"hunter2-password"}',
    `{"msg":"x","key":"${key.toString('hex')}"}`,
    `{"msg":"x","key":"${key.toString('hex').toUpperCase()}"}`,
    `{"msg":"x","key":"${key.toString('base64')}"}`,
    `{"msg":"x","key":{"type":"Buffer","data":[${[...key].join(',')}]}}`,
    `{"msg":"welcome MP-C 0 ClientToken1234567890A ${digest} CAR"}`,
    `{"msg":"welcome MP-C 0 ClientToken1234567890A ${digest.replace(/=+$/, '')} CAR"}`,
    '{"msg":"secret was car-secret-xyz"}',
  ];
  assert.equal(r.scan(leaking).length, leaking.length);
  assert.deepEqual(r.scan(['{"msg":"logged in","client":"C owner/CAR1","pin":1234,"n":1234567}']), []);
});

test('logins, commands with PINs, push subscriptions and the HTTP API log no secret', async (t) => {
  const h = await startServer(t, { settings: { 'server.allow_plain_scheme1': true } });
  const secrets = new SecretRegistry();
  const carSecret = 'car-secret-7Qx9wL';
  const password = 'owner-pass-Hq83Zr';
  const pin = '86429731';
  for (const [value, what] of [
    [carSecret, 'car secret'],
    [password, 'password'],
    [pin, 'PIN'],
    ['wrong-secret-Zk3p', 'wrong secret'],
    ['wrong-pass-Vn27x', 'wrong password'],
  ] as const)
    secrets.literal(value, what);
  const owner = await h.store.createOwner({ name: 'alice', passwordHash: await hashPassword(password) });
  await h.addVehicle('SECRET1', carSecret, owner);

  // Scheme 0: a good car and app (their sessions are recorded by the harness for its own scan,
  // and here too through the same digests), then a wrong digest.
  const car = await h.connect('C', 'SECRET1', carSecret);
  const app = await h.connect('A', 'SECRET1', carSecret);
  const wrong = await RawSocket.connect(h.port);
  const token = 'WrongToken123456789012';
  secrets.bytes(Buffer.from(digestB64('wrong-secret-Zk3p', token), 'base64'), 'wrong digest');
  wrong.write(
    `${clientWelcomeLine({ secret: 'wrong-secret-Zk3p', clientType: 'A', vehicleId: 'SECRET1', clientToken: token })}\r\n`,
  );
  await wrong.waitClosed();

  // Commands with a PIN (lock, unlock, valet), answered by the car.
  for (const command of [20, 22, 21]) {
    const reply = app.client.command(command, [pin]);
    const got = await car.nextOf('C');
    assert.equal(got, `C${command},${pin}`);
    car.send('c', `${command},0`);
    await reply;
  }
  // Push subscriptions naming the vehicle with its secret, and with a wrong one.
  app.send('p', `*,apns,production,SECRET1,${carSecret},pushkey-1`);
  app.send('p', `*,apns,production,SECRET1,wrong-secret-Zk3p,pushkey-2`);
  app.send('A');
  await app.nextOf('a');

  // Scheme 1 with the password, then a wrong one.
  const s1 = h.client('A', 'SECRET1', '', { scheme: 1, username: 'alice', password });
  await s1.client.connect();
  const bad = h.client('A', 'SECRET1', '', { scheme: 1, username: 'alice', password: 'wrong-pass-Vn27x' });
  await assert.rejects(bad.client.connect());

  // HTTP API: password login, a wrong password, a token created and used (deleting it: see below).
  const api = new Api(h, { username: 'alice', password });
  await api.login();
  await api.call('GET', '/api/vehicles', { query: { username: 'alice', password: 'wrong-pass-Vn27x' } });
  const created = (await api.withPassword('POST', '/api/token', { form: { permit: 'auth' } })).json as {
    token: string;
  };
  secrets.literal(created.token, 'API token');
  await api.call('GET', '/api/vehicles', { headers: { authorization: `Bearer ${created.token}` } });

  assert.ok(h.logs.length > 15, 'the scenario logged (at debug level)');
  assert.deepEqual(secrets.scan(h.logs), []);
});

test('deleting an API token by its value does not log the token', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const created = (await api.withPassword('POST', '/api/token')).json as { token: string };
  const secrets = new SecretRegistry();
  secrets.literal(created.token, 'API token');
  await api.withPassword('DELETE', `/api/token/${created.token}`);
  assert.deepEqual(secrets.scan(h.logs), []);
});
