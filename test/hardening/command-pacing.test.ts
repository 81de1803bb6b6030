import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY_TEXT } from '../../src/server/command-router.js';
import type { Connection } from '../../src/server/connection.js';
import { type Harness, startServer } from '../helpers/harness.js';

/**
 * A client whose commands keep being refused is paced (limits.refused_commands_per_second, 20, and
 * limits.refused_commands_burst, 64): past the burst, the server stops reading its socket for a
 * while, so a flood costs the server the lines it reads, not the lines the client sends. Lines that
 * are read are all answered, in order.
 */

const PAUSED = 'reading paused: too many refused commands';

async function waitForLog(h: Harness, text: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = h.logs.find((l) => l.includes(text));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`log line never written: ${text}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The server's side of the vehicle's (only) app connection. */
function serverSideApp(h: Harness, vehicleId: string): Connection {
  const conn = [...h.server.hub.connections.values()].find(
    (c) => c.clientType === 'A' && c.vehicle?.vehicleId === vehicleId,
  );
  assert.ok(conn, `no app of ${vehicleId}`);
  return conn;
}

test('an app flooding commands that can only be refused is no longer read; other apps are served meanwhile', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  await h.addVehicle('DEMO2', 's2');
  // DEMO1's car never answers: the flooder is at its cap of 32 after its first 32 commands.
  await h.connect('C', 'DEMO1', 's1');
  const flooder = await h.connect('A', 'DEMO1', 's1');
  const car2 = await h.connect('C', 'DEMO2', 's2');
  car2.client.on('message', (m) => {
    if (m.code === 'C') car2.send('c', `${m.text.split(',')[0]},0,done`);
  });
  const app2 = await h.connect('A', 'DEMO2', 's2');
  // 100,000 commands (2.2 MB on the wire), then a ping.
  const N = 100_000;
  for (let n = 0; n < N; n++) flooder.send('C', '7,f');
  flooder.send('A');
  await waitForLog(h, PAUSED);
  // While the flooder is not read, the server goes on: another app's round trip is answered.
  const reply = await app2.client.command(7, ['x']);
  assert.equal(reply.result, 0);
  // The flooder's socket is not being read: most of its flood, and its ping, wait unread.
  assert.equal(serverSideApp(h, 'DEMO1').readingPaused, true);
  const received = flooder.pending();
  assert.ok(!received.includes('a'), 'the ping behind the flood was read');
  const busy = received.filter((m) => m === `c7,1,${BUSY_TEXT}`).length;
  assert.ok(busy > 0 && busy < N / 2, `${busy} of ${N} commands were read and refused`);
  assert.equal(flooder.disconnected, false);
  // One line for the pause, one for the refusals: not one per command.
  assert.equal(h.logs.filter((l) => l.includes(PAUSED)).length, 1);
  // The flooder goes without waiting for the server to read what it sent.
  (flooder.client as unknown as { transport: { destroy(): void } }).transport.destroy();
});

test('after the pause, reading resumes and every line gets its answer in order', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  // No car: every command is refused with "vehicle not connected", which counts like a busy reply.
  // 100 of them: 36 over the burst of 64, so reading stops for about 36 / 20 = 1.8 s.
  const app = await h.connect('A', 'DEMO1', 's1');
  assert.equal(await app.nextOf('Z'), 'Z0');
  for (let n = 0; n < 100; n++) app.send('C', `7,${n}`);
  await waitForLog(h, PAUSED);
  // Sent while the socket is not read: read and answered once the pause is over.
  app.send('C', '8,after');
  app.send('A');
  const answers: string[] = [];
  for (;;) {
    const m = await app.next();
    if (m === 'a') break;
    if (m.startsWith('c')) answers.push(m);
  }
  assert.deepEqual(answers, [
    ...Array.from({ length: 100 }, () => 'c7,1,vehicle not connected'),
    'c8,1,vehicle not connected',
  ]);
  assert.equal(app.disconnected, false);
});

test('an app whose commands are answered is never paced, however many it sends', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  car.client.on('message', (m) => {
    if (m.code === 'C') car.send('c', `${m.text.split(',')[0]},0,done`);
  });
  const app = await h.connect('A', 'DEMO1', 's1');
  // Well past the burst, four at a time (under the cap of 32 awaiting a reply).
  for (let round = 0; round < 50; round++) {
    const replies = await Promise.all([1, 2, 3, 4].map((i) => app.client.command(7, [String(i)])));
    assert.deepEqual(
      replies.map((r) => r.result),
      [0, 0, 0, 0],
    );
  }
  assert.equal(serverSideApp(h, 'DEMO1').refusalPacer, undefined);
  assert.ok(!h.logs.some((l) => l.includes(PAUSED)));
});
