import { applyReading, type CarReading, isCharging, isDriving, READING_CODES } from './car-reading.js';
import { distanceKm, isJump } from './geo.js';
import {
  GRID_LOG_TYPE,
  type GridLog,
  parseGridLog,
  parseTripLog,
  splitHistoryPayload,
  TRIP_LOG_TYPE,
  type TripLog,
} from './module-logs.js';

/**
 * Trips, charge sessions, parking periods and a sampled time series, derived from one car's
 * messages as they arrive. Pure and O(1) per message: no I/O, no clock (every message brings its
 * time), and the whole state is a small JSON value (`state`) a caller stores and hands back after a
 * restart. See docs/recording.md for the rules.
 */

export interface RecordingSettings {
  /** Longest gap between samples while driving or charging. */
  sampleMs: number;
  /** Longest gap between samples otherwise. */
  idleSampleMs: number;
}

export type Mode = 'drive' | 'charge' | 'idle';

/** The values a sample keeps (all optional: a car sends what it has). */
export const SAMPLE_FIELDS = [
  'soc',
  'rangeIdealKm',
  'rangeEstKm',
  'odometerKm',
  'speedKmh',
  'lat',
  'lon',
  'powerKw',
  'chargePowerKw',
  'chargeKwh',
  'v12',
  'batteryTempC',
  'cabinTempC',
  'ambientTempC',
  'soh',
] as const;
export type SampleField = (typeof SAMPLE_FIELDS)[number];

export type Sample = { at: number; mode: Mode } & { [K in SampleField]?: number };

export type PeriodKind = 'trip' | 'charge' | 'park';

/** A finished trip, charge session or parking period. Stored by (vehicle, kind, startAt). */
export interface Period {
  kind: PeriodKind;
  startAt: number;
  endAt: number;
  /** The car's distance units. */
  units: 'km' | 'mi';
  startLat?: number;
  startLon?: number;
  endLat?: number;
  endLon?: number;
  socFrom?: number;
  socTo?: number;
  odometerFromKm?: number;
  odometerToKm?: number;
  distanceKm?: number;
  /** odometer difference, the GPS track (no odometer), or the module's own trip log. */
  distanceSource?: 'odometer' | 'gps' | 'module';
  /** Trip: energy used (net of recovery); charge: energy added to the battery; park: energy lost. */
  energyKwh?: number;
  /** The car's own counters, SOC × usable capacity, or the module's own log record. */
  energySource?: 'car' | 'soc' | 'module';
  maxSpeedKmh?: number;
  /** Charge: energy drawn from the grid (S field 39 or the module's log). */
  gridKwh?: number;
  peakPowerKw?: number;
  chargeMode?: string;
  chargeLimitSoc?: number;
  chargeLimitA?: number;
  /** Charge: the state it ended in (`done`, `stopped`, ...; `offline` when the car went quiet). */
  endState?: string;
  /** Usable capacity (kWh) used for SOC-based energy. */
  capacityKwh?: number;
}

/** A period still running, with what it accumulates. */
interface OpenPeriod extends Period {
  /** Net kWh from the car's energy counters so far, across counter resets. */
  carKwh?: number;
  carNet?: number;
  gpsKm: number;
  chargeKwhMax?: number;
  module?: GridLog;
}

export interface RecorderState {
  reading?: CarReading;
  lastSampleAt?: number;
  open?: OpenPeriod;
  /** The last finished trip and charge, for a module log record that arrives after the end. */
  lastTrip?: Period;
  lastCharge?: Period;
  /** The last accepted GPS fix (for jumps and the GPS distance). */
  fix?: { lat: number; lon: number; at: number; rejected: number };
  /** Per-vehicle usable capacity setting (kWh); the car's S field 41 otherwise. */
  capacityKwh?: number;
}

export interface RecorderOutput {
  samples: Sample[];
  /** Finished periods to store (or store again: the same kind and start replace the earlier row). */
  periods: Period[];
}

