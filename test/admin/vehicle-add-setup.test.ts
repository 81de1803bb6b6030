import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { moduleBroker, moduleSetupLines } from '../../src/cli/admin/module-setup.js';
import { runCli } from '../helpers/cli-process.js';

/** `ovms-server vehicle add` tells the user what to enter in the module, for v2 and for v3. */

test('vehicle add prints the module set-up for protocol v2 and v3, secrets quoted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-setup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = `sqlite:${join(dir, 'ovms.db')}`;
  assert.equal(
    (await runCli(['owner', 'add', 'alice', '--password', 'a long password', '--db', db])).code,
    0,
  );
  const r = await runCli([
    'vehicle',
    'add',
    'mycar',
    '--owner',
    'alice',
    '--password',
    'car secret 1',
    '--server-name',
    'ovms.example.org',
    '--db',
    db,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').map((line) => line.trim());
  assert.equal(lines[0], 'vehicle MYCAR added for alice');
  const v2 = lines.slice(lines.indexOf('Protocol v2:'), lines.indexOf('Protocol v3 (MQTT):'));
  const v3 = lines.slice(lines.indexOf('Protocol v3 (MQTT):'));
  for (const line of [
    'config set vehicle id MYCAR',
    'config set server.v2 server ovms.example.org',
    'config set password server.v2 "car secret 1"',
    'server v2 start',
  ])
    assert.ok(v2.includes(line), `v2: ${line}\n${r.stdout}`);
  assert.ok(
    !v2.some((line) => line.startsWith('config set server.v2 port')),
    'the default port needs no line',
  );
  for (const line of [
    'config set vehicle id MYCAR',
    'config set server.v3 server ovms.example.org',
    'config set server.v3 user alice',
    'config set password server.v3 "OWNER PASSWORD or a token with the mqtt right"',
    'config set server.v3 port 1883',
    'config set auto server.v3 yes',
    'server v3 start',
  ])
    assert.ok(v3.includes(line), `v3: ${line}\n${r.stdout}`);
  assert.match(
    r.stdout,
    /With TLS \(once the server has tls\.cert and tls\.key\): config set server\.v3 tls yes and config set server\.v3 port 8883/,
  );
  assert.match(r.stdout, /config set server\.v3 topic\.prefix ovms\/alice\/MYCAR\//);
});

test('set-up lines: quotes that fit the secret, non-default ports, v3 off, the external broker of mqtt.url', () => {
  const embedded = { url: '', port: 1883, tlsPort: 8883 };
  const base = {
    vehicleId: 'CAR1',
    owner: 'bob',
    secret: 'say "hi"',
    host: 'h.example',
    v2Port: 7000,
    v2TlsPort: 7001,
    mqtt: moduleBroker('h.example', embedded),
  };
  const lines = moduleSetupLines(base).map((line) => line.trim());
  assert.ok(lines.includes(`config set password server.v2 'say "hi"'`));
  assert.ok(lines.includes('config set server.v2 port 7000'));
  assert.ok(
    lines.some((line) => line.endsWith('config set server.v2 tls yes and config set server.v2 port 7001')),
  );
  assert.ok(
    lines.some((line) => line.startsWith('Or log in as the vehicle: config set server.v3 user CAR1,')),
    'the embedded broker takes vehicle logins',
  );
  const both = moduleSetupLines({ ...base, secret: `"it's"` }).join('\n');
  assert.match(both, /config set password server\.v2 <the secret: it holds both " and '/);
  const off = moduleSetupLines({ ...base, mqtt: moduleBroker('h.example', { ...embedded, port: 0 }) });
  assert.match(off.join('\n'), /Protocol v3 \(MQTT\):\n {2}off on this server/);
  const otherPort = moduleSetupLines({
    ...base,
    mqtt: moduleBroker('h.example', { ...embedded, port: 1884, tlsPort: 0 }),
  });
  assert.ok(otherPort.some((line) => line.trim() === 'config set server.v3 port 1884'));
  assert.ok(!otherPort.some((line) => line.includes('server.v3 tls yes')), 'no TLS port, no TLS line');

  const external = (url: string) => moduleBroker('h.example', { ...embedded, url });
  assert.deepEqual(external('mqtt://su:pw@broker.example:1884'), {
    host: 'broker.example',
    port: 1884,
    tls: false,
    vehicleLogin: false,
  });
  assert.deepEqual(external('mqtts://127.0.0.1'), {
    host: 'h.example',
    port: 8883,
    tls: true,
    vehicleLogin: false,
  });
  assert.equal(external('ws://broker.example:9001')?.port, 1883, 'modules do not speak WebSocket');
  const tls = moduleSetupLines({ ...base, mqtt: external('mqtts://broker.example') }).map((line) =>
    line.trim(),
  );
  assert.ok(tls.includes('config set server.v3 tls yes'));
  assert.ok(tls.includes('config set server.v3 port 8883'));
  assert.ok(
    !tls.some((line) => line.startsWith('Or log in as the vehicle')),
    '/mqapi takes owner logins only',
  );
});
