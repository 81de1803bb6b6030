import type { Place } from './geo.js';
import type { Period } from './vehicle-recorder.js';
import { chargeCost, chargePrice } from './views.js';

/** Calendar periods (UTC) the statistics are summed over. */
export const STAT_PERIODS = ['day', 'week', 'month', 'year'] as const;
export type StatPeriod = (typeof STAT_PERIODS)[number];

/** The period a time falls in: `2026-05-12`, `2026-05-11` (the Monday of its ISO week), `2026-05`, `2026`. */
export function periodKey(ms: number, period: StatPeriod): string {
  const d = new Date(ms);
  const day = d.toISOString().slice(0, 10);
  if (period === 'day') return day;
  if (period === 'month') return day.slice(0, 7);
  if (period === 'year') return day.slice(0, 4);
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return monday.toISOString().slice(0, 10);
}

export interface StatRow {
  period: string;
  trips: number;
  distanceKm: number;
  driveS: number;
  /** Energy the trips used (those with a figure). */
  energyKwh: number;
  /** Energy of the trips with an energy figure, over their distance. */
  whPerKm: number | null;
  charges: number;
  chargedKwh: number;
  gridKwh: number;
  /** Null when no charge of the period has a price. */
  cost: number | null;
  parkedS: number;
  /** SOC and energy lost while parked (periods that lost some). */
  drainSoc: number;
  drainKwh: number;
}

function empty(period: string): StatRow {
  return {
    period,
    trips: 0,
    distanceKm: 0,
    driveS: 0,
    energyKwh: 0,
    whPerKm: null,
    charges: 0,
    chargedKwh: 0,
    gridKwh: 0,
    cost: null,
    parkedS: 0,
    drainSoc: 0,
    drainKwh: 0,
  };
}

const r = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Sums trips, charges and parking periods per calendar period (by their start), oldest first. O(n)
 * in the periods given; cost uses each charge's place price, else `defaultPrice`.
 */
export function statistics(
  periods: Iterable<Period>,
  period: StatPeriod,
  places: readonly Place[] = [],
  defaultPrice?: number,
): StatRow[] {
  const rows = new Map<string, StatRow & { energyKm: number }>();
  for (const p of periods) {
    const key = periodKey(p.startAt, period);
    let row = rows.get(key);
    if (!row) {
      row = { ...empty(key), energyKm: 0 };
      rows.set(key, row);
    }
    const seconds = Math.max(0, (p.endAt - p.startAt) / 1000);
    if (p.kind === 'trip') {
      row.trips++;
      row.distanceKm += p.distanceKm ?? 0;
      row.driveS += seconds;
      if (p.energyKwh !== undefined && (p.distanceKm ?? 0) > 0) {
        row.energyKwh += p.energyKwh;
        row.energyKm += p.distanceKm!;
      }
    } else if (p.kind === 'charge') {
      row.charges++;
      row.chargedKwh += p.energyKwh ?? 0;
      row.gridKwh += p.gridKwh ?? 0;
      const cost = chargeCost(p, chargePrice(p, places, defaultPrice));
      if (cost !== undefined) row.cost = (row.cost ?? 0) + cost;
    } else {
      row.parkedS += seconds;
      const soc = p.socFrom !== undefined && p.socTo !== undefined ? p.socFrom - p.socTo : 0;
      if (soc > 0) {
        row.drainSoc += soc;
        row.drainKwh += p.energyKwh ?? 0;
      }
    }
  }
  return [...rows.values()]
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
    .map(({ energyKm, ...row }) => ({
      ...row,
      distanceKm: r(row.distanceKm, 2),
      driveS: Math.round(row.driveS),
      energyKwh: r(row.energyKwh, 3),
      whPerKm: energyKm > 0 ? r((row.energyKwh * 1000) / energyKm, 1) : null,
      chargedKwh: r(row.chargedKwh, 3),
      gridKwh: r(row.gridKwh, 3),
      cost: row.cost === null ? null : r(row.cost, 2),
      parkedS: Math.round(row.parkedS),
      drainSoc: r(row.drainSoc, 1),
      drainKwh: r(row.drainKwh, 3),
    }));
}
