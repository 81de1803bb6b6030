import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { hashPassword } from '../src/auth/passwords.js';
import { configWith } from '../src/config/config.js';
import { createLogger } from '../src/server/logger.js';
import { OvmsServer } from '../src/server/ovms-server.js';
import { openStore } from '../src/store/open-store.js';
import { type ProbeReport, startProbe } from './fuzz-probe.js';
import { emptyCounts, type FuzzCounts, type FuzzTarget, fuzz } from './fuzz-session.js';

/**
 * A fuzz run against a live server in this process (so its heap and handles can be counted), with
 * a well-behaved car and app using it throughout. Used by the short test in npm test and by
 * `scripts/fuzz.ts` for the long run.
 */
export interface FuzzRunOptions {
  lines: number;
  parallel: number;
  seed: number;
  /** The run stops at this many milliseconds even if fewer lines were sent. */
  timeLimitMs: number;
  /** Child processes for the fuzzer (0: sessions run on the server's own thread). */
  workers?: number;
  logLevel?: string;
  onProgress?(counts: FuzzCounts): void;
}

export interface FuzzRunReport {
  seed: number;
  seconds: number;
  counts: FuzzCounts;
  probe: ProbeReport;
  /** Log lines by level name, and the distinct messages of error-level lines. */
  logs: Record<string, number>;
  errors: string[];
  /** Connections the server still had once every fuzz session had ended (the probe's two). */
  connectionsAfter: number;
  memory: {
    baselineHeapMB: number;
    afterHeapMB: number;
    baselineRssMB: number;
    peakRssMB: number;
    afterRssMB: number;
  };
  /** Active handles and requests of the process before and after, by type. */
  handles: { before: Record<string, number>; after: Record<string, number> };
}

const MB = 1048576;
const round = (n: number) => Math.round(n * 10) / 10;
const LEVELS: Record<string, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** A full garbage collection, without needing --expose-gc on the command line. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function handleCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) out[type] = (out[type] ?? 0) + 1;
  return out;
}

function handlesWithin(now: Record<string, number>, before: Record<string, number>): boolean {
  return Object.entries(now).every(([type, n]) => n <= (before[type] ?? 0));
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return done();
}

function inWorkers(
  target: FuzzTarget,
  opts: FuzzRunOptions,
  deadline: number,
  counts: FuzzCounts,
): Promise<void> {
  const workers = opts.workers ?? 0;
  const perWorker = Math.ceil(opts.lines / workers);
  const latest: FuzzCounts[] = [];
  const merge = () => {
    for (const key of Object.keys(counts) as (keyof FuzzCounts)[])
      counts[key] = latest.reduce((sum, c) => sum + c[key], 0);
    opts.onProgress?.(counts);
  };
  return Promise.all(
    Array.from({ length: workers }, (_, i) => {
      const job = {
        target,
        opts: { lines: perWorker, parallel: opts.parallel, seed: opts.seed + i, deadline },
      };
      const child = fork(new URL('./fuzz-worker.ts', import.meta.url), [JSON.stringify(job)], {
        execArgv: ['--import', 'tsx'],
      });
      latest[i] = emptyCounts();
      return new Promise<void>((resolve, reject) => {
        child.on('message', (m: { counts: FuzzCounts; done: boolean }) => {
          latest[i] = m.counts;
          merge();
        });
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`fuzz worker exited with ${code}`)),
        );
      });
    }),
  ).then(() => undefined);
}

export async function runFuzz(opts: FuzzRunOptions): Promise<FuzzRunReport> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ovms-fuzz-'));
  const url = `sqlite:${join(dir, 'ovms.db')}`;
  const store = await openStore(url);
  await store.migrate();
  const owner = await store.createOwner({ name: 'fuzz', passwordHash: await hashPassword('fuzz-password') });
  const vehicles = Array.from({ length: 10 }, (_, i) => ({
    vehicleId: `FUZZ${i}`,
    secret: `fuzz-secret-${i}`,
  }));
  for (const v of [...vehicles, { vehicleId: 'WELL', secret: 'well-secret' }])
    await store.createVehicle({ ownerId: owner.id, ...v });

  const logs: Record<string, number> = {};
  const errors = new Set<string>();
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (!level) continue;
        const name = LEVELS[level] ?? level;
        logs[name] = (logs[name] ?? 0) + 1;
        if (Number(level) >= 50) errors.add(line.slice(0, 400));
      }
      cb();
    },
  });
  const loginTimeoutMs = 2000;
  const config = configWith({
    'server.host': '127.0.0.1',
    'database.url': url,
    'log.level': opts.logLevel ?? 'info',
    'timeouts.login': loginTimeoutMs / 1000,
  });
  const server = new OvmsServer({
    config,
    store,
    log: createLogger({ level: config.log.level, destination }),
    listen: { v2: 0 },
  });
  await server.start();
  const target: FuzzTarget = {
    host: '127.0.0.1',
    port: server.ports.v2,
    maxLineLength: config.limits.maxLineLength,
    vehicles,
    badVehicles: ['NOSUCH1', 'NOSUCH2', 'FUZZ0', 'WELL'],
    loginTimeoutMs,
  };
  let probe: Awaited<ReturnType<typeof startProbe>> | undefined;
  try {
    probe = await startProbe({
      host: '127.0.0.1',
      port: target.port,
      vehicleId: 'WELL',
      secret: 'well-secret',
    });
    const probeOnly = () => server.connectionCount === 2 && server.hub.connections.size === 2;
    // Warm up (JIT, statement caches, the throttle's few entries) before taking the baseline.
    await fuzz(target, {
      lines: 2000,
      parallel: 8,
      seed: opts.seed + 999,
      deadline: Date.now() + 30_000,
      silent: false,
    });
    await until(probeOnly, 10_000);
    collect();
    const baselineHeap = process.memoryUsage().heapUsed;
    const baselineRss = process.memoryUsage.rss();
    const handlesBefore = handleCounts();
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 250);

    const counts = emptyCounts();
    const deadline = started + opts.timeLimitMs;
    if (opts.workers) await inWorkers(target, opts, deadline, counts);
    else
      await fuzz(target, { lines: opts.lines, parallel: opts.parallel, seed: opts.seed, deadline }, counts);
    clearInterval(sampler);

    // Measured while the probe still runs, as the baseline was.
    await until(probeOnly, 15_000);
    const connectionsAfter = server.connectionCount;
    // Sockets closed at the very end may still be on their way out: give them a moment.
    await until(() => handlesWithin(handleCounts(), handlesBefore), 5000);
    collect();
    const afterHeap = process.memoryUsage().heapUsed;
    const afterRss = process.memoryUsage.rss();
    const handlesAfter = handleCounts();
    const probeReport = await probe.stop();
    probe = undefined;
    return {
      seed: opts.seed,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      counts,
      probe: probeReport,
      logs,
      errors: [...errors],
      connectionsAfter,
      memory: {
        baselineHeapMB: round(baselineHeap / MB),
        afterHeapMB: round(afterHeap / MB),
        baselineRssMB: round(baselineRss / MB),
        peakRssMB: round(peakRss / MB),
        afterRssMB: round(afterRss / MB),
      },
      handles: { before: handlesBefore, after: handlesAfter },
    };
  } finally {
    await probe?.stop().catch(() => {});
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
