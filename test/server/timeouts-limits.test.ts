import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encryptProvision } from '../../src/protocol/autoprovision.js';
import { startServer } from '../helpers/harness.js';
import { RawSocket } from '../helpers/raw-socket.js';

test('idle apps and batch clients are closed after their timeouts', async (t) => {
  const h = await startServer(t, {
    settings: { 'timeouts.app': 0.4, 'timeouts.batch': 0.4, 'timeouts.car': 30, 'timeouts.car_ping': 20 },
  });
  await h.addVehicle('DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const batch = await h.connect('B', 'DEMO1', 's1');
  await app.closedByServer(3000);
  await batch.closedByServer(3000);
  assert.ok(h.logs.some((l) => l.includes('idle for')));
});

test('a quiet car is pinged with AFA, and closed when it stays silent', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.car': 1.2, 'timeouts.car_ping': 0.3 } });
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  assert.equal(await car.next(), 'Z0');
  // The client library answers the ping with 'a' by itself, which counts as activity.
  assert.equal(await car.next(3000), 'AFA');
  // A car that never sends anything is closed after timeouts.car.
  const raw = await RawSocket.connect(h.port);
  const { clientWelcomeLine } = await import('../../src/protocol/handshake.js');
  raw.write(
    `${clientWelcomeLine({ secret: 's1', clientType: 'C', vehicleId: 'DEMO1', clientToken: 'ClientToken1234567890A' })}\r\n`,
  );
  await raw.nextLine();
  await raw.waitClosed(5000);
});

test('a client that does not read is dropped instead of buffered for ever', async (t) => {
  const h = await startServer(t, { settings: { 'limits.output_buffer': 20000 } });
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const raw = await RawSocket.connect(h.port);
  const { clientWelcomeLine } = await import('../../src/protocol/handshake.js');
  raw.write(
    `${clientWelcomeLine({ secret: 's1', clientType: 'A', vehicleId: 'DEMO1', clientToken: 'ClientToken1234567890A' })}\r\n`,
  );
  await raw.nextLine();
  raw.socket.pause();
  const big = 'x'.repeat(600);
  const dropped = () => h.logs.some((l) => l.includes('client does not read'));
  // Loopback socket buffers absorb a few MB before the server's own queue grows.
  for (let i = 0; i < 60_000 && !dropped(); i++) {
    car.send('S', big);
    if (i % 200 === 0) {
      car.send('A');
      await car.nextOf('a');
    }
  }
  raw.socket.resume();
  await raw.waitClosed(5000);
  assert.ok(h.logs.some((l) => l.includes('client does not read')));
});

test('auto-provisioning: a known key gets AP-S, an unknown one AP-X, one answer per connection', async (t) => {
  const h = await startServer(t);
  const blob = encryptProvision(
    '89852000001234567890',
    'APServerToken123456789',
    '+85291234567 OVMS K IP ovms.example.com internet - - TESTCAR testpass -',
  );
  await h.store.putAutoProvision({
    apKey: '5YJRE1A31A1P01234',
    ...blob,
    ownerId: h.owner.id,
    lastUsed: undefined,
  });
  const raw = await RawSocket.connect(h.port);
  raw.write('AP-C 0 5YJRE1A31A1P01234\r\n');
  assert.equal(
    await raw.nextLine(),
    'AP-S 0 APServerToken123456789 9luGjN+C3pU8GB/xy73nnA IrUuqSwqhFxMnuDANT/ulOyQ6R4umPs66A5lL2rHYYUNUORRObstY7ufOFqoaSuPHeqwg7hLygkrus75orZdZk5tADmNtcQ=',
  );
  raw.write('AP-C 0 5YJRE1A31A1P01234\r\n');
  assert.equal(await raw.nextLine(), 'AP-X');
  const unknown = await RawSocket.connect(h.port);
  unknown.write('AP-C 0 NOSUCHVIN\r\n');
  assert.equal(await unknown.nextLine(), 'AP-X');
  const rec = await h.store.getAutoProvision('5YJRE1A31A1P01234');
  assert.ok(rec?.lastUsed instanceof Date);
});
