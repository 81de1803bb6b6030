import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { attackScenario } from './scenarios/attack.js';
import { clusterRelayScenario } from './scenarios/cluster.js';
import { commandScenario } from './scenarios/command.js';
import { historyScenario } from './scenarios/history.js';
import { loginsScenario } from './scenarios/logins.js';
import { memoryScenario } from './scenarios/memory.js';
import { recordingQueryScenario, recordingRelayScenario } from './scenarios/recording.js';
import { relayScenario } from './scenarios/relay.js';
import { steadyScenario } from './scenarios/steady.js';
import { type IdleCost, v3Scenario } from './scenarios/v3.js';
import { versusBareScenario } from './scenarios/versus-bare.js';

/**
 * `npm run bench [-- --only relay,steady] [--quick]`: a load generator (this process) against a
 * server in its own process with the default SQLite configuration. Prints a table and writes
 * bench/results/<time>.json. Not part of npm test: timings are measured, never asserted.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only =
  args
    .find((a) => a.startsWith('--only='))
    ?.slice(7)
    .split(',') ?? (args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined);

const scenarios: Record<
  string,
  {
    target: string;
    run: () => Promise<Record<string, unknown>>;
    figure(r: Record<string, unknown>): string;
    met(r: Record<string, unknown>): boolean;
  }
> = {
  logins: {
    target: '≥ 2,000 logins/s',
    run: () => loginsScenario(500, 50),
    figure: (r) => `${r.loginsPerSecond} logins/s`,
    met: (r) => (r.loginsPerSecond as number) >= 2000,
  },
  relay: {
    target: '≥ 40,000 deliveries/s',
    run: () => relayScenario(100, 2, 4, quick ? 3 : 10),
    figure: (r) =>
      `${r.deliveriesPerSecond} deliveries/s, p50 ${(r.latencyMs as { p50: number }).p50} ms, p99 ${(r.latencyMs as { p99: number }).p99} ms`,
    met: (r) => (r.deliveriesPerSecond as number) >= 40_000,
  },
  steady: {
    target: 'p99 ≤ 20 ms',
    run: () => steadyScenario(200, quick ? 5 : 20),
    figure: (r) => {
      const l = r.latencyMs as { p50: number; p99: number; max: number };
      return `p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`;
    },
    met: (r) => (r.latencyMs as { p99: number }).p99 <= 20,
  },
  command: {
    target: '(no target)',
    run: () => commandScenario(50, quick ? 10 : 40),
    figure: (r) => `p50 ${(r.rttMs as { p50: number }).p50} ms, p99 ${(r.rttMs as { p99: number }).p99} ms`,
    met: () => true,
  },
  memory: {
    target: '≤ 10 KB per idle connection',
    run: () => memoryScenario(quick ? 4000 : 19_900),
    figure: (r) =>
      `${r.bytesPerConnection} B per connection (${r.cars} cars, ${r.baselineMB} → ${r.loadedMB} MB)`,
    met: (r) => (r.bytesPerConnection as number) <= 10_240,
  },
  'cluster-1': {
    target: '(compare with cluster-3)',
    run: () => clusterRelayScenario(1, 60, quick ? 3 : 8),
    figure: (r) =>
      `1 node (PostgreSQL + Redis bus): ${r.deliveriesPerSecond} deliveries/s, p50 ${(r.latencyMs as { p50: number }).p50} ms, p99 ${(r.latencyMs as { p99: number }).p99} ms`,
    met: () => true,
  },
  'cluster-3': {
    target: '(compare with cluster-1)',
    run: () => clusterRelayScenario(3, 60, quick ? 3 : 8),
    figure: (r) =>
      `3 nodes (PostgreSQL + Redis bus): ${r.deliveriesPerSecond} deliveries/s, p50 ${(r.latencyMs as { p50: number }).p50} ms, p99 ${(r.latencyMs as { p99: number }).p99} ms`,
    met: () => true,
  },
  attack: {
    target:
      'flood: RSS +<64 MB, round trips answered; 2,000 stalled GET closed by the login deadline; /health up',
    // OVMS_BENCH_ATTACK_GAP_MS spaces the well-behaved round trips, to see the flood's own cost.
    run: () =>
      attackScenario(quick ? 5 : 15, undefined, undefined, Number(process.env.OVMS_BENCH_ATTACK_GAP_MS ?? 0)),
    figure: (r) => {
      const rss = r.rssMB as { growth: number; growthDuringFlood: number };
      const flood = r.flood as { sent: number; busyReplies: number };
      const rtt = r.wellBehavedRoundTrips as { count: number; p99: number; failures: number };
      const s = r.stalledGet as {
        closedByDeadline: number;
        refusedAtOnce: number;
        lifetimeS: { max: number };
      };
      const hl = r.health as { requests: number; ok: number };
      return `RSS +${rss.growth} MB (+${rss.growthDuringFlood} during the flood); flood ${flood.busyReplies} refused of ${flood.sent} sent; ${rtt.count} round trips (p99 ${rtt.p99} ms, ${rtt.failures} failed); ${s.closedByDeadline} stalled closed by ${s.lifetimeS.max} s, ${s.refusedAtOnce} refused; /health ${hl.ok}/${hl.requests}`;
    },
    met: (r) => {
      const rss = r.rssMB as { growth: number };
      const rtt = r.wellBehavedRoundTrips as { count: number; failures: number };
      const s = r.stalledGet as {
        closedByDeadline: number;
        lifetimeS: { max: number };
        loginDeadlineS: number;
      };
      const hl = r.health as { requests: number; ok: number };
      return (
        rss.growth < 64 &&
        rtt.count > 0 &&
        rtt.failures === 0 &&
        s.closedByDeadline >= 2000 &&
        s.lifetimeS.max <= s.loginDeadlineS + 1 &&
        hl.ok === hl.requests
      );
    },
  },
  'versus-bare': {
    target: '≥ 0.8× bare relay (logins/s, deliveries/s)',
    run: () => versusBareScenario(quick ? 1 : 3, 1000, quick ? 3 : 5),
    figure: (r) => {
      const m = r.median as Record<string, { rate: number; cpu: number }>;
      return Object.entries(m)
        .map(([kind, v]) => `${kind} ${v.rate}× (CPU ${v.cpu}×)`)
        .join(', ');
    },
    // Judged on the rates against the bare relay that batches its writes as the server does.
    met: (r) =>
      Object.entries(r.median as Record<string, { rate: number }>).every(
        ([kind, v]) => kind.includes('/') || v.rate >= 0.8,
      ),
  },
  v3: {
    target: 'bridged metrics/s ≥ 0.5 × bare aedes; ≤ 20 KB per idle v3 connection',
    run: () => v3Scenario(50, 8, quick ? 3 : 8, quick ? 200 : 500, quick ? 500 : 2000, quick ? 1 : 2),
    figure: (r) => {
      type Side = {
        metricsPerSecond: number;
        latencyMs: { p50: number; p99: number };
        cpuUsPerMetric: { server: number };
      };
      const b = r.bridged as Side;
      const bare = r.bare as Side & { idle: IdleCost };
      const idle = r.idle as IdleCost;
      return `bridged ${b.metricsPerSecond} metrics/s (${b.cpuUsPerMetric.server} µs server CPU each; v2 S p50 ${b.latencyMs.p50} ms, p99 ${b.latencyMs.p99} ms) vs bare aedes ${bare.metricsPerSecond}/s (${bare.cpuUsPerMetric.server} µs; relay p50 ${bare.latencyMs.p50} ms, p99 ${bare.latencyMs.p99} ms): ${r.ratio}×; per idle v3 module (${idle.modules} after ${idle.warm}, after GC): ${idle.bytesPerConnection} B RSS, ${idle.heapBytesPerConnection} B heap (bare aedes ${bare.idle.bytesPerConnection} B RSS, ${bare.idle.heapBytesPerConnection} B heap)`;
    },
    met: (r) => (r.ratio as number) >= 0.5 && (r.idle as IdleCost).bytesPerConnection <= 20_480,
  },
  'recording-relay': {
    target: 'recording on ≥ 0.9× off (deliveries/s)',
    run: () =>
      recordingRelayScenario(
        Number(process.env.OVMS_BENCH_RECORDING_ROUNDS ?? (quick ? 1 : 2)),
        quick ? 3 : 8,
      ),
    figure: (r) => {
      const cpu = r.serverCpuUsPerDelivery as { off: number[]; on: number[] };
      return `off ${(r.off as number[]).join(', ')} / on ${(r.on as number[]).join(', ')} deliveries/s: ${r.ratio}×; server µs/delivery off ${cpu.off.join(', ')} / on ${cpu.on.join(', ')}: ${r.cpuRatio}×`;
    },
    met: (r) => (r.ratio as number) >= 0.9,
  },
  ...Object.fromEntries(
    (['sqlite', 'postgres'] as const).map((backend) => [
      `recording-${backend}`,
      {
        target: '(list trips, 30-day series, monthly stats: p50/p99)',
        // OVMS_BENCH_RECORDING_VEHICLES × a year; the default is what a shared test machine generates in minutes.
        run: () =>
          recordingQueryScenario(
            backend,
            Number(process.env.OVMS_BENCH_RECORDING_VEHICLES ?? (quick ? 5 : 50)),
            quick ? 30 : 365,
          ),
        figure: (r: Record<string, unknown>) => {
          const q = (k: string) => {
            const l = r[k] as { p50: number; p99: number };
            return `${k} p50 ${l.p50} ms p99 ${l.p99} ms`;
          };
          return `${r.vehicles} vehicles × ${r.days} d (${r.samples} samples, ${r.bytesPerVehicleYear} B/vehicle-year): ${q('listTrips')}, ${q('series30d')}, ${q('monthlyStats')}`;
        },
        met: () => true,
      },
    ]),
  ),
  history: {
    target: '≥ 20,000 acked h/s',
    run: () => historyScenario(100, 50, quick ? 3 : 10),
    figure: (r) => `${r.ackedPerSecond} acked h/s`,
    met: (r) => (r.ackedPerSecond as number) >= 20_000,
  },
};

// Other work on the machine moves every figure: the load average before and after says how much.
const loadBefore = loadavg();
const results: Record<string, unknown> = {};
const rows: string[][] = [];
for (const [name, s] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  // One scenario failing (say, a database that is not running) must not lose the others' figures.
  try {
    const r = await s.run();
    results[name] = r;
    rows.push([name, s.figure(r), s.target, s.met(r) ? 'met' : 'MISSED']);
  } catch (err) {
    results[name] = { error: (err as Error).message };
    rows.push([name, `failed: ${(err as Error).message}`, s.target, 'FAILED']);
  }
}
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...[['scenario', 'measured', 'target', ''], ...rows].map((r) => r[i]!.length)),
);
const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
process.stdout.write(`${fmt(['scenario', 'measured', 'target', ''])}\n${rows.map(fmt).join('\n')}\n`);
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  quick,
  loadavg: { before: loadBefore, after: loadavg() },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${meta.date.replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify({ meta, results }, null, 2)}\n`);
process.stderr.write(`bench: results written to ${file.pathname}\n`);
