/** What the dashboard reads of the server's recording (docs/http-api.md "Trips, charges and history"). */
import { useEffect, useState } from 'preact/hooks';
// The server's own view types (type-only: nothing of the server is bundled), so the pages follow the API.
import type { Place as StoredPlace } from '../../src/recording/geo.js';
import type { StatRow } from '../../src/recording/stats.js';
import type { ChargeView, PlaceView, TripView, trackOf } from '../../src/recording/views.js';
import { enc, get, type View } from './api';

export type { StatRow };
export type PlaceRef = PlaceView;
export type Trip = TripView;
export type Charge = ChargeView;
export type TrackPoint = ReturnType<typeof trackOf>[number];
/** GET /api/charges/<id>/<chargeId> `curve`. */
export interface CurvePoint {
  time: string;
  soc: number | null;
  chargePowerKw: number | null;
  powerKw: number | null;
  chargeKwh: number | null;
}
export type SeriesPoint = { time: string; mode: string } & Record<string, number | null | string>;
export interface Series {
  from: string;
  to: string;
  step: number;
  fields: string[];
  points: SeriesPoint[];
}
/** GET /api/places: a price that is not set is null. */
export type Place = Omit<StoredPlace, 'pricePerKwh'> & { pricePerKwh: number | null };

const KM_PER_MILE = 1.609344;

/** Distances and speeds in the car's own units (S field 2, `units` of /api/status), as the vehicle page. */
export interface Units {
  unit: 'km' | 'mi';
  /** km → the car's unit. */
  dist: (km: number) => number;
  speed: string;
}
export function unitsOf(mi: boolean): Units {
  return mi
    ? { unit: 'mi', dist: (km) => km / KM_PER_MILE, speed: 'mph' }
    : { unit: 'km', dist: (km) => km, speed: 'km/h' };
}

/** The car's units (from its status), km until known. */
export function useUnits(vehicleId: string): Units {
  const [mi, setMi] = useState(false);
  useEffect(() => {
    get<View>(`/api/status/${enc(vehicleId)}`)
      .then((s) => setMi(s.units === 'M'))
      .catch(() => {});
  }, [vehicleId]);
  return unitsOf(mi);
}

/** A number with `digits` decimals, or an en dash for unknown. */
export const num = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

export function duration(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  return `${h} h ${Math.round((s - h * 3600) / 60)} min`;
}

export const when = (iso: string) =>
  new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

export const place = (p: PlaceRef) =>
  p.name ?? (p.lat === null || p.lon === null ? '–' : `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}`);

/** Epoch seconds for the API's `from`/`to`. */
export const epoch = (ms: number) => String(Math.floor(ms / 1000));

export const recordingPath = (what: string, vehicleId: string, rest = '') =>
  `/api/${what}/${enc(vehicleId)}${rest}`;
