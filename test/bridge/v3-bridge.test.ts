import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { BRIDGE_CLIENT_ID } from '../../src/bridge/mqtt-bridge.js';
import { vehicleKey } from '../../src/server/hub.js';
import { eventually } from '../helpers/eventually.js';
import { type Harness, type HarnessOptions, startServer } from '../helpers/harness.js';
import { MOSQUITTO_URL, MqttInbox, uniqueName, V3Module } from '../helpers/v3-module.js';

/**
 * The v3 bridge over the external broker (`mqtt.url`, the machine's real Mosquitto): a module
 * simulated with mqtt.js and a v2 app see each other, and a v2 car is seen on MQTT. Owners and
 * vehicle ids are unique per run, since other test files use the same broker at the same time.
 */

interface Setup {
  h: Harness;
  owner: string;
  vehicleId: string;
  secret: string;
}

async function bridged(t: Parameters<typeof startServer>[0], opts: HarnessOptions = {}): Promise<Setup> {
  const h = await startServer(t, {
    ...opts,
    settings: {
      'mqtt.url': MOSQUITTO_URL,
      // Unique: the server's MQTT client id comes from it, and each test is its own server.
      'server.node_id': uniqueName('node'),
      // Ends the server's MQTT session with the test instead of leaving it on the shared Mosquitto
      // for a day; it lifts no limit users meet.
      'mqtt.session_expiry': 0,
      ...opts.settings,
    },
  });
  const owner = uniqueName('owner');
  const vehicleId = uniqueName('V');
  const secret = 'car-secret-1';
  await h.addVehicle(vehicleId, secret, await h.addOwner(owner));
  await h.server.bridge!.ready;
  return { h, owner, vehicleId, secret };
}

async function module(t: Parameters<typeof startServer>[0], s: Setup): Promise<V3Module> {
  const m = await V3Module.connect(s.owner, s.vehicleId);
  t.after(() => m.close(['v.b.soc', 'v.b.range.ideal', 'v.b.range.est', 'v.c.state', 'v.e.locked']));
  return m;
}

/** The app's Z messages until Z1: the bridge attaches the car once it has read `connected = yes`. */
async function untilOnline(app: {
  nextOf(code: string, timeoutMs?: number): Promise<string>;
}): Promise<void> {
  while ((await app.nextOf('Z')) !== 'Z1');
}

const statusField = (line: string, n: number) => line.slice(1).split(',')[n - 1];

test('a v3 module is a car to v2 apps: status in the configured unit, live updates, Z1', async (t) => {
  const s = await bridged(t);
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  assert.equal(await app.nextOf('Z'), 'Z0');
  const m = await module(t, s);
  await m.metrics({
    'v.b.soc': '80.5',
    'v.b.range.ideal': '300',
    'v.b.range.est': '250.7',
    'v.c.state': 'charging',
  });
  await m.online();
  assert.equal(await app.nextOf('Z'), 'Z1');
  const status = await app.nextOf('S');
  assert.equal(statusField(status, 1), '80.5');
  assert.equal(statusField(status, 2), 'K');
  assert.equal(statusField(status, 7), '300');
  assert.equal(statusField(status, 8), '250');
  assert.equal(statusField(status, 5), 'charging');

  // The module's distance unit, read with request/config, turns ranges into miles.
  m.config['vehicle/units.distance'] = 'M';
  await m.metrics({ 'v.b.soc': '81' });
  let miles = await app.nextOf('S');
  while (statusField(miles, 2) !== 'M' || statusField(miles, 1) !== '81.0') miles = await app.nextOf('S');
  assert.equal(statusField(miles, 7), String(Math.trunc(300 * 0.62137)));
  assert.equal(statusField(miles, 8), String(Math.trunc(250.7 * 0.62137)));

  // Stored like a v2 car's: a later app gets it replayed.
  const later = await s.h.connect('A', s.vehicleId, s.secret);
  assert.equal(await later.nextOf('Z'), 'Z1');
  assert.equal(statusField(await later.nextOf('S'), 1), '81.0');
});

