import { environmentRecord } from '../protocol/messages/environment.js';
import { locationRecord } from '../protocol/messages/location.js';
import { statusRecord } from '../protocol/messages/status.js';

/**
 * What the recorder knows of a car: the latest values of its S (status), D (environment) and L
 * (location) messages, as numbers in fixed units whatever the car's own (km, km/h, kW, kWh, °C, V,
 * %). Pure: no I/O, no clock. Units follow docs/protocol-v2.md §3.2:
 * - S field 2 says whether distances are km (`K`) or miles (`M`): the ranges (S 7, 8), the odometer
 *   (D 8, in tenths of a unit) and L's speed (field 7) are in those units; D's speed is km/h on v3.
 * - S field 12 is tenths of a kWh; S 39 (grid kWh) and S 41 (usable capacity) are kWh.
 * - L fields 11 and 12 (energy used, recovered) are kWh despite older docs saying Wh.
 */
export interface CarReading {
  /** Epoch ms of the newest S, D or L. */
  at: number;
  /** `mi` when S field 2 is `M`, else `km`. */
  units: 'km' | 'mi';
  soc?: number;
  rangeIdealKm?: number;
  rangeEstKm?: number;
  chargeState?: string;
  chargeMode?: string;
  /** S field 9: the charge current limit, A. */
  chargeLimitA?: number;
  /** S field 23: the SOC limit, %. */
  chargeLimitSoc?: number;
  /** S field 12 / 10: energy of the charge in progress. */
  chargeKwh?: number;
  /** S field 39: grid energy of the charge in progress. */
  gridKwh?: number;
  /** S field 32, else line voltage × current. */
  chargePowerKw?: number;
  soh?: number;
  /** S field 41: usable battery capacity. */
  capacityKwh?: number;
  /** D field 1 bit 7. */
  carOn?: boolean;
  /** D field 1 bit 3 (pilot) or bit 2 (charge port open). */
  plugged?: boolean;
  odometerKm?: number;
  speedKmh?: number;
  v12?: number;
  batteryTempC?: number;
  cabinTempC?: number;
  ambientTempC?: number;
  /** The last good position: a message without a GPS lock, or at 0,0, keeps the one before. */
  lat?: number;
  lon?: number;
  /** Whether the newest L had a good position (a lock, not 0,0, not stale). */
  gpsFix?: boolean;
  /** L field 10: battery power, positive out of the battery. */
  powerKw?: number;
  /** L fields 11 and 12: the car's own counters of energy used and recovered (kWh). */
  energyUsedKwh?: number;
  energyRecdKwh?: number;
}

export const KM_PER_MILE = 1.609344;

/** The codes whose messages change a reading. */
export const READING_CODES: ReadonlySet<string> = new Set(['S', 'D', 'L']);

/** Charge states of S field 5 in which energy goes into the battery. */
const CHARGING_STATES = new Set(['charging', 'topoff']);

/** Speeds above this are garbage (a bad frame), never kept as a reading. */
const MAX_PLAUSIBLE_KMH = 400;

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function bits(value: string | undefined): number | undefined {
  const n = num(value);
  return n === undefined ? undefined : Math.trunc(n);
}

function speed(kmh: number | undefined): number | undefined {
  return kmh !== undefined && kmh >= 0 && kmh <= MAX_PLAUSIBLE_KMH ? kmh : undefined;
}

export function kmPerUnit(reading: Pick<CarReading, 'units'>): number {
  return reading.units === 'mi' ? KM_PER_MILE : 1;
}

export function isCharging(reading: CarReading): boolean {
  return CHARGING_STATES.has(reading.chargeState ?? '');
}

/** Driving: the car is on (D); without any D yet, moving (L speed). */
export function isDriving(reading: CarReading): boolean {
  if (reading.carOn !== undefined) return reading.carOn;
  return (reading.speedKmh ?? 0) > 2;
}

