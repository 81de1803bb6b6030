import { spawn } from 'node:child_process';
import { connectAsync, type MqttClient } from 'mqtt';
import { CONFIG_READ_TIMEOUT_MS } from '../../src/bridge/module-commands.js';
import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { cpuMeter } from '../cpu.js';
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
  pid: number,
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
  const cpu = cpuMeter(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  const cpuUs = cpu(acked);
  running = false;
  await Promise.all(loops);
  return {
    metricsPerSecond: Math.round(acked / elapsed),
    latencyMs: summarise(latencies),
    /** CPU time per acknowledged metric, µs: the broker's process, and this one (the modules). */
    cpuUsPerMetric: cpuUs,
  };
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

/** A bare aedes broker (bench/bare-aedes-worker.ts) in its own process; `inspect` opens its inspector. */
async function startBare(inspect: boolean) {
  const child = spawn(
    process.execPath,
    [...(inspect ? [INSPECT_ARG] : []), '--import', 'tsx', 'bench/bare-aedes-worker.ts'],
    { cwd: ROOT, stdio: ['pipe', 'pipe', inspect ? 'pipe' : 'inherit'] },
  );
  const inspector = inspect ? inspectorUrl(child) : undefined;
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare aedes exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    inspectorUrl: inspector ? await inspector : undefined,
    stop: async () => {
      child.stdin!.end();
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

/** The publishes of `bridgedThroughput` through a bare aedes broker, to one plain `ovms/#` subscriber. */
async function bareThroughput(modules: number, window: number, seconds: number) {
  const bare = await startBare(false);
  const ids = Array.from({ length: modules }, (_, i) => `BENCH${i}`);
  const clients: MqttClient[] = [];
  try {
    const subscriber = await connectAsync(`mqtt://127.0.0.1:${bare.port}`, { reconnectPeriod: 0 });
    clients.push(subscriber);
    await subscriber.subscribeAsync('ovms/#', { qos: 0 });
    const index = new Map(ids.map((id, i) => [id, i]));
    for (const id of ids) clients.push(await moduleClient(bare.port, id, false));
    return await pumpMetrics(bare.pid, clients.slice(1), ids, window, seconds, (deliver) =>
      subscriber.on('message', (topic, payload) => {
        const i = index.get(topic.split('/')[2]!);
        if (i !== undefined) deliver(i, Number(payload.toString()));
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await bare.stop();
  }
}

async function bareIdleCost(modules: number, warm: number, idle: number): Promise<IdleCost> {
  const bare = await startBare(true);
  const probe = await memoryProbe(bare.pid, bare.inspectorUrl!);
  try {
    return await idleCost(bare.port, probe, modules, warm, idle, false);
  } finally {
    probe.close();
    await bare.stop();
  }
}

/** The server with the embedded broker, seeded with `vehicles` modules of the bench owner. */
async function startV3Server(vehicles: number, inspect: boolean) {
  const mqttPort = await freePort();
  const server = await startBenchServer(
    vehicles,
    {
      OVMS_MQTT_PORT: String(mqttPort),
      OVMS_MQTT_PUBLISH_RATE: '1000000',
      OVMS_MQTT_PUBLISH_BURST: '1000000',
      OVMS_MQTT_MAX_CONNECTIONS_PER_ADDRESS: String(vehicles + 100),
      OVMS_MQTT_MAX_VEHICLES_PER_OWNER: String(vehicles + 100),
    },
    undefined,
    inspect,
  );
  return { server, mqttPort };
}

async function serverIdleCost(modules: number, warm: number, idle: number): Promise<IdleCost> {
  const { server, mqttPort } = await startV3Server(modules + warm + idle, true);
  try {
    const probe = await memoryProbe(server.pid, server.inspectorUrl!);
    return await idleCost(mqttPort, probe, modules, warm, idle, true).finally(() => probe.close());
  } finally {
    await server.stop();
  }
}

/** `modules` v3 modules with a v2 app each: metrics/s acknowledged, and their age in the app's `S`. */
async function bridgedThroughput(modules: number, window: number, seconds: number) {
  const { server, mqttPort } = await startV3Server(modules, false);
  const mqttClients: MqttClient[] = [];
  const apps: OvmsClient[] = [];
  try {
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
    return await pumpMetrics(server.pid, mqttClients, ids, window, seconds, (deliver) => {
      for (const [i, app] of apps.entries())
        onCode(app, 'S', (m) => deliver(i, Math.round(Number(m.text.split(',')[0]))));
    });
  } finally {
    await closeAll(apps);
    await Promise.all(mqttClients.map((c) => c.endAsync(true).catch(() => {})));
    await server.stop();
  }
}

type Pumped = Awaited<ReturnType<typeof pumpMetrics>>;

/** Rounds of one side: metrics/s and CPU per metric averaged, latencies of the last round. */
function combined(rounds: Pumped[]): Pumped {
  const mean = (f: (r: Pumped) => number) => rounds.reduce((sum, r) => sum + f(r), 0) / rounds.length;
  const tenth = (n: number) => Math.round(n * 10) / 10;
  return {
    metricsPerSecond: Math.round(mean((r) => r.metricsPerSecond)),
    latencyMs: rounds[rounds.length - 1]!.latencyMs,
    cpuUsPerMetric: {
      server: tenth(mean((r) => r.cpuUsPerMetric.server)),
      generator: tenth(mean((r) => r.cpuUsPerMetric.generator)),
    },
  };
}

/**
 * Protocol v3: `modules` simulated v3 modules on the embedded broker, each with a v2 app, publish
 * metrics as fast as the broker acknowledges them; beside it the same publishes through a bare aedes
 * broker, each in a fresh process, alternating `rounds` times (the shared machine's load changes
 * from one minute to the next). Then, in other fresh processes of each, the cost of one more idle
 * v3 module (logged in, `connected = yes`, four retained metrics; see `idleCost`); those have their
 * inspector open, which throughput runs must not have. The per-client publish rate
 * (`mqtt.publish_rate`/`_burst`) is lifted for this scenario only, so the broker and bridge are
 * measured, not the limiter; so are the per-address connection limit and the per-owner vehicle
 * limit of the bridge (all modules come from 127.0.0.1 and belong to the one bench owner).
 */
export async function v3Scenario(modules = 50, window = 8, seconds = 8, warm = 500, idle = 2000, rounds = 2) {
  const bridgedRounds: Pumped[] = [];
  const bareRounds: Pumped[] = [];
  for (let i = 0; i < rounds; i++) {
    bridgedRounds.push(await bridgedThroughput(modules, window, seconds));
    bareRounds.push(await bareThroughput(modules, window, seconds));
    process.stderr.write(`v3: throughput round ${i + 1} measured\n`);
  }
  const idleCosts = await serverIdleCost(modules, warm, idle);
  const bareIdle = await bareIdleCost(modules, warm, idle);
  process.stderr.write('v3: idle modules measured\n');
  const bridged = combined(bridgedRounds);
  const bare = { ...combined(bareRounds), idle: bareIdle };
  return {
    modules,
    window,
    seconds,
    rounds: bridgedRounds.map((b, i) => ({
      bridged: b.metricsPerSecond,
      bare: bareRounds[i]!.metricsPerSecond,
    })),
    bridged,
    bare,
    ratio: Math.round((bridged.metricsPerSecond / Math.max(1, bare.metricsPerSecond)) * 100) / 100,
    idle: idleCosts,
  };
}
