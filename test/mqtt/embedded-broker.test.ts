import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import { hashPassword } from '../../src/auth/passwords.js';
import { configWith } from '../../src/config/config.js';
import { createLogger } from '../../src/server/logger.js';
import { OvmsServer } from '../../src/server/ovms-server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { mqttConnect } from '../helpers/mqtt-client.js';
import { mqttPortConformance, uniquePrefix } from './conformance.js';

/** One server with the embedded broker for the whole conformance suite; each run gets its own owner. */
let shared: Promise<{ server: OvmsServer; store: Store; dir: string }> | undefined;
after(async () => {
  if (!shared) return;
  const { server, store, dir } = await shared;
  await server.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function sharedServer() {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ovms-mqtt-'));
    const config = configWith({
      'server.host': '127.0.0.1',
      'database.url': `sqlite:${join(dir, 'ovms.db')}`,
    });
    const store = await openStore(config.database.url);
    await store.migrate();
    const server = new OvmsServer({
      config,
      store,
      log: createLogger({ level: 'silent' }),
      listen: { mqtt: 0 },
    });
    await server.start();
    return { server, store, dir };
  })();
  return shared;
}

mqttPortConformance('embedded broker', {
  async make() {
    const { server, store } = await sharedServer();
    const prefix = uniquePrefix();
    const owner = prefix.split('/')[1]!;
    await store.createOwner({ name: owner, passwordHash: await hashPassword('conformance-password') });
    const clients: MqttClient[] = [];
    return {
      port: server.mqtt!,
      prefix,
      async client() {
        const c = await mqttConnect(`mqtt://127.0.0.1:${server.ports.mqtt}`, {
          username: owner,
          password: 'conformance-password',
          clientId: `${owner}-${clients.length}`,
        });
        clients.push(c);
        return c;
      },
      async cleanup() {
        await Promise.all(clients.map((c) => c.endAsync(true)));
      },
    };
  },
});

const url = (h: Harness) => `mqtt://127.0.0.1:${h.server.ports.mqtt}`;

test("embedded broker: a module's QoS 2 publish is acknowledged (PUBREC) only once the server's handler has settled", async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('CAR1', 'car1-secret');
  let release: () => void = () => {};
  const stored = new Promise<void>((resolve) => {
    release = resolve;
  });
  let entered: () => void = () => {};
  const handling = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const stop = await h.server.mqtt!.subscribe('ovms/owner/CAR1/notify/data/#', async () => {
    entered();
    await stored; // a history write, say
  });
  t.after(stop);
  const module = await mqttConnect(url(h), { username: 'CAR1', password: 'car1-secret', clientId: 'CAR1' });
  t.after(() => module.endAsync(true));
  const pubrecs: number[] = [];
  module.on('packetreceive', (p) => {
    if (p.cmd === 'pubrec') pubrecs.push(Date.now());
  });
  const published = module.publishAsync('ovms/owner/CAR1/notify/data/log/1/0', '*-Log-Trip,0,86400,1', {
    qos: 2,
  });
  await handling;
  // A round trip on the same connection: a PUBREC sent when the handler started would be back first.
  await module.publishAsync('ovms/owner/CAR1/metric/v/b/soc', '50', { qos: 1 });
  assert.deepEqual(pubrecs, []);
  release();
  await published;
  assert.equal(pubrecs.length, 1);
});
