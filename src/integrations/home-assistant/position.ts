/**
 * The device tracker's JSON attributes from the bridge's `v.p.latitude` and `v.p.longitude`
 * metrics (decimal degrees): undefined until both are known, and for 0,0 (what a module without a
 * GPS fix reports).
 */
export function positionPayload(
  latitude: number | undefined,
  longitude: number | undefined,
): string | undefined {
  if (latitude === undefined || longitude === undefined) return undefined;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  if (latitude === 0 && longitude === 0) return undefined;
  return JSON.stringify({ latitude, longitude });
}
