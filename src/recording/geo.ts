/** Great-circle distance in km between two positions (haversine; plenty for car-scale distances). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Faster than this between two fixes (and more than JUMP_MIN_KM apart) is a GPS jump, not driving. */
export const JUMP_KMH = 300;
export const JUMP_MIN_KM = 1;

/** Whether going from one fix to the next would need an implausible speed. */
export function isJump(km: number, ms: number): boolean {
  if (km <= JUMP_MIN_KM) return false;
  if (ms <= 0) return true;
  return km / (ms / 3_600_000) > JUMP_KMH;
}

export interface Place {
  id: number;
  name: string;
  lat: number;
  lon: number;
  radiusM: number;
  /** Price per kWh charged here, in the owner's currency; undefined for "use the default". */
  pricePerKwh?: number;
}

/** The nearest place whose radius covers the position. */
export function placeAt<P extends Place>(places: readonly P[], lat?: number, lon?: number): P | undefined {
  if (lat === undefined || lon === undefined) return undefined;
  let best: P | undefined;
  let bestKm = Number.POSITIVE_INFINITY;
  for (const place of places) {
    const km = distanceKm(lat, lon, place.lat, place.lon);
    if (km * 1000 <= place.radiusM && km < bestKm) {
      best = place;
      bestKm = km;
    }
  }
  return best;
}