/** A trip whose car goes quiet this long is closed at its last message. */
export const TRIP_GAP_MS = 30 * 60_000;
/** Likewise for a charge (cars report rarely while charging slowly). */
export const CHARGE_GAP_MS = 3 * 3_600_000;
/** Shorter trips (and no speed) are the car switched on without driving: not a trip. */
export const MIN_TRIP_KM = 0.1;
/** Shorter parking periods are not recorded (a stop at the lights with the car off). */
export const MIN_PARK_MS = 10 * 60_000;
/** A module log record this long after a period's end still belongs to it. */
const LOG_LATE_MS = 15 * 60_000;
/** After this many GPS jumps in a row the new position is taken as the truth. */
const MAX_REJECTED_FIXES = 3;

function round(value: number | undefined, decimals: number): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function modeOf(r: CarReading): Mode {
  if (isCharging(r) && (r.speedKmh ?? 0) < 5) return 'charge';
  if (isDriving(r)) return 'drive';
  return 'idle';
}

export class VehicleRecorder {
  readonly #settings: RecordingSettings;
  #s: RecorderState;

  constructor(settings: RecordingSettings, state: RecorderState = {}) {
    this.#settings = settings;
    this.#s = structuredClone(state);
  }

  /** What to store to resume after a restart. */
  get state(): RecorderState {
    return this.#s;
  }

  /** Sets (or clears) the usable capacity used for SOC-based energy. */
  setCapacity(kwh: number | undefined): void {
    this.#s.capacityKwh = kwh;
  }

  /** One car message: `code` and `payload` as the car sent them, `at` epoch ms. */
  apply(code: string, payload: string, at: number): RecorderOutput {
    const out: RecorderOutput = { samples: [], periods: [] };
    if (code === 'H') {
      this.#moduleLog(payload, at, out);
      return out;
    }
    if (!READING_CODES.has(code)) return out;
    const s = this.#s;
    const before = s.reading;
    const reading = applyReading(before, code, payload, at);
    s.reading = reading;
    if (code === 'L') this.#gps(reading, at);
    const open = s.open;
    if (
      open &&
      at - open.endAt >
        (open.kind === 'charge' ? CHARGE_GAP_MS : open.kind === 'trip' ? TRIP_GAP_MS : Infinity)
    ) {
      // The car went quiet mid-trip or mid-charge: what happened since is unknown.
      if (open.kind === 'charge') open.endState = 'offline';
      this.#close(out);
    }
    const mode = modeOf(reading);
    const current = s.open;
    let changed = false;
    if (!current || modeKind(mode) !== current.kind) {
      if (current) this.#close(out);
      this.#openPeriod(mode, reading, at);
      changed = true;
    } else {
      this.#update(current, reading, at);
    }
    const interval = mode === 'idle' ? this.#settings.idleSampleMs : this.#settings.sampleMs;
    if (changed || s.lastSampleAt === undefined || at - s.lastSampleAt >= interval) {
      out.samples.push(this.#sample(reading, mode, at));
      s.lastSampleAt = at;
    }
    return out;
  }

  #capacity(r: CarReading): number | undefined {
    return this.#s.capacityKwh ?? r.capacityKwh;
  }

