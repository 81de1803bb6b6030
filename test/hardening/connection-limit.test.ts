import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

test('the server-wide connection limit refuses the next socket with a log line', async (t) => {
  const h = await startServer(t, { settings: { 'limits.max_connections': 2 } });
  const a = await RawSocket.connect(h.port);
  const b = await RawSocket.connect(h.port);
  const c = await RawSocket.connect(h.port);
  await c.waitClosed();
  assert.equal(a.closed || b.closed, false);
  const line = h.logs.find((l) => l.includes('connection refused: server connection limit reached'));
  assert.ok(line);
  assert.match(line, /"limit":2/);
  // A place frees up once a connection has gone (the server sees the close a moment later).
  a.destroy();
  let answer: string | undefined;
  for (let i = 0; i < 50 && answer === undefined; i++) {
    const d = await RawSocket.connect(h.port);
    d.write('AP-C 0 NOSUCHKEY\r\n');
    answer = await d.nextLine();
  }
  assert.equal(answer, 'AP-X');
});