/** Drops the fields a message sets, so a message without them leaves no stale value behind. */
function withStatus(r: CarReading, text: string): CarReading {
  const s = statusRecord.decode(text).fields;
  const units = s.units?.trim().toUpperCase() === 'M' ? 'mi' : 'km';
  const k = units === 'mi' ? KM_PER_MILE : 1;
  const idealRange = num(s.idealrange);
  const estRange = num(s.estimatedrange);
  const line = num(s.linevoltage);
  const current = num(s.chargecurrent);
  const power =
    positive(num(s.chargepower)) ??
    (line !== undefined && current !== undefined && line * current > 0 ? (line * current) / 1000 : undefined);
  const chargeState = s.chargestate?.trim().toLowerCase() || undefined;
  const chargeKwhTenths = num(s.chargekwh);
  return {
    ...r,
    units,
    soc: num(s.soc),
    rangeIdealKm: idealRange === undefined ? undefined : idealRange * k,
    rangeEstKm: estRange === undefined ? undefined : estRange * k,
    chargeState,
    chargeMode: s.chargemode?.trim() || undefined,
    chargeLimitA: num(s.chargelimit),
    chargeLimitSoc: positive(num(s.limit_soc)),
    chargeKwh: chargeKwhTenths === undefined ? undefined : chargeKwhTenths / 10,
    gridKwh: positive(num(s.chargekwhgrid)),
    chargePowerKw: CHARGING_STATES.has(chargeState ?? '') ? power : undefined,
    soh: positive(num(s.soh)),
    capacityKwh: positive(num(s.batt_capacity)),
  };
}

function withEnvironment(r: CarReading, text: string): CarReading {
  const d = environmentRecord.decode(text).fields;
  const doors1 = bits(d.doors1);
  const k = kmPerUnit(r);
  const odometerTenths = positive(num(d.odometer));
  const fresh = (flag: string | undefined) => flag?.trim() !== '0';
  const next: CarReading = {
    ...r,
    carOn: doors1 === undefined ? undefined : (doors1 & 0x80) !== 0,
    plugged: doors1 === undefined ? undefined : (doors1 & 0x0c) !== 0,
    odometerKm: odometerTenths === undefined ? undefined : (odometerTenths / 10) * k,
    v12: positive(num(d.v12)),
    batteryTempC: fresh(d.staletemps) ? num(d.tbattery) : undefined,
    cabinTempC: fresh(d.staletemps) ? num(d.tcabin) : undefined,
    ambientTempC: fresh(d.staleambient) ? num(d.ambient) : undefined,
  };
  // L's speed (car units) is preferred; D's (km/h on v3) stands in while no L has given one.
  const dSpeed = speed(num(d.speed));
  if (dSpeed !== undefined && r.speedKmh === undefined) next.speedKmh = dSpeed;
  if (next.carOn === false) next.speedKmh = 0;
  return next;
}

function withLocation(r: CarReading, text: string): CarReading {
  const l = locationRecord.decode(text).fields;
  const lat = num(l.lat);
  const lon = num(l.lon);
  const lock = l.gpslock === undefined || l.gpslock.trim() !== '0';
  const stale = l.stalegps?.trim() === '0';
  const valid =
    lock &&
    !stale &&
    lat !== undefined &&
    lon !== undefined &&
    !(lat === 0 && lon === 0) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lon) <= 180;
  const lSpeed = num(l.speed);
  return {
    ...r,
    lat: valid ? lat : r.lat,
    lon: valid ? lon : r.lon,
    gpsFix: valid,
    speedKmh: speed(lSpeed === undefined ? undefined : lSpeed * kmPerUnit(r)) ?? r.speedKmh,
    powerKw: num(l.power),
    energyUsedKwh: num(l.energyused),
    energyRecdKwh: num(l.energyrecd),
  };
}

/** The reading after one car message; the same object for codes that do not change it. */
export function applyReading(
  reading: CarReading | undefined,
  code: string,
  payload: string,
  at: number,
): CarReading {
  const r: CarReading = reading ?? { at, units: 'km' };
  if (!READING_CODES.has(code)) return r;
  const next =
    code === 'S'
      ? withStatus(r, payload)
      : code === 'D'
        ? withEnvironment(r, payload)
        : withLocation(r, payload);
  next.at = at;
  return next;
}