  #gps(r: CarReading, at: number): void {
    const s = this.#s;
    if (!r.gpsFix || r.lat === undefined || r.lon === undefined) return;
    const fix = s.fix;
    if (!fix) {
      s.fix = { lat: r.lat, lon: r.lon, at, rejected: 0 };
      return;
    }
    const km = distanceKm(fix.lat, fix.lon, r.lat, r.lon);
    const jump = isJump(km, at - fix.at);
    if (jump && fix.rejected < MAX_REJECTED_FIXES) {
      fix.rejected++;
      // Keep the last good position in the reading, so samples and places never show the jump.
      r.lat = fix.lat;
      r.lon = fix.lon;
      r.gpsFix = false;
      return;
    }
    const open = s.open;
    // After too many jumps in a row the new position is taken, but the way there is not known.
    if (open?.kind === 'trip' && !jump) open.gpsKm += km;
    s.fix = { lat: r.lat, lon: r.lon, at, rejected: 0 };
  }

  #openPeriod(mode: Mode, r: CarReading, at: number): void {
    const open: OpenPeriod = {
      kind: modeKind(mode),
      startAt: at,
      endAt: at,
      units: r.units,
      startLat: r.lat,
      startLon: r.lon,
      endLat: r.lat,
      endLon: r.lon,
      socFrom: r.soc,
      socTo: r.soc,
      odometerFromKm: r.odometerKm,
      odometerToKm: r.odometerKm,
      gpsKm: 0,
    };
    this.#s.open = open;
    this.#update(open, r, at);
  }

  #update(open: OpenPeriod, r: CarReading, at: number): void {
    open.endAt = at;
    open.units = r.units;
    if (r.lat !== undefined && r.lon !== undefined) {
      open.startLat ??= r.lat;
      open.startLon ??= r.lon;
      open.endLat = r.lat;
      open.endLon = r.lon;
    }
    if (r.soc !== undefined) {
      open.socFrom ??= r.soc;
      open.socTo = r.soc;
    }
    if (r.odometerKm !== undefined) {
      open.odometerFromKm ??= r.odometerKm;
      open.odometerToKm = r.odometerKm;
    }
    const capacity = this.#capacity(r);
    if (capacity !== undefined) open.capacityKwh = capacity;
    if (open.kind === 'trip') {
      if (r.speedKmh !== undefined) open.maxSpeedKmh = Math.max(open.maxSpeedKmh ?? 0, r.speedKmh);
      if (r.energyUsedKwh !== undefined) {
        const net = r.energyUsedKwh - (r.energyRecdKwh ?? 0);
        if (open.carNet === undefined) open.carKwh = 0;
        // A counter that goes back was reset (a module restart): it counts again from zero.
        else
          open.carKwh =
            (open.carKwh ?? 0) + (net >= open.carNet - 0.001 ? net - open.carNet : Math.max(0, net));
        open.carNet = net;
      }
    } else if (open.kind === 'charge') {
      if (r.chargeKwh !== undefined && r.chargeKwh > 0)
        open.chargeKwhMax = Math.max(open.chargeKwhMax ?? 0, r.chargeKwh);
      if (r.gridKwh !== undefined) open.gridKwh = Math.max(open.gridKwh ?? 0, r.gridKwh);
      if (r.chargePowerKw !== undefined) open.peakPowerKw = Math.max(open.peakPowerKw ?? 0, r.chargePowerKw);
      if (r.chargeMode) open.chargeMode = r.chargeMode;
      if (r.chargeLimitSoc !== undefined) open.chargeLimitSoc = r.chargeLimitSoc;
      if (r.chargeLimitA !== undefined) open.chargeLimitA = r.chargeLimitA;
    }
    if (open.kind === 'charge' && r.chargeState && !isCharging(r)) open.endState = r.chargeState;
  }

  /** Ends the open period; emits it when it is worth keeping. */
  #close(out: RecorderOutput): void {
    const s = this.#s;
    const open = s.open;
    if (!open) return;
    s.open = undefined;
    const r = s.reading;
    if (open.kind === 'charge' && r?.chargeState && !isCharging(r)) open.endState ??= r.chargeState;
    const period = finish(open);
    if (period.kind === 'trip') {
      const moved = (period.distanceKm ?? 0) >= MIN_TRIP_KM;
      // The car switched on and off without going anywhere: not a trip.
      if (!moved) return;
      s.lastTrip = period;
    } else if (period.kind === 'charge') {
      s.lastCharge = period;
    } else if (period.endAt - period.startAt < MIN_PARK_MS) {
      return;
    }
    out.periods.push(period);
  }

  #sample(r: CarReading, mode: Mode, at: number): Sample {
    const sample: Sample = { at, mode };
    for (const field of SAMPLE_FIELDS) {
      const value = r[field];
      if (value !== undefined) sample[field] = value;
    }
    if (mode !== 'charge') delete sample.chargePowerKw;
    return sample;
  }

  #moduleLog(payload: string, at: number, out: RecorderOutput): void {
    const record = splitHistoryPayload(payload);
    if (!record) return;
    const s = this.#s;
    if (record.type === TRIP_LOG_TYPE) {
      const log = parseTripLog(record.data);
      const last = s.lastTrip;
      if (!log || !last || at < last.startAt || at > last.endAt + LOG_LATE_MS) return;
      const period = withTripLog(last, log);
      s.lastTrip = period;
      out.periods.push(period);
    } else if (record.type === GRID_LOG_TYPE) {
      const log = parseGridLog(record.data);
      if (!log || log.chargeKwh === undefined) return;
      const open = s.open;
      if (open?.kind === 'charge') {
        open.module = log;
        return;
      }
      const last = s.lastCharge;
      if (!last || at < last.startAt || at > last.endAt + LOG_LATE_MS) return;
      const period = withGridLog(last, log);
      s.lastCharge = period;
      out.periods.push(period);
    }
  }
}

