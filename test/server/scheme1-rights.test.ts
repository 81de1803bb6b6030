import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { addApiToken } from '../helpers/api-tokens.js';
import { startServer } from '../helpers/harness.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

test('scheme 1: a read-only token reads but cannot command the car; control and shell as granted', async (t) => {
  const c = makeTestCertificate();
  t.after(() => rmSync(c.dir, { recursive: true, force: true }));
  const h = await startServer(t, { tls: { cert: c.cert, key: c.key } });
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');
  const tokens: Record<string, string> = {};
  for (const [name, permit] of [
    ['read', 'v2,vehicle.read'],
    ['control', 'v2,vehicle.control'],
    ['legacy', 'v2'],
  ] as const) {
    tokens[name] = await addApiToken(h, permit, name.padEnd(64, 'x'));
  }
  /** A real scheme-1 login over TLS (the app's way in), with a token or the password. */
  const app = async (password: string) => {
    const a = await h.connect('A', 'DEMO', '', {
      transport: 'tls',
      port: h.server.ports.v2tls,
      tls: { ca: c.pem, servername: 'localhost' },
      scheme: 1,
      username: 'owner',
      password,
    });
    assert.match(await a.nextOf('Z'), /^Z\d$/);
    return a;
  };

  const reader = await app(tokens.read!);
  assert.equal(await car.nextOf('Z'), 'Z1');
  reader.send('C', '20');
  assert.equal(await reader.nextOf('c'), 'c20,1,insufficient rights (needs vehicle.control)');
  reader.send('C', '7,stat');
  assert.equal(await reader.nextOf('c'), 'c7,1,insufficient rights (needs vehicle.shell)');
  reader.send('X', 'raw line for the car');
  reader.send('C', '30');
  assert.equal(await reader.nextOf('c'), 'c30,1,No GPRS utilisation data available', 'reading is allowed');
  car.send('S', '81,K');
  assert.equal(await reader.nextOf('S'), 'S81,K', 'and it receives the car data');

  const controller = await app(tokens.control!);
  assert.equal(await car.nextOf('Z'), 'Z2');
  controller.send('C', '7,stat');
  assert.equal(await controller.nextOf('c'), 'c7,1,insufficient rights (needs vehicle.shell)');
  controller.send('C', '20,1234');
  // The first command the car sees: nothing of the refused ones went through.
  assert.equal(await car.nextOf('C'), 'C20,1234');
  car.send('c', '20,0');
  assert.equal(await controller.nextOf('c'), 'c20,0');

  // An old `v2` token and the owner's password keep what a scheme-1 app could always do.
  for (const password of [tokens.legacy!, 'owner-password']) {
    const full = await app(password);
    full.send('C', '7,stat');
    assert.equal(await car.nextOf('C'), 'C7,stat');
    car.send('c', '7,0,ok');
    assert.equal(await full.nextOf('c'), 'c7,0,ok');
    full.send('X', 'raw');
    assert.equal(await car.nextOf('X'), 'Xraw');
  }
  assert.ok(!car.pending().some((l) => l.startsWith('X') || l.startsWith('C')));
  const refusals = h.logs.filter((l) => l.includes('the login lacks'));
  assert.equal(refusals.length, 2, 'logged once per connection');
});
