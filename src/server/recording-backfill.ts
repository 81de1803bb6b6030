import type { Logger } from 'pino';
import { GRID_LOG_TYPE, TRIP_LOG_TYPE } from '../recording/module-logs.js';
import {
  type RecorderState,
  type RecordingSettings,
  VehicleRecorder,
} from '../recording/vehicle-recorder.js';
import type { HistoryRecord, RecordingBatch, Store, VehicleRef } from '../store/store.js';

/**
 * Back-fill on upgrade: replays the history already stored (the S, D and L messages kept as history
 * records by history.log_messages, and the modules' own `*-LOG-Trip`/`*-LOG-Grid` records) through a
 * recorder, once per vehicle, in the background. Bounded: page by page, at most MAX_RECORDS records
 * a vehicle, and nothing at or after the vehicle's first live sample (what the live recorder writes
 * wins). Each vehicle is marked done (`Store.markBackfilled`) so it never runs twice.
 */

/** A recorder resumed from its stored JSON state (a fresh one when there is none or it is unreadable). */
export function resumeRecorder(
  settings: RecordingSettings,
  stored: { state: string; capacityKwh?: number } | undefined,
  log: Logger,
): VehicleRecorder {
  let state: RecorderState = {};
  try {
    state = stored ? (JSON.parse(stored.state) as RecorderState) : {};
  } catch (err) {
    log.warn({ err }, 'stored recorder state unreadable; recording starts afresh');
  }
  const recorder = new VehicleRecorder(settings, state);
  recorder.setCapacity(stored?.capacityKwh);
  return recorder;
}

const PAGE = 1000;
const MAX_RECORDS = 500_000;
const VEHICLES_PER_ROUND = 100;
const TYPES = ['S', 'D', 'L', TRIP_LOG_TYPE, GRID_LOG_TYPE] as const;

/** One type's records, page by page. */
async function* records(
  store: Store,
  ref: VehicleRef,
  type: string,
  before: number,
): AsyncGenerator<HistoryRecord> {
  let after: { timestamp: Date; recno: number } | undefined;
  for (;;) {
    const page = await store.historyPage(ref, type, { after, limit: PAGE });
    for (const record of page) {
      if (record.timestamp.getTime() >= before) return;
      yield record;
    }
    if (page.length < PAGE) return;
    const last = page.at(-1)!;
    after = { timestamp: last.timestamp, recno: last.recno };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The records of every type, merged in time order (a stable k-way merge over the heads). */
async function* merged(store: Store, ref: VehicleRef, before: number): AsyncGenerator<HistoryRecord> {
  const streams = TYPES.map((type) => records(store, ref, type, before));
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i]!;
      if (head.done) continue;
      if (best < 0 || head.value.timestamp < (heads[best]!.value as HistoryRecord).timestamp) best = i;
    }
    if (best < 0) return;
    yield heads[best]!.value as HistoryRecord;
    heads[best] = await streams[best]!.next();
  }
}

function asCarMessage(record: HistoryRecord): { code: string; payload: string } {
  const data = record.data.toString('latin1');
  if (record.type.length === 1) return { code: record.type, payload: data };
  return { code: 'H', payload: `${record.type},${record.recno},0,${data}` };
}

/** Replays one vehicle's stored history; returns how many samples and periods it wrote. */
export async function backfillVehicle(
  store: Store,
  ref: VehicleRef,
  settings: RecordingSettings,
  startedAt: number,
  log: Logger,
): Promise<{ records: number; samples: number; periods: number }> {
  const [firstLive] = await store.listSamples(ref, { from: new Date(0), to: new Date(startedAt), limit: 1 });
  const before = Math.min(startedAt, firstLive?.at ?? startedAt);
  const stored = await store.getRecordingVehicle(ref);
  const recorder = resumeRecorder(settings, stored && { state: '{}', capacityKwh: stored.capacityKwh }, log);
  let batch: RecordingBatch = { samples: [], periods: [], states: [] };
  const totals = { records: 0, samples: 0, periods: 0 };
  const write = async () => {
    totals.samples += batch.samples.length;
    totals.periods += batch.periods.length;
    await store.saveRecording(batch);
    batch = { samples: [], periods: [], states: [] };
  };
  for await (const record of merged(store, ref, before)) {
    if (++totals.records > MAX_RECORDS) break;
    const { code, payload } = asCarMessage(record);
    const out = recorder.apply(code, payload, record.timestamp.getTime());
    for (const sample of out.samples) batch.samples.push({ ref, sample });
    for (const period of out.periods) if (period.endAt < before) batch.periods.push({ ref, period });
    if (batch.samples.length >= PAGE) await write();
  }
  await write();
  await store.markBackfilled(ref, new Date());
  return totals;
}

/** Back-fills every vehicle not done yet; logs what it did. Never throws. */
export async function backfillAll(
  store: Store,
  settings: RecordingSettings,
  log: Logger,
  stopped: () => boolean,
): Promise<void> {
  const startedAt = Date.now();
  const totals = { vehicles: 0, records: 0, samples: 0, periods: 0 };
  try {
    // Most vehicles have nothing to replay (a new server, cars that never sent S, D or L): one
    // statement marks them all instead of a transaction each.
    await store.markBackfilledWithoutHistory(TYPES, new Date());
    for (;;) {
      const vehicles = await store.vehiclesNotBackfilled(VEHICLES_PER_ROUND);
      if (vehicles.length === 0 || stopped()) break;
      if (totals.vehicles === 0) log.info('recording: back-filling trips and charges from stored history');
      for (const ref of vehicles) {
        if (stopped()) return;
        const done = await backfillVehicle(store, ref, settings, startedAt, log);
        totals.vehicles++;
        totals.records += done.records;
        totals.samples += done.samples;
        totals.periods += done.periods;
      }
    }
    if (totals.vehicles > 0) {
      log.info({ ...totals, ms: Date.now() - startedAt }, 'recording: back-fill from stored history done');
    }
  } catch (err) {
    log.error({ err, ...totals }, 'recording: back-fill stopped; it resumes at the next start');
  }
}
