import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginRefusedError } from '../../src/client/ovms-client.js';
import { digestB64 } from '../../src/protocol/digest.js';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

const SERVER_WELCOME = /^MP-S 0 [A-Za-z0-9+/]{22} [A-Za-z0-9+/]{22}==$/;

test('a car logs in: MP-S in the exact format, then Z0 with no apps', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 'secret1');
  const raw = await RawSocket.connect(h.port);
  const token = 'ClientToken1234567890A';
  raw.write(`MP-C 0 ${token} ${digestB64('secret1', token)} DEMO1\r\n`);
  const reply = await raw.nextLine();
  assert.match(reply ?? '', SERVER_WELCOME);
  assert.notEqual(reply?.split(' ')[2], token);
  raw.destroy();

  const car = await h.connect('C', 'DEMO1', 'secret1');
  assert.equal(await car.next(), 'Z0');
});

test('unpadded digests, lower-case ids, runs of spaces and a 5th field are accepted', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 'secret1');
  const token = 'AppToken+/abcdefghijkl';
  const unpadded = digestB64('secret1', token).replace(/=+$/, '');
  const raw = await RawSocket.connect(h.port);
  raw.write(`MP-A   0  ${token} ${unpadded}   demo1 car_image.png\n`);
  assert.match((await raw.nextLine()) ?? '', SERVER_WELCOME);
  raw.destroy();
});

test('an unknown vehicle or a wrong secret closes at once and sends nothing', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 'secret1');
  for (const line of [
    `MP-C 0 tok ${digestB64('secret1', 'tok')} NOSUCHCAR`,
    `MP-C 0 tok ${digestB64('wrong', 'tok')} DEMO1`,
    `MP-A 0 tok ${digestB64('wrong', 'tok')} DEMO1`,
  ]) {
    const raw = await RawSocket.connect(h.port);
    raw.write(`${line}\r\n`);
    assert.equal(await raw.nextLine(), undefined, line);
    assert.deepEqual(raw.received, []);
  }
  const app = h.client('A', 'DEMO1', 'wrong');
  await assert.rejects(app.client.connect(), LoginRefusedError);
});

test('garbage as a first line closes the connection', async (t) => {
  const h = await startServer(t);
  const raw = await RawSocket.connect(h.port);
  raw.write('HELLO THERE\r\n');
  await raw.waitClosed();
  assert.deepEqual(raw.received, []);
});

test('a connection that never logs in is closed after the login timeout', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.login': 0.3 } });
  const silent = await RawSocket.connect(h.port);
  const partial = await RawSocket.connect(h.port);
  partial.write('MP-C 0 tok');
  await silent.waitClosed(3000);
  await partial.waitClosed(3000);
});

test('car authentication alerts: one per failure streak, then one on success', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 'secret1');
  for (let i = 0; i < 3; i++) {
    await assert.rejects(h.client('C', 'DEMO1', 'bad').client.connect(), LoginRefusedError);
  }
  await h.notifier.waitFor(1);
  const car = await h.connect('C', 'DEMO1', 'secret1');
  const alerts = await h.notifier.waitFor(2);
  assert.equal(alerts.length, 2);
  assert.match(alerts[0]!.text, /^Vehicle authentication failed \(127\.0\.0\.1\)$/);
  assert.match(alerts[1]!.text, /^Vehicle authentication successful \(127\.0\.0\.1\)$/);
  assert.equal(alerts[0]!.vehicleId, 'DEMO1');
  assert.equal(alerts[0]!.type, 'A');
  await car.close();
  // A failing app is someone else's problem: no alert for apps.
  await assert.rejects(h.client('A', 'DEMO1', 'bad').client.connect(), LoginRefusedError);
  await h.connect('C', 'DEMO1', 'secret1');
  assert.equal(h.notifier.alerts.length, 2);
});