test('commands: lock round trip, command 7 output, active presence while an app watches', async (t) => {
  const s = await bridged(t);
  const m = await module(t, s);
  await m.metrics({ 'v.b.soc': '50' });
  await m.online();
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  await untilOnline(app);
  // The app makes the bridge present on the module, so it sends fresh data.
  assert.equal(await m.inbox.take(`${m.prefix}client/${BRIDGE_CLIENT_ID}/active`), '1');

  const seen: string[] = [];
  m.answer = (line) => {
    seen.push(line);
    if (line === 'lock 1234') return 'Vehicle locked';
    if (line === 'unlock 9999') return 'Error: vehicle could not be unlocked';
    if (line === 'metrics list v.b.soc') return 'v.b.soc   50%\nsecond, line';
    return undefined;
  };
  const lock = await app.client.command(20, ['1234']);
  assert.deepEqual([lock.command, lock.result], [20, 0]);
  const unlock = await app.client.command(22, ['9999']);
  assert.deepEqual([unlock.command, unlock.result], [22, 1]);
  const shell = await app.client.command(7, ['metrics list v.b.soc']);
  assert.equal(shell.result, 0);
  assert.equal(shell.lines[0]!.text, 'v.b.soc   50%\rsecond; line');
  // Checked before the module: a PIN that is not digits never reaches it.
  const bad = await app.client.command(20, ['12 34']);
  assert.equal(bad.result, 1);
  assert.deepEqual(seen, ['lock 1234', 'unlock 9999', 'metrics list v.b.soc']);
  // 30-32 stay server-side.
  const usage = await app.client.command(30);
  assert.equal(usage.command, 30);
  assert.equal(seen.length, 3);

  await app.close();
  assert.equal(await m.inbox.take(`${m.prefix}client/${BRIDGE_CLIENT_ID}/active`), '0');
});

test('a command the module never answers gets a clear error (timeouts.command set low for this test)', async (t) => {
  const s = await bridged(t, { settings: { 'timeouts.command': 2 } });
  const m = await module(t, s);
  m.answer = () => undefined;
  await m.online();
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  await untilOnline(app);
  const r = await app.client.command(11);
  assert.equal(r.result, 1);
  assert.equal(r.lines[0]!.text, 'no response from the vehicle module within 1 s');
});

test('alerts reach apps and push; data records are stored as history', async (t) => {
  const s = await bridged(t);
  const m = await module(t, s);
  await m.online();
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  await untilOnline(app);
  await m.notify('alert/charge/stopped', 'Charge stopped, 80%');
  assert.equal(await app.nextOf('P'), 'PACharge stopped; 80%');
  const alerts = await s.h.notifier.waitFor(1);
  assert.equal(alerts.at(-1)!.text, 'Charge stopped; 80%');
  assert.equal(alerts.at(-1)!.vehicleId, s.vehicleId);

  await m.notify('data/log/trip/57/-3', '*-LOG-Trip,0,31536000,12.3,a,b', 2);
  const vehicle = (await s.h.store.findVehicle(s.vehicleId))!;
  const records = await eventually(
    () => s.h.store.historyRecords(vehicle, '*-LOG-Trip'),
    (r) => r.length > 0,
  );
  assert.equal(records.length, 1);
  assert.equal(records[0]!.data.toString(), '12.3,a,b');
  // Command 32 reads it like a v2 car's record.
  const history = await app.client.command(32, ['*-LOG-Trip']);
  assert.ok(
    history.lines.some((l) => l.text.includes('12.3,a,b')),
    JSON.stringify(history.lines),
  );
});

test("the module's will marks the car offline: apps get Z0, commands are refused", async (t) => {
  const s = await bridged(t);
  const m = await module(t, s);
  await m.online();
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  await untilOnline(app);
  m.crash();
  assert.equal(await app.nextOf('Z', 10_000), 'Z0');
  const r = await app.client.command(20, ['1234']);
  assert.equal(r.lines[0]!.text, 'vehicle not connected');
});

