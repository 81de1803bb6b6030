/**
 * The road the simulated car drives: a fixed list of waypoints with a speed limit per leg, driven
 * out and back. Positions are interpolated along the legs, which is plenty for a GPS track that
 * looks right on a map.
 */
export interface Waypoint {
  lat: number;
  lon: number;
  /** Metres above sea level. */
  alt: number;
  /** Speed limit in km/h on the leg that starts here. */
  limit: number;
}

/** A suburban commute of about 9 km: town centre, ring road, a stretch of highway, a village. */
export const COMMUTE: readonly Waypoint[] = [
  { lat: 52.090737, lon: 5.121419, alt: 5, limit: 30 },
  { lat: 52.088461, lon: 5.114325, alt: 4, limit: 50 },
  { lat: 52.084216, lon: 5.104823, alt: 3, limit: 50 },
  { lat: 52.078917, lon: 5.091472, alt: 2, limit: 70 },
  { lat: 52.071388, lon: 5.078146, alt: 1, limit: 80 },
  { lat: 52.062714, lon: 5.061903, alt: 1, limit: 80 },
  { lat: 52.054851, lon: 5.044217, alt: 0, limit: 80 },
  { lat: 52.049102, lon: 5.030667, alt: 1, limit: 50 },
  { lat: 52.045377, lon: 5.021482, alt: 2, limit: 50 },
  { lat: 52.043215, lon: 5.014056, alt: 2, limit: 30 },
];

export interface RoutePoint {
  lat: number;
  lon: number;
  alt: number;
  /** Compass heading in degrees, 0 = north. */
  heading: number;
  /** Speed limit at this point in km/h. */
  limit: number;
}

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

function headingDeg(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x =
    Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) -
    Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

export class Route {
  private readonly legs: number[];
  readonly lengthKm: number;

  constructor(private readonly points: readonly Waypoint[]) {
    if (points.length < 2) throw new Error('a route needs at least two waypoints');
    this.legs = points.slice(1).map((p, i) => distanceKm(points[i]!, p));
    this.lengthKm = this.legs.reduce((sum, d) => sum + d, 0);
  }

  /** The same road driven the other way (the way home). */
  reversed(): Route {
    const back = [...this.points].reverse();
    // A leg's limit belongs to its start point, so shift the limits by one when reversing.
    return new Route(back.map((p, i) => ({ ...p, limit: back[i + 1]?.limit ?? p.limit })));
  }

  /** The point `km` along the route, clamped to its ends. */
  at(km: number): RoutePoint {
    let left = Math.max(0, km);
    let i = 0;
    while (i < this.legs.length - 1 && left > this.legs[i]!) {
      left -= this.legs[i]!;
      i++;
    }
    const leg = this.legs[i]!;
    const from = this.points[i]!;
    const to = this.points[i + 1]!;
    const f = leg === 0 ? 1 : Math.min(1, left / leg);
    return {
      lat: from.lat + (to.lat - from.lat) * f,
      lon: from.lon + (to.lon - from.lon) * f,
      alt: from.alt + (to.alt - from.alt) * f,
      heading: headingDeg(from, to),
      limit: from.limit,
    };
  }
}
