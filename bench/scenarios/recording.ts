import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { statistics } from '../../src/recording/stats.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store, VehicleRef } from '../../src/store/store.js';
import { startBenchServer } from '../server-process.js';
import { summarise } from '../stats.js';
import { relayScenario } from './relay.js';

/**
 * Recording at scale (docs/benchmarks.md, docs/storage.md):
 * - `recordingQueryScenario`: `vehicles` vehicles × `days` days of recorded data at the default
 *   sampling, generated straight into the tables (a day: two 30 min drives and, every other day, a
 *   2 h charge sampled every 60 s, the rest every 15 min; two trips, half a charge, 2.5 parking
 *   periods); then the storage per vehicle-year and the p50/p99 of the API's three big queries
 *   through the Store: list trips, a 30-day series, a year of monthly stats.
 * - `recordingRelayScenario`: the relay with history.recording off and on, alternately, in one run.
 */

const DAY = 86_400;
const DRIVES = [
  [27_000, 28_800],
  [63_000, 64_800],
] as const;
const CHARGE = [68_400, 75_600] as const;
const PG_ADMIN = process.env.OVMS_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function isActive(t: number): boolean {
  const s = t % DAY;
  const day = Math.floor(t / DAY);
  return DRIVES.some(([a, b]) => s >= a && s < b) || (day % 2 === 0 && s >= CHARGE[0] && s < CHARGE[1]);
}

/** The sample times of one vehicle over [start, end): every 60 s while active, every 900 s otherwise. */
function* sampleTimes(start: number, end: number): Generator<number> {
  for (let t = start; t < end; t += 60) if (isActive(t) || t % 900 === 0) yield t;
}

function periodJson(kind: string, startS: number, endS: number): string {
  const common = {
    startAt: startS * 1000,
    endAt: endS * 1000,
    units: 'km',
    startLat: 52.0905,
    startLon: 5.1217,
  };
  if (kind === 'trip') {
    return JSON.stringify({
      kind,
      ...common,
      endLat: 52.1,
      endLon: 5.3,
      socFrom: 80,
      socTo: 75,
      odometerFromKm: 12345.6,
      odometerToKm: 12357.6,
      distanceKm: 12,
      distanceSource: 'odometer',
      energyKwh: 1.8,
      energySource: 'car',
      maxSpeedKmh: 80,
      capacityKwh: 37.9,
    });
  }
  if (kind === 'charge') {
    return JSON.stringify({
      kind,
      ...common,
      socFrom: 40,
      socTo: 80,
      energyKwh: 15.2,
      energySource: 'car',
      gridKwh: 16.4,
      peakPowerKw: 7.2,
      chargeMode: 'standard',
      chargeLimitSoc: 90,
      chargeLimitA: 32,
      endState: 'done',
      capacityKwh: 37.9,
    });
  }
  return JSON.stringify({ kind, ...common, socFrom: 75, socTo: 74.5, energyKwh: 0.19, energySource: 'soc' });
}

/** One vehicle's periods over the days: two trips a day, a charge every other day, parks between. */
function* periods(startDay: number, days: number): Generator<[string, number, number]> {
  for (let d = startDay; d < startDay + days; d++) {
    const t0 = d * DAY;
    yield ['park', t0 - DAY + DRIVES[1][1], t0 + DRIVES[0][0]];
    yield ['trip', t0 + DRIVES[0][0], t0 + DRIVES[0][1]];
    yield ['park', t0 + DRIVES[0][1], t0 + DRIVES[1][0]];
    yield ['trip', t0 + DRIVES[1][0], t0 + DRIVES[1][1]];
    if (d % 2 === 0) yield ['charge', t0 + CHARGE[0], t0 + CHARGE[1]];
  }
}

function sampleRow(t: number): number[] {
  const active = isActive(t);
  return [t, active ? 1 : 0, 60 + (t % 40), 200, 180, 12_345 + t / 10_000, active ? 50 : 0, 52.09, 5.12];
}