test('a v2 car is seen on MQTT: retained metrics, connected yes/no, alerts, shell commands', async (t) => {
  const s = await bridged(t);
  const watcher: MqttClient = await connectAsync(MOSQUITTO_URL, {
    clientId: uniqueName('ha'),
    reconnectPeriod: 0,
  });
  t.after(() => watcher.endAsync());
  const inbox = new MqttInbox(watcher);
  const prefix = `ovms/${s.owner}/${s.vehicleId}/`;
  await watcher.subscribeAsync(`${prefix}#`, { qos: 1 });

  const car = await s.h.connect('C', s.vehicleId, s.secret);
  await car.nextOf('Z');
  assert.equal(await inbox.take(`${prefix}metric/s/v3/connected`), 'yes');
  car.send('S', '72,M,230,16.00,charging,standard,186,150');
  assert.equal(await inbox.take(`${prefix}metric/v/b/soc`), '72');
  assert.equal(await inbox.take(`${prefix}metric/v/c/state`), 'charging');
  // Miles in S become km in the metric (V3.md: metrics are in their native units).
  assert.equal(
    Number(await inbox.take(`${prefix}metric/v/b/range/ideal`)).toFixed(0),
    (186 / 0.62137).toFixed(0),
  );
  car.send('P', 'AHello world\rsecond line');
  assert.equal(await inbox.take(`${prefix}notify/alert/v2`), 'Hello world\nsecond line');

  await watcher.publishAsync(`${prefix}client/ha/command/c1`, 'stat', { qos: 1 });
  assert.equal(await car.nextOf('C'), 'C7,stat');
  car.send('c', '7,0,SOC: 72%\rCharging');
  assert.equal(await inbox.take(`${prefix}client/ha/response/c1`), 'SOC: 72%\nCharging');

  await car.close();
  assert.equal(await inbox.take(`${prefix}metric/s/v3/connected`), 'no');
  for (const name of ['s/v3/connected', 'v/b/soc', 'v/c/state', 'v/b/range/ideal', 'v/b/range/est'])
    await watcher.publishAsync(`${prefix}metric/${name}`, '', { retain: true });
});

test('without mqtt.url (and no embedded broker) there is no bridge', async (t) => {
  const h = await startServer(t);
  assert.equal(h.server.bridge, undefined);
});

test("topics under another owner's prefix are ignored", async (t) => {
  const s = await bridged(t);
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  assert.equal(await app.nextOf('Z'), 'Z0');
  // The intruder is a registered owner with a vehicle of its own, and names the victim's vehicle id.
  const intruder = uniqueName('intruder');
  const own = uniqueName('W');
  await s.h.addVehicle(own, 'own-secret-1', await s.h.addOwner(intruder));
  const bogus = await V3Module.connect(intruder, s.vehicleId);
  t.after(() => bogus.close(['v.b.soc']));
  await bogus.metrics({ 'v.b.soc': '1' });
  await bogus.online();
  // Then under its own vehicle: once that one is online, the bogus topics have been handled.
  const mine = await V3Module.connect(intruder, own);
  t.after(() => mine.close([]));
  const ownApp = await s.h.connect('A', own, 'own-secret-1');
  await mine.online();
  await untilOnline(ownApp);
  assert.deepEqual(
    app.pending().filter((m) => !m.startsWith('T')),
    [],
  );
  const victim = (await s.h.store.findVehicle(s.vehicleId))!;
  assert.equal(await s.h.server.hub.carConnected(vehicleKey(victim)), false);
});

test('limits: metrics per vehicle and payload size (both set low for this test)', async (t) => {
  const s = await bridged(t, { settings: { 'mqtt.max_metrics_per_vehicle': 2, 'mqtt.max_payload': 64 } });
  const app = await s.h.connect('A', s.vehicleId, s.secret);
  const m = await module(t, s);
  await m.metrics({ 'v.b.soc': '64', 'v.c.state': 'done', 'v.b.range.est': '123' });
  await m.metrics({ 'v.e.locked': 'x'.repeat(65) });
  await m.online();
  await untilOnline(app);
  const status = await app.nextOf('S');
  assert.equal(statusField(status, 1), '64.0');
  assert.equal(statusField(status, 5), 'done');
  assert.equal(statusField(status, 8), '0');
  const logged = (text: string) => s.h.logs.filter((l) => l.includes(text)).length;
  assert.equal(logged('(mqtt.max_metrics_per_vehicle)'), 1);
  assert.equal(logged('(mqtt.max_payload)'), 1);
});
