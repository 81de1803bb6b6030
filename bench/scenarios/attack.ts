import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { freePort, startBenchServer } from '../server-process.js';
import { summarise } from '../stats.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The server's defaults this scenario relies on (the server runs with all of them). */
const LOGIN_DEADLINE_MS = 30_000;
const PER_ADDRESS = 2000;

/** One GET /health on the HTTP port, from its own loopback address (its own rate-limit quota). */
function health(port: number): Promise<{ ok: boolean; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/health', localAddress: '127.0.0.3', agent: false, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t0 }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, ms: performance.now() - t0 }));
  });
}

/** A socket that sends `GET ` (the start of a WebSocket upgrade) and then nothing. */
function stalledGet(
  port: number,
  localAddress: string,
): Promise<{ opened: number; closed: Promise<number> }> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.on('error', () => {});
    const closed = new Promise<number>((r) => s.once('close', () => r(performance.now())));
    s.once('connect', () => {
      s.write('GET ');
      resolve({ opened: performance.now(), closed });
    });
    s.once('close', () => resolve({ opened: performance.now(), closed }));
  });
}

function runFloodWorker(port: number, vehicleId: string, seconds: number): Promise<Record<string, unknown>> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/command-flood-worker.ts', String(port), vehicleId, String(seconds)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim()) as Record<string, unknown>)
        : reject(new Error(`flood worker exited ${code}`)),
    ),
  );
}

/**
 * Hardening II attack run against a server with every default: an app floods a car that never
 * answers with commands for `floodSeconds`; meanwhile `stalled` sockets from one other loopback
 * address send `GET ` and stall, plus a few more over the per-address limit; a well-behaved app runs
 * command round trips to another car (back to back, or `roundTripGapMs` apart), and /health is
 * polled on the HTTP port. Reports the server's RSS growth, the round trips, how the stalled sockets
 * ended, and /health.
 */
export async function attackScenario(
  floodSeconds = 15,
  stalled = PER_ADDRESS,
  overLimit = 100,
  roundTripGapMs = 0,
) {
  const httpPort = await freePort();
  const logs = { warn: 0, error: 0, byMessage: new Map<string, number>() };
  const server = await startBenchServer(2, { OVMS_HTTP_PORT: String(httpPort) }, (line) => {
    const m = /"level":(\d+).*?"msg":"([^"]*)"/.exec(line);
    if (!m) return;
    if (m[1] === '40') logs.warn++;
    if (Number(m[1]) >= 50) logs.error++;
    logs.byMessage.set(m[2]!, (logs.byMessage.get(m[2]!) ?? 0) + 1);
  });
  const clients: OvmsClient[] = [];
  let polling = true;
  try {
    // BENCH0: a car that reads but never answers. BENCH1: a car that answers every command.
    const silentCar = await login(server.port, 'C', 'BENCH0');
    const goodCar = await login(server.port, 'C', 'BENCH1');
    let goodCarCommands = 0;
    onCode(goodCar, 'C', (m) => {
      goodCarCommands++;
      goodCar.send('c', `${m.text.split(',')[0]},0,done`);
    });
    const goodApp = await login(server.port, 'A', 'BENCH1');
    let goodAppReplies = 0;
    onCode(goodApp, 'c', () => goodAppReplies++);
    clients.push(silentCar, goodCar, goodApp);
    let reachedSilentCar = 0;
    onCode(silentCar, 'C', () => reachedSilentCar++);

    await new Promise((r) => setTimeout(r, 1000));
    const baseline = server.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rss());
    }, 200);

    const healthResults: { ok: boolean; ms: number }[] = [];
    const poller = (async () => {
      while (polling) {
        healthResults.push(await health(httpPort));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();

    // The stalled sockets, all from 127.0.0.2 (the defence counts per address).
    const t0 = performance.now();
    const sockets = await Promise.all(
      Array.from({ length: stalled + overLimit }, () => stalledGet(server.port, '127.0.0.2')),
    );
    const openedIn = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const withStalled = server.rss();

    // The flood and the well-behaved round trips, at the same time.
    const rtts: number[] = [];
    let rttFailures = 0;
    let flooding = true;
    const roundTrips = (async () => {
      while (flooding) {
        const t = performance.now();
        try {
          const r = await goodApp.command(7, ['stat'], { timeoutMs: 10_000 });
          if (r.result === 0) rtts.push(performance.now() - t);
          else rttFailures++;
        } catch {
          rttFailures++;
        }
        if (roundTripGapMs > 0) await new Promise((r) => setTimeout(r, roundTripGapMs));
      }
    })();
    const flood = await runFloodWorker(server.port, 'BENCH0', floodSeconds);
    flooding = false;
    await roundTrips;
    const afterFlood = server.rss();

    // Every stalled socket ends: refused at once (over the per-address limit) or at the deadline.
    const lifetimes = await Promise.all(sockets.map(async (s) => (await s.closed) - s.opened));
    const dropped = lifetimes.filter((ms) => ms >= 1000);
    const refused = lifetimes.filter((ms) => ms < 1000);
    polling = false;
    await poller;
    clearInterval(sampler);
    const healthOk = healthResults.filter((r) => r.ok).length;
    const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
    return {
      floodSeconds,
      flood: { ...flood, reachedTheCar: reachedSilentCar },
      rssMB: {
        baseline: mb(baseline),
        withStalledSockets: mb(withStalled),
        peak: mb(peak),
        afterFlood: mb(afterFlood),
        growth: mb(peak - baseline),
        growthDuringFlood: mb(peak - withStalled),
      },
      wellBehavedRoundTrips: {
        gapMs: roundTripGapMs,
        ...summarise(rtts),
        failures: rttFailures,
        commandsAtTheCar: goodCarCommands,
        repliesAtTheApp: goodAppReplies,
      },
      stalledGet: {
        opened: sockets.length,
        openedInMs: Math.round(openedIn),
        refusedAtOnce: refused.length,
        closedByDeadline: dropped.length,
        lifetimeS: {
          min: Math.round(Math.min(...dropped) / 100) / 10,
          max: Math.round(Math.max(...dropped) / 100) / 10,
        },
        loginDeadlineS: LOGIN_DEADLINE_MS / 1000,
      },
      health: {
        requests: healthResults.length,
        ok: healthOk,
        maxMs: Math.round(Math.max(...healthResults.map((r) => r.ms))),
      },
      serverLog: { warn: logs.warn, error: logs.error, byMessage: Object.fromEntries(logs.byMessage) },
    };
  } finally {
    polling = false;
    await closeAll(clients);
    await server.stop();
  }
}
