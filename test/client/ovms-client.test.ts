import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginRefusedError, OvmsClient } from '../../src/client/ovms-client.js';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

test('messages arrive decoded by the catalogue', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  car.send('S', '81.5,K,230,16.00,charging,standard,280,250');
  const m = await app.client.waitFor((x) => x.code === 'S');
  assert.equal(m.decoded.code, 'S');
  assert.ok(m.decoded.kind === 'status');
  assert.equal(m.decoded.fields.soc, '81.5');
  assert.equal(m.decoded.fields.chargestate, 'charging');
});

test('reconnects with backoff after the server restarts, and logs in again', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const port = h.port;
  const client = new OvmsClient({
    host: '127.0.0.1',
    port,
    clientType: 'A',
    vehicleId: 'DEMO1',
    secret: 's1',
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  t.after(() => client.close());
  const logins: number[] = [];
  client.on('login', () => logins.push(Date.now()));
  const delays: number[] = [];
  client.on('reconnecting', (d: number) => delays.push(d));
  await client.connect();
  const lost = new Promise((resolve) => client.once('disconnect', resolve));
  await h.server.stop();
  await lost;
  // Start a new server on the same port and wait for the client's second login.
  const { OvmsServer } = await import('../../src/server/ovms-server.js');
  const { createLogger } = await import('../../src/server/logger.js');
  const again = new OvmsServer({
    config: h.config,
    store: h.store,
    log: createLogger({ level: 'silent' }),
    listen: { v2: port },
  });
  await again.start();
  await new Promise<void>((resolve) => client.once('login', () => resolve()));
  assert.equal(logins.length, 2);
  assert.ok(delays.length >= 1 && delays.every((d) => d >= 37 && d <= 250), `delays ${delays}`);
  assert.ok(client.connected);
  await client.close();
  await again.stop();
});

test('a refused login is an error that stops reconnecting', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const client = new OvmsClient({
    host: '127.0.0.1',
    port: h.port,
    clientType: 'C',
    vehicleId: 'DEMO1',
    secret: 'nope',
    reconnect: true,
  });
  await assert.rejects(client.connect(), LoginRefusedError);
  assert.equal(client.connected, false);
});

test('keepalive pings are sent when the client has been quiet', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const app = h.client('A', 'DEMO1', 's1', { keepaliveMs: 100 });
  await app.client.connect();
  // The server answers each ping with 'a'.
  assert.equal(await app.nextOf('a', 3000), 'a');
});

test('a server that answers with a wrong digest is refused by the client', async (t) => {
  const net = await import('node:net');
  const fake = net.createServer((s) =>
    s.once('data', () => s.write('MP-S 0 ServerToken1234567890A AAAAAAAAAAAAAAAAAAAAAA==\r\n')),
  );
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
  t.after(() => fake.close());
  const port = (fake.address() as { port: number }).port;
  const client = new OvmsClient({ host: '127.0.0.1', port, clientType: 'A', vehicleId: 'X', secret: 's' });
  await assert.rejects(client.connect(), /server digest does not match/);
});

test('empty lines after login are ignored by the server', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const { clientWelcomeLine, completeClientHandshake } = await import('../../src/protocol/handshake.js');
  const { parseServerWelcome } = await import('../../src/protocol/welcome.js');
  const raw = await RawSocket.connect(h.port);
  const token = 'ClientToken1234567890A';
  raw.write(
    `${clientWelcomeLine({ secret: 's1', clientType: 'C', vehicleId: 'DEMO1', clientToken: token })}\r\n`,
  );
  const done = completeClientHandshake('s1', token, parseServerWelcome((await raw.nextLine()) ?? ''));
  assert.ok(done.ok);
  const codec = done.codec;
  const z = codec.decode(Buffer.from((await raw.nextLine()) ?? '', 'latin1'));
  assert.ok(z.ok && z.message.code === 'Z');
  // What a v3 car sends after command 5: a bare CR LF. Then a ping.
  raw.write('\r\n\n');
  raw.write(codec.encode('A'));
  const a = codec.decode(Buffer.from((await raw.nextLine()) ?? '', 'latin1'));
  assert.ok(a.ok && a.message.code === 'a');
  assert.equal(raw.closed, false);
  raw.destroy();
});
