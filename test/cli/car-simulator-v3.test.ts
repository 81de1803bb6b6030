import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { carMetrics } from '../../src/cli/car/v3-metrics.js';
import { startV3Car, type V3CarOptions, type V3CarSimulator } from '../../src/cli/car/v3-simulator.js';
import { DEFAULT_IDENTITY } from '../../src/cli/car/vehicle-messages.js';
import { VehicleModel } from '../../src/cli/car/vehicle-model.js';
import { clearModuleTraces, MOSQUITTO_URL, MqttInbox, uniqueName } from '../helpers/v3-module.js';

/**
 * `ovms car --protocol v3` as a module on the machine's real Mosquitto: what it publishes and how
 * (retained metrics, the will, the persistent session), the faster rate while a client is present,
 * notifications and history records, commands. Each test has its own owner and vehicle id.
 */

interface Module {
  car: V3CarSimulator;
  prefix: string;
  vehicleId: string;
}

function start(t: TestContext, options: Partial<V3CarOptions> & { vehicleId?: string } = {}): Module {
  const owner = options.user ?? uniqueName('owner');
  const vehicleId = options.vehicleId ?? uniqueName('V');
  const car = startV3Car({
    url: MOSQUITTO_URL,
    user: owner,
    password: 'owner-password',
    vehicleId,
    scenario: 'park',
    reconnectMs: 200,
    ...options,
  });
  t.after(async () => {
    await car.stop();
    await clearModuleTraces(car.prefix, car.publishedMetrics, vehicleId);
  });
  return { car, prefix: car.prefix, vehicleId };
}

async function watch(
  t: TestContext,
  filter: string,
): Promise<{ inbox: MqttInbox; publish: (topic: string, payload: string) => Promise<void> }> {
  const client = await connectAsync(MOSQUITTO_URL, { clientId: uniqueName('watch'), reconnectPeriod: 0 });
  t.after(() => client.endAsync());
  const inbox = new MqttInbox(client);
  await client.subscribeAsync(filter, { qos: 2 });
  return {
    inbox,
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
  };
}

test('login: every metric retained, connected = yes last; the will says no when the module vanishes', async (t) => {
  const owner = uniqueName('owner');
  const vehicleId = uniqueName('V');
  const prefix = `ovms/${owner}/${vehicleId}/`;
  const w = await watch(t, `${prefix}#`);
  const m = start(t, { user: owner, vehicleId });
  assert.equal(m.prefix, prefix, 'the default prefix ovms/<user>/<vehicle id>/');
  await m.car.ready;
  assert.equal(await w.inbox.take(`${prefix}metric/s/v3/connected`), 'yes');
  const metricTopics = w.inbox.items.map(([topic]) => topic).filter((topic) => topic.includes('/metric/'));
  assert.ok(metricTopics.length > 60, `the full set (${metricTopics.length} metrics) came before connected`);
  assert.equal(await w.inbox.take(`${prefix}metric/v/b/soc`), '84.5');
  assert.equal(await w.inbox.take(`${prefix}metric/v/e/locked`), 'no');
  assert.equal(await w.inbox.take(`${prefix}metric/v/type`), 'DEMO');

  // Retained: a client that subscribes later gets the values at once.
  const late = await watch(t, `${prefix}metric/v/b/soc`);
  assert.equal(await late.inbox.take(`${prefix}metric/v/b/soc`), '84.5');

  await m.car.stop();
  assert.equal(await w.inbox.take(`${prefix}metric/s/v3/connected`), 'no');
});

test('commands on client/<cid>/command/<n> are answered on response/<n>; the persistent session keeps them while offline', async (t) => {
  const vehicleId = uniqueName('V');
  const first = start(t, { vehicleId, pin: '4321' });
  await first.car.ready;
  const w = await watch(t, `${first.prefix}client/test/response/+`);
  await w.publish(`${first.prefix}client/test/command/1`, 'lock 4321');
  assert.equal(await w.inbox.take(`${first.prefix}client/test/response/1`), 'Vehicle locked');
  assert.equal(first.car.model.state.locked, true);
  await w.publish(`${first.prefix}client/test/command/2`, 'unlock 1111');
  assert.equal(
    await w.inbox.take(`${first.prefix}client/test/response/2`),
    'Error: vehicle could not be unlocked',
  );
  await w.publish(`${first.prefix}client/test/command/3`, 'metrics list v.e.locked');
  assert.match(await w.inbox.take(`${first.prefix}client/test/response/3`), /^v\.e\.locked +yes$/);

  // Gone (clean session off): the broker keeps its subscriptions and queues a QoS 1 command.
  await first.car.stop();
  await w.publish(`${first.prefix}client/test/command/4`, 'stat');
  const again = start(t, { vehicleId, user: first.prefix.split('/')[1] });
  assert.match(await w.inbox.take(`${first.prefix}client/test/response/4`), /^Not charging\nSOC: /);
  assert.equal(again.prefix, first.prefix);
});

