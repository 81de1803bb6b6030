/**
 * The trip and charge summaries a v3 module sends itself, as historical records (docs/protocol-v2.md
 * §3.2 `h`, docs/v3.md): `*-LOG-Trip` at vehicle on and off (`notify log.trip.storetime` > 0 on the
 * module) and `*-LOG-Grid` at every charge state change (`notify log.grid.storetime` > 0). Both have
 * record number 1 (the format version) and comma-separated data in metric units whatever the car's
 * display units: odometer and trip in km, energy in kWh, times in seconds. Field positions below are
 * 0-based within the data (after `<type>,<recno>,<lifetime>`).
 */

export const TRIP_LOG_TYPE = '*-LOG-Trip';
export const GRID_LOG_TYPE = '*-LOG-Grid';

export interface TripLog {
  odometerKm?: number;
  tripKm: number;
  driveTimeS?: number;
  soc?: number;
  /** Energy used minus energy recovered over the trip (kWh). */
  energyKwh?: number;
}

export interface GridLog {
  chargeState: string;
  chargeKwh?: number;
  gridKwh?: number;
  soc?: number;
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** A trip log with a distance (the one sent at vehicle off); undefined for anything else. */
export function parseTripLog(data: string): TripLog | undefined {
  const f = data.split(',');
  // The firmware's layout starts with the GPS lock flag and has at least 30 fields.
  if (f.length < 30 || (f[0] !== '0' && f[0] !== '1')) return undefined;
  const tripKm = num(f[6]);
  if (tripKm === undefined || tripKm <= 0 || tripKm > 5000) return undefined;
  const used = num(f[13]);
  const recd = num(f[14]);
  return {
    odometerKm: num(f[5]),
    tripKm,
    driveTimeS: num(f[7]),
    soc: num(f[9]),
    energyKwh: used !== undefined && used > 0 ? used - (recd ?? 0) : undefined,
  };
}

/** A grid log; undefined when the data is too short to be one. */
export function parseGridLog(data: string): GridLog | undefined {
  const f = data.split(',');
  if (f.length < 28 || (f[0] !== '0' && f[0] !== '1')) return undefined;
  const kwh = num(f[20]);
  const grid = num(f[21]);
  return {
    chargeState: (f[6] ?? '').trim().toLowerCase(),
    chargeKwh: kwh !== undefined && kwh > 0 ? kwh : undefined,
    gridKwh: grid !== undefined && grid > 0 ? grid : undefined,
    soc: num(f[27]),
  };
}

/** Splits an `H` payload (`<type>,<recno>,<lifetime>,<data>`). */
export function splitHistoryPayload(payload: string): { type: string; data: string } | undefined {
  const a = payload.indexOf(',');
  const b = payload.indexOf(',', a + 1);
  const c = payload.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  return { type: payload.slice(0, a), data: payload.slice(c + 1) };
}
