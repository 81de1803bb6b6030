import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

/**
 * The login deadline runs from accept until a completed login, whatever the transport (Hardening II,
 * item 2). A client starting with `GET ` used to switch it off: the internal HTTP server that parses
 * the WebSocket upgrade has no timeout of its own, so such sockets stayed open for ever. The login
 * timeout is set low here (1 s): these tests are about it.
 */
const LOGIN_S = 1;

test('a socket that starts an HTTP request and never finishes it is closed at the login deadline', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.login': LOGIN_S } });
  const stalled = await RawSocket.connect(h.port);
  const trickling = await RawSocket.connect(h.port);
  const start = Date.now();
  stalled.write('GET ');
  trickling.write('GET /apiv2 HTTP/1.1\r\n');
  // A header line every 100 ms: an idle timeout would never fire, the deadline does.
  const trickle = setInterval(() => trickling.write('X-Slow: 1\r\n'), 100);
  t.after(() => clearInterval(trickle));
  await stalled.waitClosed(LOGIN_S * 1000 + 2000);
  await trickling.waitClosed(LOGIN_S * 1000 + 2000);
  clearInterval(trickle);
  assert.ok(Date.now() - start < LOGIN_S * 1000 + 1000, `closed after ${Date.now() - start} ms`);
  assert.ok(h.logs.some((l) => l.includes('no login in time')));
});

test('a WebSocket upgraded late and never logged in is closed at the deadline counted from accept', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.login': LOGIN_S } });
  const raw = await RawSocket.connect(h.port);
  const start = Date.now();
  raw.write('GET ');
  // The rest of the upgrade request at 70% of the deadline: the WebSocket is then open, silent.
  await new Promise((r) => setTimeout(r, LOGIN_S * 700));
  raw.write(
    [
      '/apiv2 HTTP/1.1',
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  assert.equal(await raw.nextLine(), 'HTTP/1.1 101 Switching Protocols');
  await raw.waitClosed(LOGIN_S * 2000);
  const elapsed = Date.now() - start;
  // Counted from the upgrade it would close at 1.7 s or later.
  assert.ok(elapsed < LOGIN_S * 1000 + 500, `closed after ${elapsed} ms`);
});

test('a WebSocket that logs in in time stays open past the deadline', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.login': LOGIN_S } });
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1', { transport: 'ws' });
  const app = await h.connect('A', 'DEMO1', 's1', { transport: 'ws' });
  // A silent socket opened after them: once it is closed, their deadlines have passed too.
  const silent = await RawSocket.connect(h.port);
  await silent.waitClosed(LOGIN_S * 3000);
  car.send('S', '80,K');
  assert.equal(await app.nextOf('S'), 'S80,K');
  // A plain HTTP request on the v2 port gets its 404 and is closed, not kept alive.
  const res = await fetch(`http://127.0.0.1:${h.port}/other`);
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('connection'), 'close');
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/elsewhere`);
  const refused = await new Promise<string>((resolve) => ws.on('error', (err) => resolve(err.message)));
  assert.match(refused, /404/);
});
