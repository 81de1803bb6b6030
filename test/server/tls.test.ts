import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

test('TLS port: scheme 0 over TLS, WebSocket over TLS, and scheme 1 allowed there', async (t) => {
  const c = makeTestCertificate();
  t.after(() => rmSync(c.dir, { recursive: true, force: true }));
  const h = await startServer(t, { tls: { cert: c.cert, key: c.key } });
  const tlsPort = h.server.ports.v2tls;
  assert.ok(tlsPort > 0);
  await h.addVehicle('DEMO1', 's1');
  const tls = { ca: c.pem, servername: 'localhost' };
  const car = await h.connect('C', 'DEMO1', 's1', { transport: 'tls', port: tlsPort, tls });
  const app = await h.connect('A', 'DEMO1', 's1', { transport: 'wss', port: tlsPort, tls });
  assert.equal(await app.next(), 'Z1');
  assert.match(await app.next(), /^T\d+$/);
  car.send('S', '77.0,K');
  assert.equal(await app.next(), 'S77.0,K');
  const s1 = await h.connect('B', '*', '', {
    transport: 'tls',
    port: tlsPort,
    tls,
    scheme: 1,
    username: 'owner',
    password: 'owner-password',
  });
  assert.deepEqual(s1.client.vehicleIds, ['DEMO1']);
  assert.equal(s1.client.options.vehicleId, 'DEMO1');
  assert.equal(await s1.next(), 'Z1');
  assert.equal(await s1.next(), 'S77.0,K');
  // The plain port still refuses scheme 1.
  const raw = await RawSocket.connect(h.port);
  raw.write('MP-A 1 owner owner-password DEMO1\r\n');
  assert.equal(await raw.nextLine(), undefined);
});
