import type { CarState } from './car-state.js';

/**
 * The car's state as ABRP's telemetry API (`tlm/send`, the `tlm` parameter) names it. Units: km,
 * km/h, kW, kWh, °C, V, A, %, degrees, metres; `utc` in epoch seconds. `power` and `current` are
 * positive when the battery gives power out, negative while it charges (the module's own sign, and
 * ABRP's). A value the car did not report, or reported as stale, is left out: ABRP takes a missing
 * field as unknown but a 0 as a reading.
 */
export interface AbrpTelemetry {
  utc: number;
  soc: number;
  power?: number;
  speed?: number;
  lat?: number;
  lon?: number;
  elevation?: number;
  heading?: number;
  is_charging: 0 | 1;
  is_dcfc?: 0 | 1;
  is_parked?: 0 | 1;
  ext_temp?: number;
  batt_temp?: number;
  cabin_temp?: number;
  voltage?: number;
  current?: number;
  odometer?: number;
  est_battery_range?: number;
  soh?: number;
  capacity?: number;
  kwh_charged?: number;
}

export const KM_PER_MILE = 1.609344;

/**
 * Above this charging power a charge is taken as DC fast charging. A v2 car does not say which plug
 * it uses (S field 31 is always 0), and AC charging stops at 22 kW on all but a few cars.
 */
export const DCFC_MIN_KW = 22;

/** Charge states of S field 5 that mean energy goes into the battery (as ABRP's own module plugin reads them). */
const CHARGING_STATES = new Set(['charging', 'topoff']);

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function round(value: number | undefined, decimals: number): number | undefined {
  if (value === undefined) return undefined;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** A reading where the module sends 0 for "unknown" (pack voltage, SOH, capacity). */
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** Distance units of the car's S field 2: `M` is miles, anything else kilometres. */
export function kmFactor(state: CarState): number {
  return state.status?.units?.trim().toUpperCase() === 'M' ? KM_PER_MILE : 1;
}

export function isCharging(state: CarState): boolean {
  return CHARGING_STATES.has(state.status?.chargestate?.trim().toLowerCase() ?? '');
}

/** Parked: D field 10 (park time in seconds) above 0, as the module counts it. Unknown without a D. */
export function isParked(state: CarState): boolean | undefined {
  const parkTime = num(state.environment?.parktimer);
  return parkTime === undefined ? undefined : parkTime > 0;
}

/** Driving or charging: what ABRP wants live, at `abrp.interval_s`. */
export function isActive(state: CarState): boolean {
  return isCharging(state) || isParked(state) === false;
}

/** Speed in km/h: L field 7 is in the car's units; without it, D field 9, which v3 sends in km/h. */
function speedKmh(state: CarState): number | undefined {
  const fromLocation = num(state.location?.speed);
  if (fromLocation !== undefined) return fromLocation * kmFactor(state);
  return num(state.environment?.speed);
}

/** Battery power in kW: L field 10; while charging without an L, minus the charge power of S field 32. */
function powerKw(state: CarState, charging: boolean): number | undefined {
  const battery = num(state.location?.power);
  if (battery !== undefined) return battery;
  const chargePower = positive(num(state.status?.chargepower));
  return charging && chargePower !== undefined ? -chargePower : undefined;
}

function position(state: CarState): Partial<AbrpTelemetry> {
  const l = state.location;
  const lat = num(l?.lat);
  const lon = num(l?.lon);
  // 0,0 is what a module without a GPS fix sends.
  if (lat === undefined || lon === undefined || (lat === 0 && lon === 0)) return {};
  return { lat, lon, elevation: num(l?.altitude), heading: num(l?.direction) };
}

/** D fields 13 and 14 are 1 while the temperatures are current, 0 when stale. */
function temperatures(state: CarState): Partial<AbrpTelemetry> {
  const d = state.environment;
  if (!d) return {};
  const current = (flag: string | undefined) => flag?.trim() !== '0';
  return {
    ...(current(d.staleambient) ? { ext_temp: num(d.ambient) } : {}),
    ...(current(d.staletemps) ? { batt_temp: num(d.tbattery), cabin_temp: num(d.tcabin) } : {}),
  };
}

function withoutUndefined(tlm: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(tlm)) if (value !== undefined) out[key] = value;
  return out;
}

/** The telemetry to send, or undefined while the car has not reported its SOC (ABRP requires it). */
export function buildTelemetry(state: CarState): AbrpTelemetry | undefined {
  const s = state.status;
  const soc = num(s?.soc);
  if (soc === undefined) return undefined;
  const km = kmFactor(state);
  const charging = isCharging(state);
  const power = powerKw(state, charging);
  const parked = isParked(state);
  const odometerTenths = num(state.environment?.odometer);
  const range = num(s?.estimatedrange);
  const tlm = {
    utc: Math.floor(state.reportedAt / 1000),
    soc: round(soc, 1),
    power: round(power, 3),
    speed: round(speedKmh(state), 1),
    ...position(state),
    is_charging: charging ? 1 : 0,
    is_dcfc: charging && power !== undefined ? (-power > DCFC_MIN_KW ? 1 : 0) : charging ? undefined : 0,
    is_parked: parked === undefined ? undefined : parked ? 1 : 0,
    ...temperatures(state),
    voltage: round(positive(num(s?.battvoltage)), 2),
    current: round(num(s?.battcurrent), 2),
    odometer: round(odometerTenths === undefined ? undefined : (odometerTenths / 10) * km, 1),
    est_battery_range: round(range === undefined ? undefined : range * km, 1),
    soh: round(positive(num(s?.soh)), 1),
    capacity: round(positive(num(s?.batt_capacity)), 1),
    // S field 12 is tenths of a kWh: the energy of the charge in progress.
    kwh_charged: charging ? round((num(s?.chargekwh) ?? 0) / 10, 1) : undefined,
  };
  return withoutUndefined(tlm) as unknown as AbrpTelemetry;
}
