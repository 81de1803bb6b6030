import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import { startServer } from '../helpers/harness.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

/** A bare TCP connection to the HTTP port, from `localAddress` (any 127.x address works on loopback). */
function open(port: number, localAddress = '127.0.0.1') {
  return new Promise<{ socket: net.Socket; closed: Promise<number>; received: () => string }>(
    (resolve, reject) => {
      let data = '';
      const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
        const start = Date.now();
        const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - start)));
        resolve({ socket, closed, received: () => data });
      });
      socket.on('data', (chunk) => {
        data += chunk;
      });
      socket.on('error', () => {});
      socket.once('error', reject);
    },
  );
}

/** The time until the server closes, or a failure when it is still open after `limitMs`. */
async function closesWithin(closed: Promise<number>, limitMs: number, what: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const ms = await Promise.race([
    closed,
    new Promise<number>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still open after ${limitMs} ms`)), limitMs);
    }),
  ]);
  clearTimeout(timer);
  return ms;
}

// The deadlines are set low here (defaults 10 s and 5 s): these tests are about them.
test('HTTP: a connection that sends nothing is closed after http.header_timeout, with a log line', async (t) => {
  const h = await startServer(t, { settings: { 'http.header_timeout': 0.5 } });
  const silent = await open(h.httpPort);
  const ms = await closesWithin(silent.closed, 5000, 'silent connection');
  assert.ok(ms >= 400, `closed after ${ms} ms`);
  assert.equal(silent.received(), '', 'nothing is sent to a silent connection');
  const line = h.logs.find((l) => l.includes('HTTP connection closed: no request in time'));
  assert.ok(line);
  assert.match(line, /"limit_s":0.5/);
});

test('HTTPS: no handshake, or a handshake and then nothing, is closed after http.header_timeout', async (t) => {
  const cert = makeTestCertificate();
  const h = await startServer(t, { tls: cert, settings: { 'http.header_timeout': 0.5 } });
  const bare = await open(h.httpsPort);
  await closesWithin(bare.closed, 5000, 'connection without a TLS handshake');
  const secure = tls.connect({ port: h.httpsPort, host: '127.0.0.1', ca: cert.pem });
  secure.on('error', () => {});
  await new Promise((resolve) => secure.once('secureConnect', resolve));
  const start = Date.now();
  await closesWithin(
    new Promise<number>((done) => secure.once('close', () => done(Date.now() - start))),
    5000,
    'TLS connection without a request',
  );
});

test('HTTP: a client that trickles its headers is closed after http.header_timeout', async (t) => {
  const h = await startServer(t, { settings: { 'http.header_timeout': 1 } });
  const slow = await open(h.httpPort);
  slow.socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
  const trickle = setInterval(() => slow.socket.write('X-a: b\r\n'), 100);
  t.after(() => clearInterval(trickle));
  const ms = await closesWithin(slow.closed, 6000, 'trickling client');
  assert.ok(ms >= 900, `closed after ${ms} ms`);
});

test('HTTP: a kept-alive connection is closed http.keepalive_timeout after its answer', async (t) => {
  const h = await startServer(t, { settings: { 'http.keepalive_timeout': 0.5 } });
  const c = await open(h.httpPort);
  c.socket.write('GET /api/nothing HTTP/1.1\r\nHost: x\r\n\r\n');
  const ms = await closesWithin(c.closed, 5000, 'kept-alive connection');
  assert.match(c.received(), /^HTTP\/1.1 404/);
  assert.ok(ms >= 400, `closed after ${ms} ms`);
});

test('HTTP: a request the server takes long over is not cut by the header deadline', async (t) => {
  // A long poll: the stream sends `ready` at once and keeps the connection open well past 0.5 s.
  const h = await startServer(t, { settings: { 'http.header_timeout': 0.5, 'http.idle_timeout': 4 } });
  await h.addVehicle('DEMO', 's1');
  const c = await open(h.httpPort);
  c.socket.write(
    'GET /api/stream/DEMO?username=owner&password=owner-password HTTP/1.1\r\nHost: x\r\n' +
      'Accept: text/event-stream\r\n\r\n',
  );
  const early = await Promise.race([c.closed, new Promise((r) => setTimeout(() => r('open'), 1500))]);
  assert.equal(early, 'open');
  assert.match(c.received(), /event: ready/);
  c.socket.destroy();
});

test('HTTP: connections per address are capped (http.max_connections_per_address), one log line a minute', async (t) => {
  // The cap is set low here (default 256): this test is about it.
  const h = await startServer(t, { settings: { 'http.max_connections_per_address': 3 } });
  const kept = await Promise.all([1, 2, 3].map(() => open(h.httpPort)));
  const refused = await Promise.all([1, 2, 3].map(() => open(h.httpPort)));
  for (const r of refused) await closesWithin(r.closed, 2000, 'connection over the cap');
  // Another address is not affected.
  const other = await open(h.httpPort, '127.0.0.2');
  other.socket.write('GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await closesWithin(other.closed, 2000, 'answered connection');
  assert.match(other.received(), /^HTTP\/1.1 404/);
  // The first three are still open and are served.
  kept[0]!.socket.write('GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await closesWithin(kept[0]!.closed, 2000, 'answered connection');
  assert.match(kept[0]!.received(), /^HTTP\/1.1 404/);
  const lines = h.logs.filter((l) =>
    l.includes('HTTP connection refused: too many connections from this address'),
  );
  assert.equal(lines.length, 1, 'one log line for the three refusals');
  assert.match(lines[0]!, /"limit":3/);
  // A place frees up once a connection has gone.
  kept[1]!.socket.destroy();
  let served = '';
  for (let i = 0; i < 50 && !served; i++) {
    const again = await open(h.httpPort);
    again.socket.write('GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await again.closed;
    served = again.received();
  }
  assert.match(served, /^HTTP\/1.1 404/);
  for (const k of kept) k.socket.destroy();
});
