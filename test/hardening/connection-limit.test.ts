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

/** Opens `n` sockets one after the other and waits until the server has closed each. */
async function refusedSockets(port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = await RawSocket.connect(port);
    await s.waitClosed();
  }
}

/** Log lines with exactly this message (not its "(repeats)" summary). */
function linesOf(logs: string[], msg: string): string[] {
  return logs.filter((l) => l.includes(`"msg":"${msg}"`));
}

test('refused connections are logged once a minute per address, not once each (limits set low: this test is about them)', async (t) => {
  const h = await startServer(t, { settings: { 'limits.max_connections_per_ip': 2 } });
  const held = [await RawSocket.connect(h.port), await RawSocket.connect(h.port)];
  await refusedSockets(h.port, 50);
  const lines = linesOf(h.logs, 'connection refused: too many connections from this address');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /"address":"127\.0\.0\.1","limit":2/);
  assert.equal(held.filter((s) => s.closed).length, 0);
});

test('refusals at the server-wide limit are logged once a minute, not once each (limit set low: this test is about it)', async (t) => {
  const h = await startServer(t, { settings: { 'limits.max_connections': 2 } });
  const held = [await RawSocket.connect(h.port), await RawSocket.connect(h.port)];
  await refusedSockets(h.port, 50);
  assert.equal(linesOf(h.logs, 'connection refused: server connection limit reached').length, 1);
  assert.equal(held.filter((s) => s.closed).length, 0);
});
