import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

/**
 * Every limit says why it closed a connection. A socket that never sent a byte used to be destroyed
 * at the login timeout without a word in the log, unlike one that sent half a line.
 */
test('a connection silent or unfinished at the login timeout is dropped with a log line naming it', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.login': 0.3 } });
  const silent = await RawSocket.connect(h.port);
  const partial = await RawSocket.connect(h.port);
  const ports = [silent.socket.localPort, partial.socket.localPort];
  partial.write('MP-C 0 tok');
  await silent.waitClosed(3000);
  await partial.waitClosed(3000);
  for (const port of ports) {
    const line = h.logs.find((l) => l.includes(`127.0.0.1:${port}`) && l.includes('no login in time'));
    assert.ok(line, `no log line for the connection from port ${port}`);
    assert.match(line, /"level":30/);
  }
});
