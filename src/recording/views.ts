import { KM_PER_MILE } from './car-reading.js';
import { type Place, placeAt } from './geo.js';
import { type Mode, type Period, SAMPLE_FIELDS, type Sample, type SampleField } from './vehicle-recorder.js';

/**
 * What the HTTP API, the CLI and exports show of recorded periods and samples: plain JSON values
 * (numbers, ISO times, null for unknown), derived figures included. Pure.
 */

const r = (value: number | undefined, decimals: number): number | null => {
  if (value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

const iso = (ms: number) => new Date(ms).toISOString();

/** A period's id in URLs: its start, epoch seconds. */
export function periodId(period: Pick<Period, 'startAt'>): number {
  return Math.floor(period.startAt / 1000);
}

export interface PeriodHeadView {
  /** The start, epoch seconds: the id in URLs. */
  id: number;
  start: string;
  end: string;
  durationS: number;
}

/** id, start, end and duration: what every period view starts with. */
function head(p: Period): PeriodHeadView {
  return {
    id: periodId(p),
    start: iso(p.startAt),
    end: iso(p.endAt),
    durationS: Math.max(0, Math.round((p.endAt - p.startAt) / 1000)),
  };
}

export interface PlaceView {
  lat: number | null;
  lon: number | null;
  /** The owner's named place whose radius covers the position. */
  name: string | null;
}

function placeView(places: readonly Place[], lat?: number, lon?: number): PlaceView {
  return { lat: r(lat, 6), lon: r(lon, 6), name: placeAt(places, lat, lon)?.name ?? null };
}

export interface TripView extends PeriodHeadView {
  from: PlaceView;
  to: PlaceView;
  distanceKm: number | null;
  /** The distance in the car's own units (`unit`). */
  distance: number | null;
  unit: 'km' | 'mi';
  distanceSource: NonNullable<Period['distanceSource']> | null;
  odometerFromKm: number | null;
  odometerToKm: number | null;
  socFrom: number | null;
  socTo: number | null;
  socUsed: number | null;
  energyKwh: number | null;
  energySource: NonNullable<Period['energySource']> | null;
  whPerKm: number | null;
  whPerMi: number | null;
  avgSpeedKmh: number | null;
  maxSpeedKmh: number | null;
}

export function tripView(p: Period, places: readonly Place[] = []): TripView {
  const durationS = Math.max(0, Math.round((p.endAt - p.startAt) / 1000));
  const km = p.distanceKm;
  const whPerKm =
    km !== undefined && km > 0 && p.energyKwh !== undefined ? (p.energyKwh * 1000) / km : undefined;
  const socUsed = p.socFrom !== undefined && p.socTo !== undefined ? p.socFrom - p.socTo : undefined;
  return {
    ...head(p),
    from: placeView(places, p.startLat, p.startLon),
    to: placeView(places, p.endLat, p.endLon),
    distanceKm: r(km, 2),
    distance: r(km === undefined ? undefined : p.units === 'mi' ? km / KM_PER_MILE : km, 2),
    unit: p.units,
    distanceSource: p.distanceSource ?? null,
    odometerFromKm: r(p.odometerFromKm, 1),
    odometerToKm: r(p.odometerToKm, 1),
    socFrom: r(p.socFrom, 1),
    socTo: r(p.socTo, 1),
    socUsed: r(socUsed, 1),
    energyKwh: r(p.energyKwh, 3),
    energySource: p.energySource ?? null,
    whPerKm: r(whPerKm, 1),
    whPerMi: r(whPerKm === undefined ? undefined : whPerKm * KM_PER_MILE, 1),
    avgSpeedKmh: r(km !== undefined && durationS > 0 ? km / (durationS / 3600) : undefined, 1),
    maxSpeedKmh: r(p.maxSpeedKmh, 1),
  };
}

export interface ChargeView extends PeriodHeadView {
  place: PlaceView;
  socFrom: number | null;
  socTo: number | null;
  energyKwh: number | null;
  energySource: NonNullable<Period['energySource']> | null;
  gridKwh: number | null;
  avgPowerKw: number | null;
  peakPowerKw: number | null;
  mode: string | null;
  limitSoc: number | null;
  limitA: number | null;
  endState: string | null;
  /** Price per kWh: the place's, else the vehicle's default; null when neither is set. */
  pricePerKwh: number | null;
  /** Grid energy (or, without it, energy added) × price. */
  cost: number | null;
}

export function chargePrice(p: Period, places: readonly Place[], defaultPrice?: number): number | undefined {
  return placeAt(places, p.startLat, p.startLon)?.pricePerKwh ?? defaultPrice;
}

export function chargeCost(p: Period, price: number | undefined): number | undefined {
  const kwh = p.gridKwh ?? p.energyKwh;
  return price === undefined || kwh === undefined ? undefined : kwh * price;
}

export function chargeView(p: Period, places: readonly Place[] = [], defaultPrice?: number): ChargeView {
  const durationS = Math.max(0, Math.round((p.endAt - p.startAt) / 1000));
  const price = chargePrice(p, places, defaultPrice);
  return {
    ...head(p),
    place: placeView(places, p.startLat, p.startLon),
    socFrom: r(p.socFrom, 1),
    socTo: r(p.socTo, 1),
    energyKwh: r(p.energyKwh, 3),
    energySource: p.energySource ?? null,
    gridKwh: r(p.gridKwh, 3),
    avgPowerKw: r(
      p.energyKwh !== undefined && durationS > 0 ? p.energyKwh / (durationS / 3600) : undefined,
      2,
    ),
    peakPowerKw: r(p.peakPowerKw, 2),
    mode: p.chargeMode ?? null,
    limitSoc: r(p.chargeLimitSoc, 0),
    limitA: r(p.chargeLimitA, 1),
    endState: p.endState ?? null,
    pricePerKwh: r(price, 4),
    cost: r(chargeCost(p, price), 2),
  };
}

export interface ParkView extends PeriodHeadView {
  place: PlaceView;
  socFrom: number | null;
  socTo: number | null;
  socLost: number | null;
  energyLostKwh: number | null;
}

export function parkView(p: Period, places: readonly Place[] = []): ParkView {
  return {
    ...head(p),
    place: placeView(places, p.startLat, p.startLon),
    socFrom: r(p.socFrom, 1),
    socTo: r(p.socTo, 1),
    socLost: r(p.socFrom !== undefined && p.socTo !== undefined ? p.socFrom - p.socTo : undefined, 1),
    energyLostKwh: r(p.energyKwh, 3),
  };
}

export type SampleView = { time: string; mode: Mode } & { [K in SampleField]?: number | null };

/** A sample with the chosen fields (null where the car sent nothing). */
export function sampleView(s: Sample, fields: readonly SampleField[] = SAMPLE_FIELDS): SampleView {
  const view: SampleView = { time: iso(s.at), mode: s.mode };
  for (const f of fields) view[f] = s[f] ?? null;
  return view;
}

/** Track points: the samples that have a position. */
export function trackOf(
  samples: readonly Sample[],
): { time: string; lat: number; lon: number; speedKmh: number | null; soc: number | null }[] {
  return samples
    .filter((s) => s.lat !== undefined && s.lon !== undefined)
    .map((s) => ({
      time: iso(s.at),
      lat: s.lat!,
      lon: s.lon!,
      speedKmh: s.speedKmh ?? null,
      soc: s.soc ?? null,
    }));
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A trip as GPX 1.1: one track, one segment, a point per sampled position. */
export function tripGpx(trip: TripView, samples: readonly Sample[], vehicleId: string): string {
  const name = xml(`${vehicleId} trip ${trip.start}`);
  const points = trackOf(samples)
    .map((p) => `      <trkpt lat="${p.lat}" lon="${p.lon}"><time>${p.time}</time></trkpt>\n`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<gpx version="1.1" creator="ovms-server" xmlns="http://www.topografix.com/GPX/1/1">\n' +
    `  <metadata><name>${name}</name><time>${trip.start}</time></metadata>\n` +
    `  <trk>\n    <name>${name}</name>\n    <trkseg>\n${points}    </trkseg>\n  </trk>\n</gpx>\n`
  );
}
