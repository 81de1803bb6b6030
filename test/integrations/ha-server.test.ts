import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { startCar } from '../../src/cli/car/simulator.js';
import { discoveryDocuments } from '../../src/integrations/home-assistant/discovery.js';
import { deviceId } from '../../src/integrations/home-assistant/topics.js';
import { addApiToken } from '../helpers/api-tokens.js';
import { startServer } from '../helpers/harness.js';
import { testSecrets } from '../helpers/log-secrets.js';
import { MOSQUITTO_URL, uniqueName, V3Module } from '../helpers/v3-module.js';

/**
 * Home Assistant MQTT discovery end to end: a client subscribed as Home Assistant is (the discovery
 * topics, then every state, availability and attributes topic the documents name) sees the
 * documents, the states following a v2 car's messages, and a lock command published as Home
 * Assistant renders it reaching the car. On the machine's Mosquitto (`mqtt.url`; names and the
 * discovery prefix unique per run, since other test files share the broker) and on the embedded
 * broker (Home Assistant logged in as the owner).
 */

/** Long enough for the harness's log scan (every line of every server, after the file). */
const PIN = '80427319';
testSecrets.literal(PIN, 'PIN');

type Doc = Record<string, unknown>;

/** An MQTT client that does what Home Assistant's MQTT integration does with discovery. */
class HomeAssistant {
  /** The latest retained/live payload per topic ('' once removed). */
  readonly latest = new Map<string, string>();
  /** Discovery documents received, every publication counted. */
  configMessages = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.latest.set(topic, payload.toString());
      if (topic.endsWith('/config')) this.configMessages++;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  static async connect(
    url: string,
    discoveryPrefix: string,
    extra: IClientOptions = {},
  ): Promise<HomeAssistant> {
    const client = await connectAsync(url, {
      clientId: uniqueName('homeassistant'),
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...extra,
    });
    const ha = new HomeAssistant(client);
    // Home Assistant's own discovery subscriptions.
    const granted = await client.subscribeAsync(
      [`${discoveryPrefix}/+/+/config`, `${discoveryPrefix}/+/+/+/config`],
      { qos: 1 },
    );
    assert.ok(
      granted.every((g) => g.qos < 128),
      'the discovery subscriptions are granted',
    );
    return ha;
  }

  /** Resolves once `test` holds, re-checked at every message. */
  async until<T>(what: string, test: () => T | undefined, timeoutMs = 8000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = test();
      if (value !== undefined && value !== false) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Home Assistant never saw ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The discovery documents of one device, by the object id level of their topics. */
  documents(node: string): Map<string, Doc> {
    const docs = new Map<string, Doc>();
    for (const [topic, payload] of this.latest) {
      const levels = topic.split('/');
      if (levels.at(-1) !== 'config' || levels.at(-3) !== node || payload === '') continue;
      docs.set(levels.at(-2)!, JSON.parse(payload) as Doc);
    }
    return docs;
  }

  /** Subscribes to every topic the device's documents read, as Home Assistant does per entity. */
  async follow(node: string): Promise<void> {
    const topics = new Set<string>();
    for (const doc of this.documents(node).values())
      for (const field of ['state_topic', 'availability_topic', 'json_attributes_topic'])
        if (typeof doc[field] === 'string') topics.add(doc[field] as string);
    await this.client.subscribeAsync([...topics], { qos: 0 });
  }

  /** Waits until `topic`'s latest payload is `value`. */
  state(topic: string, value: string): Promise<true> {
    return this.until(`${topic} = ${value}`, () => this.latest.get(topic) === value || undefined);
  }

  /** Publishes a command the way Home Assistant does (QoS 0, not retained). */
  async command(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 0 });
  }

  /** Clears what a test left retained under these prefixes on the shared broker. */
  async clearRetained(prefixes: string[]): Promise<void> {
    for (const [topic, payload] of this.latest)
      if (payload !== '' && prefixes.some((p) => topic.startsWith(p)))
        await this.client.publishAsync(topic, '', { retain: true, qos: 1 });
  }
}

/** The expected number of documents per vehicle. */
const DOCUMENT_COUNT = discoveryDocuments({ owner: 'o', vehicleId: 'V', name: '' }, 'p', 'v').length;

/** Checks the fields Home Assistant needs in every document of a device. */
function assertDocuments(docs: Map<string, Doc>, node: string): void {
  assert.equal(docs.size, DOCUMENT_COUNT);
  for (const [object, doc] of docs) {
    assert.equal(doc.unique_id, `${node}_${object}`);
    assert.deepEqual((doc.device as { identifiers: unknown }).identifiers, [node]);
    assert.ok(
      typeof doc.state_topic === 'string' ||
        typeof doc.command_topic === 'string' ||
        doc.json_attributes_topic,
      `${object} reads or writes a topic`,
    );
  }
}

