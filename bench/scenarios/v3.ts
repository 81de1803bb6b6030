import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connectAsync, type MqttClient } from 'mqtt';
import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { freePort, startBenchServer } from '../server-process.js';
import { pool, summarise } from '../stats.js';
import { settle } from './memory.js';

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

/** The same publishes through a bare aedes broker in its own process, to one plain `ovms/#` subscriber. */
async function bareBroker(modules: number, window: number, seconds: number, idle: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-aedes-worker.ts'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare aedes exited with ${code}`)));
  });
  const ids = Array.from({ length: modules }, (_, i) => `BENCH${i}`);
  const clients: MqttClient[] = [];
  try {
    const rss = () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    };
    const baseline = await settle(rss);
    const idleClients = await idleModules(port, modules, idle, false);
    const loaded = await settle(rss);
    await Promise.all(idleClients.map((c) => c.endAsync(true).catch(() => {})));
    const idleBytes = Math.round((loaded - baseline) / idle);
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
    return { ...pumped, bytesPerIdleConnection: idleBytes };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    child.stdin.end();
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

/**
 * Protocol v3: `modules` simulated v3 modules on the embedded broker, each with a v2 app, publish
 * metrics as fast as the broker acknowledges them; beside it the same publishes through a bare aedes
 * broker. Then the server's RSS per idle v3 module (logged in, `connected = yes`, a few metrics).
 * The per-client publish rate (`mqtt.publish_rate`/`_burst`) is lifted for this scenario only, so
 * the broker and bridge are measured, not the limiter.
 */
export async function v3Scenario(modules = 50, window = 8, seconds = 8, idle = 900) {
  const mqttPort = await freePort();
  const server = await startBenchServer(modules + idle, {
    OVMS_MQTT_PORT: String(mqttPort),
    OVMS_MQTT_PUBLISH_RATE: '1000000',
    OVMS_MQTT_PUBLISH_BURST: '1000000',
  });
  const mqttClients: MqttClient[] = [];
  const apps: OvmsClient[] = [];
  try {
    // Memory first, on a quiet server.
    const baseline = await settle(server.rss);
    const idleClients = await idleModules(mqttPort, modules, idle, true);
    const loaded = await settle(server.rss);
    process.stderr.write(`v3: ${idle} idle modules measured\n`);
    await Promise.all(idleClients.map((c) => c.endAsync(true).catch(() => {})));

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
    const bare = await bareBroker(modules, window, seconds, idle);
    return {
      modules,
      window,
      seconds,
      bridged,
      bare,
      ratio: Math.round((bridged.metricsPerSecond / Math.max(1, bare.metricsPerSecond)) * 100) / 100,
      idle: {
        modules: idle,
        baselineMB: Math.round(baseline / 1048576),
        loadedMB: Math.round(loaded / 1048576),
        bytesPerConnection: Math.round((loaded - baseline) / idle),
      },
    };
  } catch (err) {
    await closeAll(apps);
    await server.stop().catch(() => {});
    throw err;
  }
}