test('a present client (client/<cid>/active) makes the module send changes every 10 s instead of 600 s', async (t) => {
  // 50× speed: the connected interval is 0.2 s of real time, the idle one 12 s.
  const m = start(t, { speedUp: 50 });
  const w = await watch(t, `${m.prefix}metric/#`);
  await m.car.ready;
  await w.inbox.take(`${m.prefix}metric/s/v3/connected`);
  w.inbox.items.length = 0;
  await w.publish(`${m.prefix}client/app1/active`, '1');
  assert.equal(await w.inbox.take(`${m.prefix}metric/s/v3/peers`), '1');
  const first = await w.inbox.take(`${m.prefix}metric/m/time/utc`, 3000);
  const second = await w.inbox.take(`${m.prefix}metric/m/time/utc`, 3000);
  assert.notEqual(first, second);
  await w.publish(`${m.prefix}client/app1/active`, '0');
  assert.equal(await w.inbox.take(`${m.prefix}metric/s/v3/peers`), '0');
});

test('notifications: charge alerts on notify/info, trip and grid logs on notify/data one at a time (QoS 2)', async (t) => {
  const owner = uniqueName('owner');
  const vehicleId = uniqueName('V');
  const prefix = `ovms/${owner}/${vehicleId}/`;
  const w = await watch(t, `${prefix}notify/#`);
  const m = start(t, { user: owner, vehicleId, scenario: 'drive', speedUp: 3000, seed: 7 });
  await m.car.ready;
  const [tripTopic, trip] = await w.inbox.find(
    (topic) => topic.startsWith(`${prefix}notify/data/log/trip/`),
    20_000,
  );
  assert.match(tripTopic, /\/notify\/data\/log\/trip\/\d+\/-?\d+$/);
  assert.match(trip, /^\*-LOG-Trip,0,31536000,\d{4}-\d\d-\d\d /);
  const charging = await w.inbox.take(`${prefix}notify/info/charge/started`, 20_000);
  assert.match(charging, /^Vehicle is now charging \(standard, \d+ A\)\nSOC: /);
  const [, grid] = await w.inbox.find((topic) => topic.startsWith(`${prefix}notify/data/log/grid/`), 20_000);
  assert.match(grid, /^\*-LOG-Grid,0,31536000,/);
});

/** `ovms car …` as its own process, with no OVMS_* variables from the developer's shell. */
function ovmsCar(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OVMS_')));
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/ovms.ts', 'car', ...args], {
    cwd: new URL('../../', import.meta.url).pathname,
    env,
  });
}

test('ovms car --protocol v3: runs as a module until SIGTERM, never logs the password; usage errors exit 2', async (t) => {
  const owner = uniqueName('owner');
  const vehicleId = uniqueName('V');
  const prefix = `ovms/${owner}/${vehicleId}/`;
  const w = await watch(t, `${prefix}metric/s/v3/connected`);
  const password = 'very-secret-pw';
  const server = MOSQUITTO_URL.replace('mqtt://', '');
  const child = ovmsCar([
    '--protocol',
    'v3',
    '--server',
    server,
    '--user',
    owner,
    '--password',
    password,
    '--id',
    vehicleId,
  ]);
  t.after(async () => {
    child.kill('SIGKILL');
    await clearModuleTraces(
      prefix,
      [...carMetrics(new VehicleModel(), DEFAULT_IDENTITY).keys(), 's.v3.peers'],
      vehicleId,
    );
  });
  let stdout = '';
  const lines = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      stdout += `${line}\n`;
      if (line.includes(`connected to mqtt://${server} as ${owner}, prefix ${prefix}`)) resolve();
    });
    child.once('close', () => reject(new Error(`ovms car exited early: ${stdout}`)));
  });
  assert.equal(await w.inbox.take(`${prefix}metric/s/v3/connected`), 'yes');
  child.kill('SIGTERM');
  const [code] = await once(child, 'close');
  assert.equal(code, 0);
  assert.equal(await w.inbox.take(`${prefix}metric/s/v3/connected`), 'no');
  assert.match(stdout, / info {2}stopped\n$/);
  assert.ok(!stdout.includes(password), 'the password is never logged');

  for (const [args, message] of [
    [['--id', 'X1', '--password', 'p'], /missing --user OWNER/],
    [['--id', 'X1', '--user', 'o', '--password', 'p', '--token', 't'], /--password or --token, not both/],
    [['--id', 'X1', '--user', 'o', '--password', 'p', '--prefix', 'ovms/o/X1'], /must end with "\/"/],
    [['--id', 'X1', '--user', 'o', '--password', 'p', '--server', 'mqtt://o:p@host'], /not --server/],
  ] as const) {
    const bad = ovmsCar(['--protocol', 'v3', ...args]);
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [exit] = await once(bad, 'close');
    assert.equal(exit, 2, stderr);
    assert.match(stderr, message);
  }
});