function modeKind(mode: Mode): PeriodKind {
  return mode === 'drive' ? 'trip' : mode === 'charge' ? 'charge' : 'park';
}

function withTripLog(period: Period, log: TripLog): Period {
  const next: Period = { ...period, distanceKm: round(log.tripKm, 2), distanceSource: 'module' };
  if (log.energyKwh !== undefined) {
    next.energyKwh = round(log.energyKwh, 3);
    next.energySource = 'module';
  }
  return next;
}

function withGridLog(period: Period, log: GridLog): Period {
  return {
    ...period,
    energyKwh: round(log.chargeKwh, 3),
    energySource: 'module',
    ...(log.gridKwh !== undefined ? { gridKwh: round(log.gridKwh, 3) } : {}),
  };
}

/** The finished period: distance and energy from the best source available. */
function finish(open: OpenPeriod): Period {
  const { carKwh, carNet: _carNet, gpsKm, chargeKwhMax, module: grid, ...base } = open;
  const period: Period = { ...base };
  const socUsed =
    period.socFrom !== undefined && period.socTo !== undefined ? period.socFrom - period.socTo : undefined;
  const bySoc = (soc: number | undefined) =>
    soc !== undefined && period.capacityKwh !== undefined ? (soc / 100) * period.capacityKwh : undefined;
  if (period.kind === 'trip') {
    const odo =
      period.odometerFromKm !== undefined && period.odometerToKm !== undefined
        ? period.odometerToKm - period.odometerFromKm
        : undefined;
    if (odo !== undefined && odo >= 0 && !(odo === 0 && gpsKm > 1)) {
      period.distanceKm = round(odo, 2);
      period.distanceSource = 'odometer';
    } else {
      period.distanceKm = round(gpsKm, 2);
      period.distanceSource = 'gps';
    }
    if (carKwh !== undefined && carKwh > 0) {
      period.energyKwh = round(carKwh, 3);
      period.energySource = 'car';
    } else if (bySoc(socUsed) !== undefined) {
      period.energyKwh = round(bySoc(socUsed), 3);
      period.energySource = 'soc';
    }
  } else if (period.kind === 'charge') {
    if (grid?.chargeKwh !== undefined) {
      period.energyKwh = round(grid.chargeKwh, 3);
      period.energySource = 'module';
      if (grid.gridKwh !== undefined) period.gridKwh = grid.gridKwh;
    } else if (chargeKwhMax !== undefined) {
      period.energyKwh = round(chargeKwhMax, 3);
      period.energySource = 'car';
    } else if (socUsed !== undefined && bySoc(-socUsed) !== undefined) {
      period.energyKwh = round(bySoc(-socUsed), 3);
      period.energySource = 'soc';
    }
  } else if (bySoc(socUsed) !== undefined) {
    period.energyKwh = round(bySoc(socUsed), 3);
    period.energySource = 'soc';
  }
  return period;
}
