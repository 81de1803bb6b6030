import type { Place } from '../recording/geo.js';
import {
  type Mode,
  type Period,
  type PeriodKind,
  SAMPLE_FIELDS,
  type Sample,
  type SampleField,
} from '../recording/vehicle-recorder.js';
import type {
  NewPlace,
  PeriodQuery,
  RecordingBatch,
  RecordingVehicle,
  SampleQuery,
  VehicleRef,
} from './store.js';
import { checkCount, normaliseVehicleId, refParams, toSeconds } from './values.js';

/**
 * Rows of the recording tables (migration 4; src/recording derives what goes in them), shared by
 * every back-end: column names, SQL text where it is the same everywhere, and conversions.
 */

/** Sample columns, in SAMPLE_FIELDS order; units are in the names. */
export const SAMPLE_COLUMNS: Record<SampleField, string> = {
  soc: 'soc',
  rangeIdealKm: 'range_ideal_km',
  rangeEstKm: 'range_est_km',
  odometerKm: 'odometer_km',
  speedKmh: 'speed_kmh',
  lat: 'lat',
  lon: 'lon',
  powerKw: 'power_kw',
  chargePowerKw: 'charge_power_kw',
  chargeKwh: 'charge_kwh',
  v12: 'v12',
  batteryTempC: 'battery_temp_c',
  cabinTempC: 'cabin_temp_c',
  ambientTempC: 'ambient_temp_c',
  soh: 'soh',
};

/** Decimals kept on reading (PostgreSQL and MariaDB store 4-byte floats). */
const SAMPLE_DECIMALS: Record<SampleField, number> = {
  soc: 1,
  rangeIdealKm: 1,
  rangeEstKm: 1,
  odometerKm: 1,
  speedKmh: 1,
  lat: 6,
  lon: 6,
  powerKw: 3,
  chargePowerKw: 2,
  chargeKwh: 2,
  v12: 2,
  batteryTempC: 1,
  cabinTempC: 1,
  ambientTempC: 1,
  soh: 1,
};

const MODES: readonly Mode[] = ['idle', 'drive', 'charge'];
const KINDS: ReadonlySet<string> = new Set<PeriodKind>(['trip', 'charge', 'park']);

const columns = SAMPLE_FIELDS.map((f) => SAMPLE_COLUMNS[f]);

/** `upsert(key, assignments)`: the dialect's upsert clause (PostgreSQL's spelling serves SQLite). */
export function recordingSql(upsert: (key: string, assignments: string) => string) {
  const sampleInsert = (rows: number) =>
    `INSERT INTO rec_samples (owner_id, vehicle_id, t_s, mode, ${columns.join(', ')})
     VALUES ${Array(rows)
       .fill(
         `(${Array(4 + columns.length)
           .fill('?')
           .join(', ')})`,
       )
       .join(
         ', ',
       )} ${upsert('owner_id, vehicle_id, t_s', ['mode', ...columns].map((c) => `${c} = excluded.${c}`).join(', '))}`;
  return {
    sampleInsert,
    periodUpsert: `INSERT INTO rec_periods (owner_id, vehicle_id, kind, start_s, end_s, detail) VALUES (?, ?, ?, ?, ?, ?)
      ${upsert('owner_id, vehicle_id, kind, start_s', 'end_s = excluded.end_s, detail = excluded.detail')}`,
    stateUpsert: `INSERT INTO rec_vehicles (owner_id, vehicle_id, state, updated_s) VALUES (?, ?, ?, ?)
      ${upsert('owner_id, vehicle_id', 'state = excluded.state, updated_s = excluded.updated_s')}`,
    settingsUpsert: `INSERT INTO rec_vehicles (owner_id, vehicle_id, state, updated_s, capacity_kwh, price_per_kwh)
      VALUES (?, ?, '{}', 0, ?, ?)
      ${upsert('owner_id, vehicle_id', 'capacity_kwh = excluded.capacity_kwh, price_per_kwh = excluded.price_per_kwh')}`,
    backfilledUpsert: `INSERT INTO rec_vehicles (owner_id, vehicle_id, state, updated_s, backfilled_s) VALUES (?, ?, '{}', 0, ?)
      ${upsert('owner_id, vehicle_id', 'backfilled_s = excluded.backfilled_s')}`,
    /** Marks at once every vehicle not back-filled that has no history record of the given types. */
    backfilledWithoutHistory: (
      types: number,
    ) => `INSERT INTO rec_vehicles (owner_id, vehicle_id, state, updated_s, backfilled_s)
      SELECT v.owner_id, v.vehicle_id, '{}', 0, ? FROM vehicles v
      LEFT JOIN rec_vehicles r ON r.owner_id = v.owner_id AND r.vehicle_id = v.vehicle_id
      WHERE r.backfilled_s IS NULL AND NOT EXISTS (SELECT 1 FROM history h
        WHERE h.owner_id = v.owner_id AND h.vehicle_id = v.vehicle_id AND h.type IN (${Array(types).fill('?').join(', ')}))
      ${upsert('owner_id, vehicle_id', 'backfilled_s = excluded.backfilled_s')}`,
    vehicle: `SELECT state, capacity_kwh, price_per_kwh, backfilled_s FROM rec_vehicles
      WHERE owner_id = ? AND vehicle_id = ?`,
    notBackfilled: `SELECT v.owner_id, v.vehicle_id FROM vehicles v
      LEFT JOIN rec_vehicles r ON r.owner_id = v.owner_id AND r.vehicle_id = v.vehicle_id
      WHERE r.backfilled_s IS NULL ORDER BY v.vehicle_id LIMIT ?`,
    samples: `SELECT t_s, mode, ${columns.join(', ')} FROM rec_samples
      WHERE owner_id = ? AND vehicle_id = ? AND t_s >= ? AND t_s < ? ORDER BY t_s LIMIT ?`,
    buckets: `SELECT (t_s - t_s % ?) AS bucket_s, MAX(mode) AS mode, ${columns.map((c) => `AVG(${c}) AS ${c}`).join(', ')}
      FROM rec_samples WHERE owner_id = ? AND vehicle_id = ? AND t_s >= ? AND t_s < ?
      GROUP BY 1 ORDER BY 1`,
    periods: `SELECT detail FROM rec_periods WHERE owner_id = ? AND vehicle_id = ? AND kind = ?
      AND start_s >= ? AND start_s < ? ORDER BY start_s DESC LIMIT ?`,
    period:
      'SELECT detail FROM rec_periods WHERE owner_id = ? AND vehicle_id = ? AND kind = ? AND start_s = ?',
    places:
      'SELECT id, name, lat, lon, radius_m, price_per_kwh FROM rec_places WHERE owner_id = ? ORDER BY name, id',
    placeInsert:
      'INSERT INTO rec_places (owner_id, name, lat, lon, radius_m, price_per_kwh) VALUES (?, ?, ?, ?, ?, ?)',
    placeUpdate:
      'UPDATE rec_places SET name = ?, lat = ?, lon = ?, radius_m = ?, price_per_kwh = ? WHERE owner_id = ? AND id = ?',
    placeDelete: 'DELETE FROM rec_places WHERE owner_id = ? AND id = ?',
  };
}