/** A server on the shared Mosquitto with discovery on for one fresh owner under a fresh prefix. */
async function externalServer(t: Parameters<typeof startServer>[0]) {
  const owner = uniqueName('owner');
  const vehicleId = uniqueName('V');
  const discoveryPrefix = uniqueName('ha-test');
  const h = await startServer(t, { settings: externalSettings(owner, discoveryPrefix, true) });
  await h.server.homeAssistant!.ready;
  return { h, owner, vehicleId, discoveryPrefix };
}

function externalSettings(owner: string, discoveryPrefix: string, discovery: boolean) {
  return {
    'mqtt.url': MOSQUITTO_URL,
    // Unique: the server's MQTT client id comes from it.
    'server.node_id': uniqueName('node'),
    // The shared Mosquitto must not keep this run's session (test/bridge does the same).
    'mqtt.session_expiry': 0,
    'ha.discovery': discovery,
    'ha.discovery_prefix': discoveryPrefix,
    // Only this run's owner: other test files' vehicles live in the same database kinds.
    'ha.owners': owner,
  };
}

const lastReply = (car: { nextOf(code: string): Promise<string> }) => car.nextOf('C');

test('external broker: a v2 car in Home Assistant (documents, states, position, lock with the PIN, removal)', async (t) => {
  const { h, owner, vehicleId, discoveryPrefix } = await externalServer(t);
  const vehicle = await h.addVehicle(vehicleId, 'car-secret-1', await h.addOwner(owner));
  const ha = await HomeAssistant.connect(MOSQUITTO_URL, discoveryPrefix);
  const prefix = `ovms/${owner}/${vehicleId}/`;
  t.after(async () => {
    await ha.clearRetained([prefix, `${discoveryPrefix}/`]);
    await ha.client.endAsync();
  });
  const node = deviceId(owner, vehicleId);

  // The car's first message makes its documents; its F names the model, firmware and VIN.
  const car = await h.connect('C', vehicleId, 'car-secret-1');
  car.send('F', '3.3.004-test,SJNFAAZE0U6012345,20,1,NL');
  const docs = await ha.until('the documents with the car type', () => {
    const d = ha.documents(node);
    const device = d.get('soc')?.device as { model?: string } | undefined;
    return d.size === DOCUMENT_COUNT && device?.model?.includes('NL') ? d : undefined;
  });
  assertDocuments(docs, node);
  assert.deepEqual(docs.get('lock')!.device, {
    identifiers: [node],
    name: vehicleId,
    manufacturer: 'Open Vehicle Monitoring System',
    model: 'Nissan Leaf / e-NV200 (NL)',
    sw_version: '3.3.004-test',
    serial_number: 'SJNFAAZE0U6012345',
  });
  await ha.follow(node);
  const topic = (key: string, field = 'state_topic') => docs.get(key)![field] as string;

  // States follow the car's messages (km car: ranges and odometer as sent, tenths → km).
  car.send('S', '72,K,230,16.00,charging,standard,180,150');
  await ha.state(topic('soc'), '72');
  await ha.state(topic('charge_state'), 'charging');
  await ha.state(topic('range_est'), '150');
  await ha.state(topic('range_ideal'), '180');
  car.send('S', '73.5,K,230,16.00,charging,standard,182,151');
  await ha.state(topic('soc'), '73.5');
  car.send('D', '24,0,5,30,40,25,123,45678,0,0,18,0,1,1,12.6');
  await ha.state(topic('charging'), 'yes');
  await ha.state(topic('plugged_in'), 'yes');
  await ha.state(topic('door_front_left'), 'no');
  await ha.state(topic('lock'), 'no');
  await ha.state(topic('odometer'), '4567.8');
  await ha.state(topic('battery_12v'), '12.6');
  await ha.state(topic('temp_battery'), '25');
  await ha.state(topic('online'), 'yes');
  await ha.state(topic('lock', 'availability_topic'), 'yes');
  car.send('L', '52.520008,13.404954,90,34,1,1,0,0,0,-7.2');
  await ha.state(topic('battery_power'), '-7.2');
  await ha.state(topic('location', 'json_attributes_topic'), '{"latitude":52.520008,"longitude":13.404954}');
  const seen = await ha.until('the last update time', () => ha.latest.get(topic('last_seen')));
  assert.ok(Math.abs(Date.parse(seen) - Date.now()) < 60_000, seen);

  // Lock as Home Assistant renders the command template with the PIN typed (or its default code).
  const lockTopic = topic('lock', 'command_topic');
  await ha.command(lockTopic, `{"action": "LOCK", "code": "${PIN}"}`);
  assert.equal(await lastReply(car), `C20,${PIN}`);
  car.send('c', '20,0');
  car.send('D', '24,8,4,30,40,25,123,45678,0,0,18,0,1,1,12.6');
  await ha.state(topic('lock'), 'yes');
  const result = await ha.until('the lock result', () => {
    const r = ha.latest.get(topic('last_command'));
    return r && JSON.parse(r).action === 'lock' ? (JSON.parse(r) as Record<string, unknown>) : undefined;
  });
  assert.deepEqual(
    { ...result, time: typeof result.time },
    {
      action: 'lock',
      command: 20,
      ok: true,
      text: 'done',
      time: 'string',
    },
  );

  // No PIN: answered at once, nothing reaches the car (its next command is the unlock that follows).
  await ha.command(lockTopic, '{"action": "UNLOCK", "code": ""}');
  await ha.until('the refusal', () => {
    const r = ha.latest.get(topic('last_command'));
    return r && JSON.parse(r).ok === false && /PIN/.test(JSON.parse(r).text);
  });
  await ha.command(lockTopic, `{"action": "UNLOCK", "code": "${PIN}"}`);
  assert.equal(await lastReply(car), `C22,${PIN}`);
  car.send('c', '22,1,wrong PIN');
  await ha.until('the car refusing', () => {
    const r = ha.latest.get(topic('last_command'));
    return r && JSON.parse(r).text === 'wrong PIN' && JSON.parse(r).ok === false;
  });
  // The number and the switches send what PUT /api/charge and /api/climate do.
  await ha.command(topic('charge_current_limit', 'command_topic'), '16');
  assert.equal(await lastReply(car), 'C15,16');
  car.send('c', '15,0');
  await ha.command(topic('charging_switch', 'command_topic'), 'OFF');
  assert.equal(await lastReply(car), 'C12');
  car.send('c', '12,0');
  await ha.command(topic('homelink2', 'command_topic'), 'PRESS');
  assert.equal(await lastReply(car), 'C24,1');
  car.send('c', '24,0');

  // Bounded: all those messages and commands published no document again.
  assert.equal(ha.configMessages, DOCUMENT_COUNT);

  await car.close();
  await ha.state(topic('online'), 'no');

  // Deleting the vehicle removes its documents (at the next refresh: ha.refresh_s, run here directly).
  assert.ok(await h.store.deleteVehicle(vehicle), 'the vehicle is deleted');
  await h.server.homeAssistant!.refresh();
  await ha.until('the documents removed', () => ha.documents(node).size === 0);
  await ha.state(topic('location', 'json_attributes_topic'), '');
  // The logs never hold the PIN (the harness scans every server's lines for it after the file, too).
  assert.ok(!h.logs.some((l) => l.includes(PIN)), 'no log line holds the PIN');
});

