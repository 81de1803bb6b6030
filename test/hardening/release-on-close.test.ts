import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { clientWelcomeLine } from '../../src/protocol/handshake.js';
import type { Connection } from '../../src/server/connection.js';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

/**
 * Found by the churn test: the safety timers that destroy a socket whose peer never closes stayed
 * pending after a normal close, holding every closed connection in memory for seconds (5 s on the
 * server, 2 s in the client); under churn that is thousands of dead connections.
 */

async function collected(ref: WeakRef<object>): Promise<boolean> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 5 && ref.deref(); i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return ref.deref() === undefined;
}

test('a connection the server closes is freed at once, not kept by its close timer', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const raw = await RawSocket.connect(h.port);
  raw.write(
    `${clientWelcomeLine({ secret: 's1', clientType: 'A', vehicleId: 'DEMO1', clientToken: 'ClientToken1234567890A' })}\r\n`,
  );
  await raw.nextLine();
  while (h.server.hub.connections.size === 0) await new Promise((r) => setTimeout(r, 5));
  let conn: Connection | undefined = [...h.server.hub.connections.values()][0]!;
  const ref = new WeakRef(conn);
  conn = undefined;
  raw.write('not base64 of anything\r\n');
  await raw.waitClosed();
  while (h.server.hub.connections.size > 0) await new Promise((r) => setTimeout(r, 5));
  assert.ok(await collected(ref), 'the closed connection is still referenced');
});

test('a client closed by close() is freed at once, not kept by its close timer', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const { OvmsClient } = await import('../../src/client/ovms-client.js');
  let client: InstanceType<typeof OvmsClient> | undefined = new OvmsClient({
    host: '127.0.0.1',
    port: h.port,
    clientType: 'A',
    vehicleId: 'DEMO1',
    secret: 's1',
  });
  await client.connect();
  const ref = new WeakRef(client);
  await client.close();
  client = undefined;
  assert.ok(await collected(ref), 'the closed client is still referenced');
});
