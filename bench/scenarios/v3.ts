import { spawn } from 'node:child_process';
import { connectAsync, type MqttClient } from 'mqtt';
import { CONFIG_READ_TIMEOUT_MS } from '../../src/bridge/module-commands.js';
import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { INSPECT_ARG, inspectorUrl, type MemoryProbe, memoryProbe } from '../inspector.js';
import { freePort, startBenchServer } from '../server-process.js';
import { pool, summarise } from '../stats.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A module's MQTT client, logged in by vehicle id and secret (as bench/server-process seeds them). */
function moduleClient(port: number, vehicleId: string, login = true): Promise<MqttClient> {
  return connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: vehicleId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(login ? { username: vehicleId, password: 'bench-secret' } : {}),
    will: {
      topic: `ovms/bench/${vehicleId}/metric/s/v3/connected`,
      payload: Buffer.from('no'),
      qos: 0,
      retain: true,
    },
  });
}

/**
 * Each module keeps `window` QoS 1 publishes of `v.b.soc` (its sequence number) unacknowledged; the
 * number acknowledged per second is the broker's ingestion rate. `onDelivery(module, seq)` is called
 * by the receiving side; latency is measured from the send time of that sequence number.
 */
async function pumpMetrics(
  modules: MqttClient[],
  ids: string[],
  window: number,
  seconds: number,
  attachReceiver: (deliver: (module: number, seq: number) => void) => void,
) {
  const sendTimes = modules.map(() => new Array<number>(4096).fill(0));
  const latencies: number[] = [];
  let acked = 0;
  let measuring = false;
  let running = true;
  attachReceiver((i, seq) => {
    if (measuring && Number.isInteger(seq)) latencies.push(performance.now() - sendTimes[i]![seq % 4096]!);
  });
  const loops = modules.map(async (client, i) => {
    let seq = 0;
    const topic = `ovms/bench/${ids[i]}/metric/v/b/soc`;
    const inFlight = new Set<Promise<unknown>>();
    while (running) {
      while (inFlight.size < window) {
        const n = seq++ % 100_000;
        sendTimes[i]![n % 4096] = performance.now();
        const p = client.publishAsync(topic, String(n), { qos: 1 }).then(() => {
          if (measuring) acked++;
          inFlight.delete(p);
        });
        inFlight.add(p);
      }
      await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  running = false;
  await Promise.all(loops);
  return { metricsPerSecond: Math.round(acked / elapsed), latencyMs: summarise(latencies) };
}

/** `count` idle modules (from BENCH<first>): each logged in, 4 retained metrics, `connected = yes`. */
async function idleModules(
  port: number,
  first: number,
  count: number,
  login: boolean,
): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => `BENCH${first + i}`),
    50,
    async (id) => {
      const c = await moduleClient(port, id, login);
      clients.push(c);
      for (const [name, value] of [
        ['v/b/soc', '80'],
        ['v/b/range/ideal', '300'],
        ['v/c/state', 'done'],
        ['s/v3/connected', 'yes'],
      ] as const)
        await c.publishAsync(`ovms/bench/${id}/metric/${name}`, value, { retain: true, qos: 1 });
    },
  );
  return clients;
}

export interface IdleCost {
  /** Modules connected before the first measurement (their cost is not counted). */
  warm: number;
  /** Modules added between the two measurements. */
  modules: number;
  /** Resident set size per added module, after a full garbage collection. */
  bytesPerConnection: number;
  /** V8 heap in use per added module, after a full garbage collection. */
  heapBytesPerConnection: number;
}

/**
 * What one more idle module costs a broker process: `warm` modules connect first (the process's
 * own start-up costs, compiled code and grown heap spaces are paid with them), then the process is
 * measured, `idle` more connect, and it is measured again; the difference over `idle`. Each
 * measurement waits until the bridge's per-module timers of the last batch have run out (a config
 * read at attach waits up to CONFIG_READ_TIMEOUT_MS), then collects garbage through the inspector
 * (bench/inspector.ts). The modules run in this process, the broker in its own.
 */
