import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { brokerUrlProblem, ExternalBroker } from '../../src/mqtt/external-broker.js';
import { createLogger } from '../../src/server/logger.js';
import { FlakyProxy } from '../helpers/flaky-proxy.js';
import { MOSQUITTO_URL } from '../helpers/v3-module.js';
import { Inbox, mqttPortConformance, uniquePrefix } from './conformance.js';

function capturedLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination }) };
}

function uniqueClientId(): string {
  return `ovms-test-${randomBytes(6).toString('hex')}`;
}

async function outsideClient(url = MOSQUITTO_URL): Promise<MqttClient> {
  return connectAsync(url, { clientId: uniqueClientId(), reconnectPeriod: 0 });
}

mqttPortConformance('external broker (Mosquitto)', {
  async make() {
    const { log } = capturedLog();
    const port = new ExternalBroker({
      url: MOSQUITTO_URL,
      clientId: uniqueClientId(),
      log,
      sessionExpirySeconds: 0,
    });
    const clients: MqttClient[] = [];
    return {
      port,
      prefix: uniquePrefix(),
      async client() {
        const c = await outsideClient();
        clients.push(c);
        return c;
      },
      async cleanup() {
        await Promise.all(clients.map((c) => c.endAsync()));
        await port.close();
      },
    };
  },
});

test('a broker URL must be mqtt(s) or ws(s) with a host', () => {
  assert.equal(brokerUrlProblem('mqtt://u:p@host:1883'), undefined);
  assert.equal(brokerUrlProblem('mqtts://host'), undefined);
  assert.match(brokerUrlProblem('http://host') ?? '', /scheme http:/);
  assert.match(brokerUrlProblem('no url') ?? '', /not a URL/);
  const { log } = capturedLog();
  assert.throws(
    () => new ExternalBroker({ url: 'redis://user:hunter2secret@x', clientId: 'x', log }),
    (err: Error) => /mqtt\.url redis:\/\/user:\*\*\*@x/.test(err.message) && !err.message.includes('hunter2'),
  );
});

test('the port reconnects after losing the broker, keeps its subscriptions, and gets what was queued for it meanwhile; the password is never logged', async (t) => {
  const proxy = await FlakyProxy.start(Number(new URL(MOSQUITTO_URL).port || 1883));
  const { lines, log } = capturedLog();
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const url = proxy.route(MOSQUITTO_URL).replace('mqtt://', `mqtt://bridge:${password}@`);
  const port = new ExternalBroker({
    url,
    clientId: uniqueClientId(),
    log,
    reconnectMs: 100,
    sessionExpirySeconds: 60,
  });
  const module = await outsideClient();
  t.after(async () => {
    await module.endAsync();
    await port.close();
    await proxy.close();
  });
  const prefix = uniquePrefix();
  const inbox = new Inbox();
  await port.subscribe(`${prefix}notify/#`, inbox.handler);
  await module.publishAsync(`${prefix}notify/info/a`, 'before', { qos: 1 });
  await inbox.waitFor(1);
  // A round trip after it: the acknowledgement of 'before' has reached the broker.
  await port.publish(`${prefix}fence`, 'x', { qos: 1 });

  proxy.down();
  // Published while the server is away: QoS 1, so the broker keeps it in the server's session.
  await module.publishAsync(`${prefix}notify/info/a`, 'while away', { qos: 1 });
  await proxy.dropped(1);
  proxy.up();
  assert.deepEqual(
    (await inbox.waitFor(2, 10_000)).map(([, p]) => p),
    ['before', 'while away'],
  );
  await module.publishAsync(`${prefix}notify/info/a`, 'after', { qos: 1 });
  assert.deepEqual(
    (await inbox.waitFor(3)).map(([, p]) => p),
    ['before', 'while away', 'after'],
  );

  assert.ok(lines.some((l) => l.includes('external MQTT broker connection lost')));
  assert.ok(lines.filter((l) => l.includes('connected to the external MQTT broker')).length >= 2);
  assert.ok(lines.some((l) => l.includes('bridge:***@')));
  assert.ok(!lines.some((l) => l.includes(password)), 'the password appears in the log');
});
