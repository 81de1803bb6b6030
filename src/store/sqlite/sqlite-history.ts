import { pageBound, pageCondition, pageParams } from '../history-page.js';
import type { PreparedHistory } from '../prepared-writes.js';
import { type HistoryRow, type SummaryRow, toHistory, toSummary } from '../rows.js';
import type { HistoryPageQuery, HistoryRecord, HistorySummary, HistoryUsage, VehicleRef } from '../store.js';
import { checkCount, refParams, toSeconds } from '../values.js';
import type { SqliteContext } from './sqlite-context.js';

/** Used for "no lower bound" so the query text (and its cached statement) stays the same. */
const NO_SINCE = Number.MIN_SAFE_INTEGER;

/** Same (type, recno, second) overwrites data and expiry, as the reference does. */
export function writeHistory(ctx: SqliteContext, h: PreparedHistory): void {
  ctx
    .statement(
      `INSERT INTO history (owner_id, vehicle_id, type, recno, ts_s, data, expires_s)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner_id, vehicle_id, type, ts_s, recno) DO UPDATE SET
         data = excluded.data, expires_s = excluded.expires_s`,
    )
    .run(h.ownerId, h.vehicleId, h.type, h.recno, h.timestampS, h.data, h.expiresS);
}

/** Command 31. Sizes count bytes (CAST AS BLOB), like MySQL's LENGTH() in the reference. */
export function historySummary(ctx: SqliteContext, ref: VehicleRef, since?: Date): HistorySummary[] {
  const sinceS = since === undefined ? NO_SINCE : toSeconds(since, 'since');
  const rows = ctx
    .statement(
      `SELECT type, COUNT(DISTINCT recno) AS distinct_recnos, COUNT(*) AS total_records,
         SUM(length(CAST(type AS BLOB)) + length(data) + length(CAST(vehicle_id AS BLOB)) + 20) AS approx_bytes,
         MIN(ts_s) AS first_s, MAX(ts_s) AS last_s
       FROM history WHERE owner_id = ? AND vehicle_id = ? AND ts_s > ?
       GROUP BY type ORDER BY type`,
    )
    .all(...refParams(ref), sinceS) as SummaryRow[];
  return rows.map(toSummary);
}

/** Command 32 and /api/historical: one page of a type's records, by time then recno. */
export function historyPage(
  ctx: SqliteContext,
  ref: VehicleRef,
  type: string,
  query: HistoryPageQuery,
): HistoryRecord[] {
  const bound = pageBound(query, NO_SINCE);
  const rows = ctx
    .statement(
      `SELECT type, recno, ts_s, data, expires_s FROM history
       WHERE owner_id = ? AND vehicle_id = ? AND type = ? AND ${pageCondition('ts_s', 'recno')}
       ORDER BY ts_s, recno LIMIT ?`,
    )
    .all(...refParams(ref), type, ...pageParams(bound, (s) => s), bound.limit) as HistoryRow[];
  return rows.map(toHistory);
}

export function countHistory(ctx: SqliteContext, ref: VehicleRef, type: string, since?: Date): number {
  const sinceS = since === undefined ? NO_SINCE : toSeconds(since, 'since');
  const row = ctx
    .statement(
      'SELECT COUNT(*) AS n FROM history WHERE owner_id = ? AND vehicle_id = ? AND type = ? AND ts_s > ?',
    )
    .get(...refParams(ref), type, sinceS) as { n: number };
  return Number(row.n);
}

/** length() of a BLOB reads its size from the record header, not the data. */
export function historyUsage(ctx: SqliteContext, ref: VehicleRef): HistoryUsage {
  const row = ctx
    .statement(
      'SELECT COUNT(*) AS n, COALESCE(SUM(length(data)), 0) AS bytes FROM history WHERE owner_id = ? AND vehicle_id = ?',
    )
    .get(...refParams(ref)) as { n: number; bytes: number };
  return { rows: Number(row.n), bytes: Number(row.bytes) };
}

/** Bounded so a large backlog is worked off in small steps instead of one long write lock. */
export function purgeHistory(ctx: SqliteContext, now: Date, limit: number): number {
  checkCount(limit, 'limit');
  return ctx
    .statement('DELETE FROM history WHERE rowid IN (SELECT rowid FROM history WHERE expires_s < ? LIMIT ?)')
    .run(toSeconds(now, 'now'), limit).changes;
}