test('external broker: turning discovery off removes the documents published before', async (t) => {
  const { h: on, owner, discoveryPrefix } = await externalServer(t);
  const vehicleIds = [uniqueName('V'), uniqueName('V')];
  const ownerRow = await on.addOwner(owner);
  for (const id of vehicleIds) await on.addVehicle(id, 'car-secret-1', ownerRow);
  await on.server.homeAssistant!.refresh();
  const ha = await HomeAssistant.connect(MOSQUITTO_URL, discoveryPrefix);
  t.after(async () => {
    await ha.clearRetained([`${discoveryPrefix}/`]);
    await ha.client.endAsync();
  });
  for (const id of vehicleIds)
    await ha.until(`${id}'s documents`, () => ha.documents(deviceId(owner, id)).size === DOCUMENT_COUNT);
  await on.server.stop();

  // The same broker, discovery now off (a server of its own database: only the broker holds the documents).
  const off = await startServer(t, { settings: externalSettings(owner, discoveryPrefix, false) });
  await off.server.homeAssistant!.ready;
  for (const id of vehicleIds)
    await ha.until(`${id}'s documents removed`, () => ha.documents(deviceId(owner, id)).size === 0);
});

test('embedded broker: Home Assistant logged in as the owner locks the simulated car', async (t) => {
  const h = await startServer(t, {
    mqtt: { mqtt: 0 },
    settings: { 'ha.discovery': true, 'ha.discovery_prefix': 'ovms/{owner}/homeassistant' },
  });
  await h.addVehicle('SIMHA', 's1');
  // A restart publishes the documents of every vehicle at start, before any car connects.
  await h.restart();
  await h.server.homeAssistant!.ready;
  const url = `mqtt://127.0.0.1:${h.server.ports.mqtt}`;
  // Home Assistant logs in as the owner with a token holding the mqtt and vehicle.control rights.
  const token = await addApiToken(h, 'mqtt,vehicle.control', 'ha-token-0123456789abcdef');
  testSecrets.literal(token, 'token');
  const ha = await HomeAssistant.connect(url, 'ovms/owner/homeassistant', {
    username: 'owner',
    password: token,
  });
  t.after(() => (ha.client.disconnecting || ha.client.disconnected ? undefined : ha.client.endAsync(true)));
  const node = deviceId('owner', 'SIMHA');
  const docs = await ha.until('the documents', () => {
    const d = ha.documents(node);
    return d.size === DOCUMENT_COUNT ? d : undefined;
  });
  assertDocuments(docs, node);
  await ha.follow(node);

  // No app is connected: the module reports at its idle interval until Home Assistant's command
  // makes the car count as watched (APP_HOLD_MS), as an app would.
  const car = startCar({
    client: { host: '127.0.0.1', port: h.port, vehicleId: 'SIMHA', secret: 's1' },
    pin: PIN,
    seed: 1,
  });
  // Stopped at the end of the test, before the harness stops the server.
  try {
    await car.ready;
    const state = (key: string) => docs.get(key)!.state_topic as string;
    await ha.state(docs.get('lock')!.availability_topic as string, 'yes');
    await ha.state(state('lock'), 'no');
    await ha.until('a state of charge', () => Number(ha.latest.get(state('soc'))) > 0);

    // A login whose token only has the mqtt right may read everything but command nothing: its
    // command is dropped by the broker (QoS 2: done once the broker has decided).
    const readOnly = await addApiToken(h, 'mqtt', 'ha-reader-0123456789abcdef');
    testSecrets.literal(readOnly, 'token');
    const reader = await connectAsync(url, { username: 'owner', password: readOnly, reconnectPeriod: 0 });
    const lockTopic = docs.get('lock')!.command_topic as string;
    try {
      await reader.publishAsync(lockTopic, `{"action": "LOCK", "code": "${PIN}"}`, { qos: 2 });
    } finally {
      await reader.endAsync();
    }
    assert.ok(
      h.logs.some((l) => l.includes('a car command needs the vehicle.control right')),
      'the command of the login without vehicle.control is dropped',
    );

    await ha.command(lockTopic, `{"action": "LOCK", "code": "${PIN}"}`);
    await ha.state(state('lock'), 'yes');
    await ha.until('the lock result', () => {
      const r = ha.latest.get(state('last_command'));
      return r && JSON.parse(r).ok === true && JSON.parse(r).command === 20;
    });
    assert.equal(h.logs.filter((l) => l.includes('"msg":"Home Assistant command"')).length, 1);
  } finally {
    await car.stop();
    await ha.client.endAsync();
  }
});