const SAMPLE_COLUMNS =
  'owner_id, vehicle_id, t_s, mode, soc, range_ideal_km, range_est_km, odometer_km, speed_kmh, lat, lon';

async function seedOwner(store: Store, vehicles: number): Promise<VehicleRef[]> {
  const owner = await store.createOwner({ name: 'bench', passwordHash: 'x' });
  const list = Array.from({ length: vehicles }, (_, i) => ({
    ownerId: owner.id,
    vehicleId: `REC${i}`,
    secret: 's',
  }));
  await store.createVehicles(list);
  return list.map((v) => ({ ownerId: v.ownerId, vehicleId: v.vehicleId }));
}

function generateSqlite(path: string, refs: VehicleRef[], startDay: number, days: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const sample = db.prepare(
    `INSERT INTO rec_samples (${SAMPLE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const period = db.prepare(
    'INSERT OR REPLACE INTO rec_periods (owner_id, vehicle_id, kind, start_s, end_s, detail) VALUES (?, ?, ?, ?, ?, ?)',
  );
  let rows = 0;
  for (const ref of refs) {
    db.transaction(() => {
      for (const t of sampleTimes(startDay * DAY, (startDay + days) * DAY)) {
        sample.run(ref.ownerId, ref.vehicleId, ...sampleRow(t));
        rows++;
      }
      for (const [kind, a, b] of periods(startDay, days))
        period.run(ref.ownerId, ref.vehicleId, kind, a, b, periodJson(kind, a, b));
    })();
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return rows;
}

async function generatePostgres(
  url: string,
  refs: VehicleRef[],
  startDay: number,
  days: number,
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let rows = 0;
  try {
    for (const ref of refs) {
      // The same rule as sampleTimes(), in SQL: every 60 s while active, every 900 s otherwise.
      const s = '(t % 86400)';
      const active = `(${s} BETWEEN ${DRIVES[0][0]} AND ${DRIVES[0][1] - 1} OR ${s} BETWEEN ${DRIVES[1][0]} AND ${DRIVES[1][1] - 1} OR ((t / 86400) % 2 = 0 AND ${s} BETWEEN ${CHARGE[0]} AND ${CHARGE[1] - 1}))`;
      const result = await client.query(
        `INSERT INTO rec_samples (${SAMPLE_COLUMNS})
         SELECT $1, $2, t, CASE WHEN ${active} THEN 1 ELSE 0 END, 60 + t % 40, 200, 180, 12345 + t / 10000.0,
                CASE WHEN ${active} THEN 50 ELSE 0 END, 52.09, 5.12
         FROM generate_series($3::bigint, $4::bigint - 1, 60) AS t WHERE ${active} OR t % 900 = 0`,
        [ref.ownerId, ref.vehicleId, startDay * DAY, (startDay + days) * DAY],
      );
      rows += result.rowCount ?? 0;
      const list = [...periods(startDay, days)];
      for (let i = 0; i < list.length; i += 500) {
        const chunk = list.slice(i, i + 500);
        await client.query(
          `INSERT INTO rec_periods (owner_id, vehicle_id, kind, start_s, end_s, detail) VALUES ${chunk
            .map((_, j) => `($1, $2, $${3 + j * 4}, $${4 + j * 4}, $${5 + j * 4}, $${6 + j * 4})`)
            .join(', ')} ON CONFLICT DO NOTHING`,
          [ref.ownerId, ref.vehicleId, ...chunk.flatMap(([k, a, b]) => [k, a, b, periodJson(k, a, b)])],
        );
      }
    }
    await client.query('VACUUM ANALYZE rec_samples');
    await client.query('VACUUM ANALYZE rec_periods');
  } finally {
    await client.end();
  }
  return rows;
}

async function timeQueries(store: Store, refs: VehicleRef[], endS: number, rounds: number) {
  const list: number[] = [];
  const series: number[] = [];
  const stats: number[] = [];
  const end = new Date(endS * 1000);
  const month = new Date((endS - 30 * DAY) * 1000);
  const year = new Date((endS - 365 * DAY) * 1000);
  for (let i = 0; i < rounds; i++) {
    const ref = refs[(i * 7919) % refs.length]!;
    let t = performance.now();
    await store.listPeriods(ref, 'trip', { limit: 100, to: end });
    list.push(performance.now() - t);
    t = performance.now();
    await store.sampleBuckets(ref, month, end, Math.ceil((30 * DAY) / 2000));
    series.push(performance.now() - t);
    t = performance.now();
    const query = { from: year, to: end, limit: 20_000 };
    const [trips, charges, parks] = await Promise.all([
      store.listPeriods(ref, 'trip', query),
      store.listPeriods(ref, 'charge', query),
      store.listPeriods(ref, 'park', query),
    ]);
    statistics([...trips, ...charges, ...parks], 'month');
    stats.push(performance.now() - t);
  }
  return { listTrips: summarise(list), series30d: summarise(series), monthlyStats: summarise(stats) };
}

export async function recordingQueryScenario(
  backend: 'sqlite' | 'postgres',
  vehicles: number,
  days: number,
  rounds = 200,
) {
  const endDay = Math.floor(Date.now() / 1000 / DAY);
  const startDay = endDay - days;
  let url: string;
  let cleanup: () => Promise<void>;
  let dir = '';
  if (backend === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'ovms-bench-rec-'));
    url = `sqlite:${join(dir, 'ovms.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `ovms_bench_rec_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${name}`;
    url = u.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  try {
    let store = await openStore(url);
    await store.migrate();
    const refs = await seedOwner(store, vehicles);
    const sizeBefore = await recordingBytes(backend, url, dir);
    await store.close();
    const started = performance.now();
    const samples =
      backend === 'sqlite'
        ? generateSqlite(join(dir, 'ovms.db'), refs, startDay, days)
        : await generatePostgres(url, refs, startDay, days);
    const generateS = (performance.now() - started) / 1000;
    const bytes = (await recordingBytes(backend, url, dir)) - sizeBefore;
    store = await openStore(url);
    const timings = await timeQueries(store, refs, endDay * DAY, rounds);
    await store.close();
    return {
      backend,
      vehicles,
      days,
      samples,
      samplesPerVehicleDay: Math.round(samples / vehicles / days),
      generateS: Math.round(generateS),
      bytesPerVehicleYear: Math.round(((bytes / vehicles) * 365) / days),
      ...timings,
    };
  } finally {
    await cleanup();
  }
}

/** The bytes the recording takes: the SQLite file (after a checkpoint), or the tables with their indexes. */
async function recordingBytes(backend: 'sqlite' | 'postgres', url: string, dir: string): Promise<number> {
  if (backend === 'sqlite') return statSync(join(dir, 'ovms.db')).size;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
       WHERE c.relname IN ('rec_samples', 'rec_periods', 'rec_vehicles') AND c.relkind = 'r'`,
    );
    return Number(rows[0].bytes);
  } finally {
    await c.end();
  }
}

/** The relay (100 cars, 2 apps each) with recording off and on, `rounds` times in one run, the order alternating. */
export async function recordingRelayScenario(rounds: number, seconds: number) {
  const off: number[] = [];
  const on: number[] = [];
  // Server CPU per delivery moves much less than the rates on a shared machine.
  const cpuOff: number[] = [];
  const cpuOn: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const recording of i % 2 === 0 ? ['false', 'true'] : ['true', 'false']) {
      const r = await relayScenario(100, 2, 4, seconds, undefined, (v) =>
        startBenchServer(v, { OVMS_HISTORY_RECORDING: recording }),
      );
      (recording === 'true' ? on : off).push(r.deliveriesPerSecond);
      (recording === 'true' ? cpuOn : cpuOff).push(r.cpuUsPerDelivery.server);
    }
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return {
    off,
    on,
    ratio: Math.round((median(on) / median(off)) * 1000) / 1000,
    serverCpuUsPerDelivery: { off: cpuOff, on: cpuOn },
    cpuRatio: Math.round((median(cpuOn) / median(cpuOff)) * 1000) / 1000,
  };
}
