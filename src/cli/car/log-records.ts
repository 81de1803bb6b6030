import { CAR, type CarState, CHARGE_MODES } from './vehicle-state.js';

/**
 * The data of the car's historical records (sent as `h`, WIRE.md §7.1): one `*-LOG-Trip` row per
 * drive and a `*-LOG-Grid` row whenever charging starts, stops or completes. Timestamps are UTC in
 * the server's `YYYY-MM-DD HH:MM:SS` form.
 */

/** Records are kept for at least a year, like v3's own logs. */
export const LOG_LIFETIME = 365 * 24 * 3600;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** start, end, km, seconds, SOC start/end, kWh used/recovered, start lat/lon, end lat/lon, average km/h. */
export function tripLogData(s: CarState, nowMs: number): string {
  const hours = Math.max((nowMs - s.tripStart.timeMs) / 3_600_000, 1e-6);
  return [
    iso(s.tripStart.timeMs),
    iso(nowMs),
    s.tripKm.toFixed(2),
    Math.round(hours * 3600),
    s.tripStart.soc.toFixed(1),
    s.soc.toFixed(1),
    s.energyUsedKwh.toFixed(3),
    s.energyRecdKwh.toFixed(3),
    s.tripStart.lat.toFixed(6),
    s.tripStart.lon.toFixed(6),
    s.lat.toFixed(6),
    s.lon.toFixed(6),
    (s.tripKm / hours).toFixed(1),
  ].join(',');
}

/** time, charge state, mode, SOC, session kWh, lifetime grid kWh, volts, amps limit, lat, lon. */
export function gridLogData(s: CarState, nowMs: number): string {
  return [
    iso(nowMs),
    s.chargeState ?? '',
    CHARGE_MODES[s.chargeMode] ?? 'standard',
    s.soc.toFixed(1),
    s.chargeKwh.toFixed(3),
    s.gridKwhTotal.toFixed(1),
    CAR.lineVoltage,
    s.chargeLimitAmps,
    s.lat.toFixed(6),
    s.lon.toFixed(6),
  ].join(',');
}