test('external broker: a v3 module is commanded through the bridge and its lock state follows', async (t) => {
  const { h, owner, vehicleId, discoveryPrefix } = await externalServer(t);
  await h.addVehicle(vehicleId, 'car-secret-1', await h.addOwner(owner));
  await h.server.bridge!.ready;
  const ha = await HomeAssistant.connect(MOSQUITTO_URL, discoveryPrefix);
  const module = await V3Module.connect(owner, vehicleId);
  t.after(async () => {
    await module.close(['v.type', 'v.b.soc', 'v.e.locked']);
    await ha.clearRetained([`ovms/${owner}/${vehicleId}/`, `${discoveryPrefix}/`]);
    await ha.client.endAsync();
  });
  await module.metrics({ 'v.type': 'NL', 'v.b.soc': '80', 'v.e.locked': 'no' });
  module.answer = (line) => {
    if (line !== `lock ${PIN}`) return 'Error: unexpected';
    void module.metrics({ 'v.e.locked': 'yes' });
    return 'Vehicle locked';
  };
  await module.online();
  const node = deviceId(owner, vehicleId);
  const docs = await ha.until('the documents with the car type', () => {
    const d = ha.documents(node);
    const device = d.get('soc')?.device as { model?: string } | undefined;
    return d.size === DOCUMENT_COUNT && device?.model?.includes('NL') ? d : undefined;
  });
  await ha.follow(node);
  const state = (key: string) => docs.get(key)!.state_topic as string;
  await ha.state(state('soc'), '80');
  await ha.state(state('lock'), 'no');
  await ha.command(docs.get('lock')!.command_topic as string, `{"action": "LOCK", "code": "${PIN}"}`);
  await ha.state(state('lock'), 'yes');
  await ha.until('the lock result', () => {
    const r = ha.latest.get(state('last_command'));
    return r && JSON.parse(r).ok === true && JSON.parse(r).command === 20;
  });
});
