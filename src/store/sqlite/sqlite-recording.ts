import type { Place } from '../../recording/geo.js';
import type { Period, PeriodKind, Sample } from '../../recording/vehicle-recorder.js';
import {
  checkStep,
  isEmptyBatch,
  type PlaceRow,
  periodParams,
  periodRange,
  placeParams,
  type RecordingVehicleRow,
  recordingSql,
  type SampleRow,
  sampleParams,
  sampleRange,
  stateParams,
  toPeriod,
  toPlace,
  toRecordingVehicle,
  toSample,
} from '../recording-rows.js';
import { postgresDialect } from '../sql/sql-pool.js';
import type {
  NewPlace,
  PeriodQuery,
  RecordingBatch,
  RecordingVehicle,
  RecordingVehicleSettings,
  SampleQuery,
  VehicleRef,
} from '../store.js';
import { checkCount, refParams, toSeconds } from '../values.js';
import type { SqliteContext } from './sqlite-context.js';

// SQLite spells the upsert as PostgreSQL does.
const SQL = recordingSql(postgresDialect.upsert);
const SAMPLE_INSERT = SQL.sampleInsert(1);

export function saveRecording(ctx: SqliteContext, batch: RecordingBatch): void {
  if (isEmptyBatch(batch)) return;
  ctx.db
    .transaction(() => {
      for (const { ref, sample } of batch.samples)
        ctx.statement(SAMPLE_INSERT).run(...sampleParams(ref, sample));
      for (const { ref, period } of batch.periods)
        ctx.statement(SQL.periodUpsert).run(...periodParams(ref, period));
      for (const { ref, state, at } of batch.states)
        ctx.statement(SQL.stateUpsert).run(...stateParams(ref, state, at));
    })
    .immediate();
}

export function getRecordingVehicle(ctx: SqliteContext, ref: VehicleRef): RecordingVehicle | undefined {
  const row = ctx.statement(SQL.vehicle).get(...refParams(ref)) as RecordingVehicleRow | undefined;
  return row && toRecordingVehicle(row);
}

export function setRecordingSettings(ctx: SqliteContext, ref: VehicleRef, s: RecordingVehicleSettings): void {
  ctx.statement(SQL.settingsUpsert).run(...refParams(ref), s.capacityKwh, s.pricePerKwh);
}

export function markBackfilled(ctx: SqliteContext, ref: VehicleRef, at: Date): void {
  ctx.statement(SQL.backfilledUpsert).run(...refParams(ref), toSeconds(at));
}

export function markBackfilledWithoutHistory(ctx: SqliteContext, types: readonly string[], at: Date): void {
  ctx.statement(SQL.backfilledWithoutHistory(types.length)).run(toSeconds(at), ...types);
}

export function vehiclesNotBackfilled(ctx: SqliteContext, limit: number): VehicleRef[] {
  const rows = ctx.statement(SQL.notBackfilled).all(checkCount(limit, 'limit')) as {
    owner_id: number;
    vehicle_id: string;
  }[];
  return rows.map((r) => ({ ownerId: Number(r.owner_id), vehicleId: r.vehicle_id }));
}

export function listSamples(ctx: SqliteContext, ref: VehicleRef, query: SampleQuery): Sample[] {
  const rows = ctx.statement(SQL.samples).all(...refParams(ref), ...sampleRange(query)) as SampleRow[];
  return rows.map(toSample);
}

export function sampleBuckets(
  ctx: SqliteContext,
  ref: VehicleRef,
  from: Date,
  to: Date,
  stepS: number,
): Sample[] {
  const rows = ctx
    .statement(SQL.buckets)
    .all(checkStep(stepS), ...refParams(ref), toSeconds(from, 'from'), toSeconds(to, 'to')) as SampleRow[];
  return rows.map(toSample);
}

export function listPeriods(
  ctx: SqliteContext,
  ref: VehicleRef,
  kind: PeriodKind,
  query: PeriodQuery,
): Period[] {
  const rows = ctx.statement(SQL.periods).all(...refParams(ref), kind, ...periodRange(query)) as {
    detail: string;
  }[];
  return rows.map(toPeriod);
}

export function getPeriod(
  ctx: SqliteContext,
  ref: VehicleRef,
  kind: PeriodKind,
  startAt: Date,
): Period | undefined {
  const row = ctx.statement(SQL.period).get(...refParams(ref), kind, toSeconds(startAt)) as
    | { detail: string }
    | undefined;
  return row && toPeriod(row);
}

export function listPlaces(ctx: SqliteContext, ownerId: number): Place[] {
  return (ctx.statement(SQL.places).all(ownerId) as PlaceRow[]).map(toPlace);
}

export function putPlace(
  ctx: SqliteContext,
  ownerId: number,
  place: NewPlace,
  id?: number,
): Place | undefined {
  if (id === undefined) {
    const info = ctx.statement(SQL.placeInsert).run(ownerId, ...placeParams(place));
    return { ...place, id: Number(info.lastInsertRowid) };
  }
  const changed = ctx.statement(SQL.placeUpdate).run(...placeParams(place), ownerId, id).changes;
  return changed > 0 ? { ...place, id } : undefined;
}

export function deletePlace(ctx: SqliteContext, ownerId: number, id: number): boolean {
  return ctx.statement(SQL.placeDelete).run(ownerId, id).changes > 0;
}

/** Samples first, then periods, `limit` rows at most in all. */
export function purgeRecording(ctx: SqliteContext, before: Date, limit: number): number {
  checkCount(limit, 'limit');
  const beforeS = toSeconds(before, 'before');
  const samples = ctx
    .statement(
      `DELETE FROM rec_samples WHERE (owner_id, vehicle_id, t_s) IN
         (SELECT owner_id, vehicle_id, t_s FROM rec_samples WHERE t_s < ? LIMIT ?)`,
    )
    .run(beforeS, limit).changes;
  if (samples >= limit) return samples;
  const periods = ctx
    .statement(
      'DELETE FROM rec_periods WHERE rowid IN (SELECT rowid FROM rec_periods WHERE end_s < ? LIMIT ?)',
    )
    .run(beforeS, limit - samples).changes;
  return samples + periods;
}