test('throttling refuses a source after repeated failures for one vehicle, but not other vehicles', async (t) => {
  const h = await startServer(t, { settings: { 'limits.auth_failures': 3 } });
  await h.addVehicle('DEMO1', 'secret1');
  await h.addVehicle('DEMO2', 'secret2');
  for (let i = 0; i < 3; i++) {
    await assert.rejects(h.client('A', 'DEMO1', 'guess').client.connect(), LoginRefusedError);
  }
  // Even the right secret is refused now for this address and vehicle...
  await assert.rejects(h.client('A', 'DEMO1', 'secret1').client.connect(), LoginRefusedError);
  assert.ok(h.logs.some((l) => l.includes('login throttled')));
  // ...while another vehicle behind the same address is not affected.
  const other = await h.connect('C', 'DEMO2', 'secret2');
  assert.equal(await other.next(), 'Z0');
});

test('scheme 1 is refused on the plain port unless allowed', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 'secret1');
  const raw = await RawSocket.connect(h.port);
  raw.write('MP-A 1 owner owner-password DEMO1\r\n');
  assert.equal(await raw.nextLine(), undefined);
});

test('scheme 1 with password, API token and "*", in plain text afterwards', async (t) => {
  const h = await startServer(t, { settings: { 'server.allow_plain_scheme1': true } });
  await h.addVehicle('ZCAR', 'secret1');
  await h.addVehicle('ACAR', 'secret2');
  const { hashApiToken } = await import('../../src/auth/passwords.js');
  await h.store.createApiToken({
    ownerId: h.owner.id,
    tokenHash: hashApiToken('tok-v2'),
    application: 't',
    purpose: 'p',
    permit: 'v2',
  });
  await h.store.createApiToken({
    ownerId: h.owner.id,
    tokenHash: hashApiToken('tok-ro'),
    application: 't',
    purpose: 'p',
    permit: 'auth',
  });

  const raw = await RawSocket.connect(h.port);
  raw.write('MP-A 1 owner owner-password *\r\n');
  assert.equal(await raw.nextLine(), 'MP-S 1 owner ACAR ACAR ZCAR');
  assert.equal(await raw.nextLine(), 'Z0');
  assert.match((await raw.nextLine()) ?? '', /^T\d+$/);
  raw.write('A\r\n');
  assert.equal(await raw.nextLine(), 'a');
  raw.destroy();

  const viaToken = await RawSocket.connect(h.port);
  viaToken.write('MP-B 1 owner tok-v2 zcar\r\n');
  assert.equal(await viaToken.nextLine(), 'MP-S 1 owner ZCAR ACAR ZCAR');
  viaToken.destroy();

  for (const line of [
    'MP-A 1 owner tok-ro ZCAR',
    'MP-A 1 owner wrong ZCAR',
    'MP-A 1 nobody x ZCAR',
    'MP-A 1 owner owner-password NOPE',
  ]) {
    const r = await RawSocket.connect(h.port);
    r.write(`${line}\r\n`);
    assert.equal(await r.nextLine(), undefined, line);
  }
  const token = await h.store.findApiToken(hashApiToken('tok-v2'));
  assert.ok(token?.lastUsed instanceof Date);
});

test('over-long lines close the connection', async (t) => {
  const h = await startServer(t, { settings: { 'limits.max_line_length': 16384 } });
  const raw = await RawSocket.connect(h.port);
  raw.write(`MP-C 0 ${'x'.repeat(20000)}`);
  await raw.waitClosed();
  assert.ok(h.logs.some((l) => l.includes('line longer than 16384 bytes')));
});

test('connections per address are capped', async (t) => {
  const h = await startServer(t, { settings: { 'limits.max_connections_per_ip': 2 } });
  const a = await RawSocket.connect(h.port);
  const b = await RawSocket.connect(h.port);
  const c = await RawSocket.connect(h.port);
  await c.waitClosed();
  assert.equal(a.closed || b.closed, false);
  assert.ok(h.logs.some((l) => l.includes('too many connections from this address')));
});