export type SampleRow = Record<string, number | string | null>;

export function sampleParams(ref: VehicleRef, sample: Sample): (number | string | null)[] {
  return [
    ...refParams(ref),
    Math.floor(sample.at / 1000),
    Math.max(0, MODES.indexOf(sample.mode)),
    ...SAMPLE_FIELDS.map((f) => sample[f] ?? null),
  ];
}

/** The sample key, for keeping only the last write of a second in one statement. */
export function sampleKey(s: { ref: VehicleRef; sample: Sample }): string {
  return `${s.ref.ownerId}\u0000${normaliseVehicleId(s.ref.vehicleId)}\u0000${Math.floor(s.sample.at / 1000)}`;
}

function rounded(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export function toSample(row: SampleRow): Sample {
  const seconds = row.t_s ?? row.bucket_s;
  const sample: Sample = { at: Number(seconds) * 1000, mode: MODES[Number(row.mode)] ?? 'idle' };
  for (const field of SAMPLE_FIELDS) {
    const value = row[SAMPLE_COLUMNS[field]];
    if (value !== null && value !== undefined) sample[field] = rounded(Number(value), SAMPLE_DECIMALS[field]);
  }
  return sample;
}

export function periodParams(ref: VehicleRef, period: Period): (number | string)[] {
  if (!KINDS.has(period.kind)) throw new RangeError(`unknown period kind ${period.kind}`);
  return [
    ...refParams(ref),
    period.kind,
    Math.floor(period.startAt / 1000),
    Math.floor(period.endAt / 1000),
    JSON.stringify(period),
  ];
}

export function toPeriod(row: { detail: string }): Period {
  return JSON.parse(String(row.detail)) as Period;
}

export function stateParams(ref: VehicleRef, state: string, at: number): (number | string)[] {
  return [...refParams(ref), state, Math.floor(at / 1000)];
}

export interface RecordingVehicleRow {
  state: string;
  capacity_kwh: number | string | null;
  price_per_kwh: number | string | null;
  backfilled_s: number | string | null;
}

const optionalNumber = (v: number | string | null): number | undefined =>
  v === null ? undefined : Number(v);

export function toRecordingVehicle(row: RecordingVehicleRow): RecordingVehicle {
  return {
    state: String(row.state),
    capacityKwh: optionalNumber(row.capacity_kwh),
    pricePerKwh: optionalNumber(row.price_per_kwh),
    backfilledAt: row.backfilled_s === null ? undefined : new Date(Number(row.backfilled_s) * 1000),
  };
}

/** [from_s, to_s, limit] of a sample query, checked. */
export function sampleRange(query: SampleQuery): [number, number, number] {
  return [toSeconds(query.from, 'from'), toSeconds(query.to, 'to'), checkCount(query.limit, 'limit')];
}

/** Ranges without a bound use the widest the columns hold. */
export function periodRange(query: PeriodQuery): [number, number, number] {
  return [
    query.from === undefined ? 0 : toSeconds(query.from, 'from'),
    query.to === undefined ? 2 ** 40 : toSeconds(query.to, 'to'),
    checkCount(query.limit, 'limit'),
  ];
}

export function checkStep(stepS: number): number {
  if (!Number.isSafeInteger(stepS) || stepS < 1)
    throw new RangeError(`step must be a whole number of seconds ≥ 1`);
  return stepS;
}

export interface PlaceRow {
  id: number | string;
  name: string;
  lat: number | string;
  lon: number | string;
  radius_m: number | string;
  price_per_kwh: number | string | null;
}

export function toPlace(row: PlaceRow): Place {
  const place: Place = {
    id: Number(row.id),
    name: row.name,
    lat: rounded(Number(row.lat), 6),
    lon: rounded(Number(row.lon), 6),
    radiusM: Number(row.radius_m),
  };
  if (row.price_per_kwh !== null) place.pricePerKwh = Number(row.price_per_kwh);
  return place;
}

export function placeParams(place: NewPlace): (string | number | null)[] {
  return [place.name, place.lat, place.lon, place.radiusM, place.pricePerKwh ?? null];
}

/** Nothing to write: saveRecording returns at once. */
export function isEmptyBatch(batch: RecordingBatch): boolean {
  return batch.samples.length === 0 && batch.periods.length === 0 && batch.states.length === 0;
}
