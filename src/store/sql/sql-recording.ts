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
  sampleKey,
  sampleParams,
  sampleRange,
  stateParams,
  toPeriod,
  toPlace,
  toRecordingVehicle,
  toSample,
} from '../recording-rows.js';
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
import { uniqueRowChunks } from './multi-row.js';
import type { SqlContext } from './sql-context.js';
import type { SqlDialect } from './sql-pool.js';

/** Samples per multi-row INSERT: 19 parameters each, well under PostgreSQL's 65,535. */
const SAMPLE_CHUNK = 500;

/** The recording tables in our own schema (PostgreSQL and MariaDB share the SQL). */
export function sqlRecording(dialect: SqlDialect) {
  const SQL = recordingSql(dialect.upsert);
  const purgeSamples = dialect.deleteAtMost('rec_samples', 't_s < ?');
  const purgePeriods = dialect.deleteAtMost('rec_periods', 'end_s < ?');
  return {
    /** One transaction; a burst of samples in multi-row statements. */
    async saveRecording(ctx: SqlContext, batch: RecordingBatch): Promise<void> {
      if (isEmptyBatch(batch)) return;
      await ctx.pool.transaction(async (tx) => {
        for (const chunk of uniqueRowChunks(batch.samples, sampleKey, SAMPLE_CHUNK)) {
          await tx.query(
            SQL.sampleInsert(chunk.length),
            chunk.flatMap(({ ref, sample }) => sampleParams(ref, sample)),
          );
        }
        for (const { ref, period } of batch.periods)
          await tx.query(SQL.periodUpsert, periodParams(ref, period));
        for (const { ref, state, at } of batch.states)
          await tx.query(SQL.stateUpsert, stateParams(ref, state, at));
      });
    },
    async getRecordingVehicle(ctx: SqlContext, ref: VehicleRef): Promise<RecordingVehicle | undefined> {
      const { rows } = await ctx.pool.query<RecordingVehicleRow>(SQL.vehicle, refParams(ref));
      return rows[0] && toRecordingVehicle(rows[0]);
    },
    async setRecordingSettings(ctx: SqlContext, ref: VehicleRef, s: RecordingVehicleSettings): Promise<void> {
      await ctx.pool.query(SQL.settingsUpsert, [...refParams(ref), s.capacityKwh, s.pricePerKwh]);
    },
    async markBackfilled(ctx: SqlContext, ref: VehicleRef, at: Date): Promise<void> {
      await ctx.pool.query(SQL.backfilledUpsert, [...refParams(ref), toSeconds(at)]);
    },
    async markBackfilledWithoutHistory(ctx: SqlContext, types: readonly string[], at: Date): Promise<void> {
      await ctx.pool.query(SQL.backfilledWithoutHistory(types.length), [toSeconds(at), ...types]);
    },
    async vehiclesNotBackfilled(ctx: SqlContext, limit: number): Promise<VehicleRef[]> {
      const { rows } = await ctx.pool.query<{ owner_id: number | string; vehicle_id: string }>(
        SQL.notBackfilled,
        [checkCount(limit, 'limit')],
      );
      return rows.map((r) => ({ ownerId: Number(r.owner_id), vehicleId: r.vehicle_id }));
    },
    async listSamples(ctx: SqlContext, ref: VehicleRef, query: SampleQuery): Promise<Sample[]> {
      const { rows } = await ctx.pool.query<SampleRow>(SQL.samples, [
        ...refParams(ref),
        ...sampleRange(query),
      ]);
      return rows.map(toSample);
    },
    async sampleBuckets(
      ctx: SqlContext,
      ref: VehicleRef,
      from: Date,
      to: Date,
      stepS: number,
    ): Promise<Sample[]> {
      const { rows } = await ctx.pool.query<SampleRow>(SQL.buckets, [
        checkStep(stepS),
        ...refParams(ref),
        toSeconds(from, 'from'),
        toSeconds(to, 'to'),
      ]);
      return rows.map(toSample);
    },
    async listPeriods(
      ctx: SqlContext,
      ref: VehicleRef,
      kind: PeriodKind,
      query: PeriodQuery,
    ): Promise<Period[]> {
      const { rows } = await ctx.pool.query<{ detail: string }>(SQL.periods, [
        ...refParams(ref),
        kind,
        ...periodRange(query),
      ]);
      return rows.map(toPeriod);
    },
    async getPeriod(
      ctx: SqlContext,
      ref: VehicleRef,
      kind: PeriodKind,
      startAt: Date,
    ): Promise<Period | undefined> {
      const { rows } = await ctx.pool.query<{ detail: string }>(SQL.period, [
        ...refParams(ref),
        kind,
        toSeconds(startAt),
      ]);
      return rows[0] && toPeriod(rows[0]);
    },
    async listPlaces(ctx: SqlContext, ownerId: number): Promise<Place[]> {
      const { rows } = await ctx.pool.query<PlaceRow>(SQL.places, [ownerId]);
      return rows.map(toPlace);
    },
    async putPlace(
      ctx: SqlContext,
      ownerId: number,
      place: NewPlace,
      id?: number,
    ): Promise<Place | undefined> {
      if (id === undefined) {
        // The new id: RETURNING (PostgreSQL), LAST_INSERT_ID() on the same connection (MariaDB).
        const newId = await ctx.pool.transaction(async (tx) => {
          const params = [ownerId, ...placeParams(place)];
          if (dialect.name === 'postgres') {
            return (await tx.query<{ id: number | string }>(`${SQL.placeInsert} RETURNING id`, params))
              .rows[0]?.id;
          }
          await tx.query(SQL.placeInsert, params);
          return (await tx.query<{ id: number | string }>('SELECT LAST_INSERT_ID() AS id')).rows[0]?.id;
        });
        return { ...place, id: Number(newId) };
      }
      const { affected } = await ctx.pool.query(SQL.placeUpdate, [...placeParams(place), ownerId, id]);
      return affected > 0 ? { ...place, id } : undefined;
    },
    async deletePlace(ctx: SqlContext, ownerId: number, id: number): Promise<boolean> {
      return (await ctx.pool.query(SQL.placeDelete, [ownerId, id])).affected > 0;
    },
    /** Bounded like the history purge: samples first, then periods. */
    async purgeRecording(ctx: SqlContext, before: Date, limit: number): Promise<number> {
      checkCount(limit, 'limit');
      if (limit === 0) return 0;
      const beforeS = toSeconds(before, 'before');
      const samples = (await ctx.pool.query(purgeSamples, [beforeS, limit])).affected;
      if (samples >= limit) return samples;
      return samples + (await ctx.pool.query(purgePeriods, [beforeS, limit - samples])).affected;
    },
  };
}