async function idleCost(
  port: number,
  probe: MemoryProbe,
  first: number,
  warm: number,
  idle: number,
  login: boolean,
): Promise<IdleCost> {
  const quiet = () => new Promise((r) => setTimeout(r, CONFIG_READ_TIMEOUT_MS + 1000));
  const clients = await idleModules(port, first, warm, login);
  try {
    await quiet();
    const before = await probe.measure();
    clients.push(...(await idleModules(port, first + warm, idle, login)));
    await quiet();
    const after = await probe.measure();
    return {
      warm,
      modules: idle,
      bytesPerConnection: Math.round((after.rss - before.rss) / idle),
      heapBytesPerConnection: Math.round((after.heapUsed - before.heapUsed) / idle),
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  }
}

/** The same publishes through a bare aedes broker in its own process, to one plain `ovms/#` subscriber. */
async function bareBroker(modules: number, window: number, seconds: number, warm: number, idle: number) {
  const child = spawn(process.execPath, [INSPECT_ARG, '--import', 'tsx', 'bench/bare-aedes-worker.ts'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const inspector = inspectorUrl(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare aedes exited with ${code}`)));
  });
  const ids = Array.from({ length: modules }, (_, i) => `BENCH${i}`);
  const clients: MqttClient[] = [];
  const probe = await memoryProbe(child.pid!, await inspector);
  try {
    const idleCosts = await idleCost(port, probe, modules, warm, idle, false);
    probe.close();
    const subscriber = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    clients.push(subscriber);
    await subscriber.subscribeAsync('ovms/#', { qos: 0 });
    const index = new Map(ids.map((id, i) => [id, i]));
    for (const id of ids) clients.push(await moduleClient(port, id, false));
    const pumped = await pumpMetrics(clients.slice(1), ids, window, seconds, (deliver) =>
      subscriber.on('message', (topic, payload) => {
        const i = index.get(topic.split('/')[2]!);
        if (i !== undefined) deliver(i, Number(payload.toString()));
      }),
    );
    return { ...pumped, idle: idleCosts };
  } finally {
    probe.close();
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    child.stdin.end();
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

/**
 * Protocol v3: `modules` simulated v3 modules on the embedded broker, each with a v2 app, publish
 * metrics as fast as the broker acknowledges them; beside it the same publishes through a bare aedes
 * broker. Before that, in each, the cost of one more idle v3 module (logged in, `connected = yes`,
 * four retained metrics; see `idleCost`). The per-client publish rate (`mqtt.publish_rate`/`_burst`)
 * is lifted for this scenario only, so the broker and bridge are measured, not the limiter; so are
 * the per-address connection limit and the per-owner vehicle limit of the bridge (all modules come
 * from 127.0.0.1 and belong to the one bench owner).
 */
export async function v3Scenario(modules = 50, window = 8, seconds = 8, warm = 500, idle = 2000) {
  const mqttPort = await freePort();
  const total = modules + warm + idle;
  const server = await startBenchServer(
    total,
    {
      OVMS_MQTT_PORT: String(mqttPort),
      OVMS_MQTT_PUBLISH_RATE: '1000000',
      OVMS_MQTT_PUBLISH_BURST: '1000000',
      OVMS_MQTT_MAX_CONNECTIONS_PER_ADDRESS: String(total + 100),
      OVMS_MQTT_MAX_VEHICLES_PER_OWNER: String(total + 100),
    },
    undefined,
    true,
  );
  const mqttClients: MqttClient[] = [];
  const apps: OvmsClient[] = [];
  try {
    // Memory first, on a quiet server.
    const probe = await memoryProbe(server.pid, server.inspectorUrl!);
    const idleCosts = await idleCost(mqttPort, probe, modules, warm, idle, true).finally(() => probe.close());
    process.stderr.write(`v3: ${idle} idle modules measured\n`);
    // Bridged throughput and v2 latency.
    const ids = Array.from({ length: modules }, (_, i) => `BENCH${i}`);
    const online: Promise<void>[] = [];
    for (const id of ids) {
      const app = await login(server.port, 'A', id);
      apps.push(app);
      online.push(
        new Promise((resolve) =>
          onCode(app, 'Z', (m) => {
            if (m.text === '1') resolve();
          }),
        ),
      );
    }
    for (const id of ids) {
      const c = await moduleClient(mqttPort, id);
      mqttClients.push(c);
      await c.publishAsync(`ovms/bench/${id}/metric/s/v3/connected`, 'yes', { retain: true, qos: 1 });
    }
    await Promise.all(online);
    process.stderr.write('v3: modules online\n');
    const bridged = await pumpMetrics(mqttClients, ids, window, seconds, (deliver) => {
      for (const [i, app] of apps.entries())
        onCode(app, 'S', (m) => deliver(i, Math.round(Number(m.text.split(',')[0]))));
    });
    await closeAll(apps);
    await Promise.all(mqttClients.map((c) => c.endAsync(true).catch(() => {})));
    await server.stop();

    process.stderr.write('v3: bridged measured\n');
    const bare = await bareBroker(modules, window, seconds, warm, idle);
    return {
      modules,
      window,
      seconds,
      bridged,
      bare,
      ratio: Math.round((bridged.metricsPerSecond / Math.max(1, bare.metricsPerSecond)) * 100) / 100,
      idle: idleCosts,
    };
  } catch (err) {
    await closeAll(apps);
    await server.stop().catch(() => {});
    throw err;
  }
}
