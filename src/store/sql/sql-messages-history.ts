import { pageBound, pageCondition, pageParams } from '../history-page.js';
import type { PreparedHistory, PreparedMessage, PreparedUtilisation } from '../prepared-writes.js';
import {
  type HistoryRow,
  type MessageRow,
  type SummaryRow,
  toHistory,
  toMessage,
  toSummary,
  toUtilisation,
  type UtilisationRow,
} from '../rows.js';
import type {
  HistoryPageQuery,
  HistoryRecord,
  HistorySummary,
  HistoryUsage,
  StoredMessage,
  UtilisationDay,
  VehicleRef,
} from '../store.js';
import { checkCount, checkDay, refParams, toSeconds } from '../values.js';
import { historyKey, uniqueRowChunks } from './multi-row.js';
import { NO_SINCE_S, type SqlContext } from './sql-context.js';
import type { SqlDialect, SqlRunner } from './sql-pool.js';

/** Latest messages, history and utilisation in our own schema (PostgreSQL and MariaDB). */
export function messagesAndHistory(dialect: SqlDialect) {
  const upsertMessage = `INSERT INTO messages (owner_id, vehicle_id, code, payload, time_s, paranoid, ptoken, valid)
    VALUES (?, ?, ?, ?, ?, ?, ?, 1) ${dialect.upsert(
      'owner_id, vehicle_id, code',
      `payload = excluded.payload, time_s = excluded.time_s, paranoid = excluded.paranoid,
       ptoken = excluded.ptoken, valid = 1`,
    )}`;
  const upsertHistory = (
    rows: number,
  ) => `INSERT INTO history (owner_id, vehicle_id, type, recno, ts_s, data, expires_s)
    VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')} ${dialect.upsert(
      'owner_id, vehicle_id, type, ts_s, recno',
      'data = excluded.data, expires_s = excluded.expires_s',
    )}`;
  const historyParams = (h: PreparedHistory) => [
    h.ownerId,
    h.vehicleId,
    h.type,
    h.recno,
    h.timestampS,
    h.data,
    h.expiresS,
  ];
  const upsertUtilisation = `INSERT INTO utilisation (owner_id, vehicle_id, day, car_rx, car_tx, app_rx, app_tx)
    VALUES (?, ?, ?, ?, ?, ?, ?) ${dialect.upsert(
      'owner_id, vehicle_id, day',
      `car_rx = utilisation.car_rx + excluded.car_rx, car_tx = utilisation.car_tx + excluded.car_tx,
       app_rx = utilisation.app_rx + excluded.app_rx, app_tx = utilisation.app_tx + excluded.app_tx`,
    )}`;
  const purgeHistory = dialect.deleteAtMost('history', 'expires_s < ?');

  return {
    /** Upsert of the latest message of its code; a fresh message is always valid again. */
    async writeMessage(tx: SqlRunner, m: PreparedMessage): Promise<void> {
      await tx.query(upsertMessage, [
        m.ownerId,
        m.vehicleId,
        m.code,
        m.payload,
        m.timeS,
        m.paranoid,
        m.ptoken,
      ]);
      await tx.query('UPDATE vehicles SET last_update_s = ? WHERE owner_id = ? AND vehicle_id = ?', [
        m.timeS,
        m.ownerId,
        m.vehicleId,
      ]);
    },
    /** Replay order (WIRE.md §2.5): F, then S, then the other codes in byte order. */
    async getMessages(ctx: SqlContext, ref: VehicleRef): Promise<StoredMessage[]> {
      const { rows } = await ctx.pool.query<MessageRow>(
        `SELECT code, payload, time_s, paranoid, ptoken FROM messages
         WHERE owner_id = ? AND vehicle_id = ? AND valid = 1
         ORDER BY CASE code WHEN 'F' THEN 0 WHEN 'S' THEN 1 ELSE 2 END, code`,
        refParams(ref),
      );
      return rows.map(toMessage);
    },

    /** Same (type, recno, second) overwrites data and expiry, as the reference does. */
    async writeHistory(tx: SqlRunner, h: PreparedHistory): Promise<void> {
      await tx.query(upsertHistory(1), historyParams(h));
    },
    /** A burst of records in multi-row statements (see multi-row.ts). */
    async writeHistoryRows(tx: SqlRunner, records: PreparedHistory[]): Promise<void> {
      for (const chunk of uniqueRowChunks(records, historyKey)) {
        await tx.query(upsertHistory(chunk.length), chunk.flatMap(historyParams));
      }
    },
    /** Command 31; sizes count bytes, like MySQL's LENGTH() in the reference. */
    async historySummary(ctx: SqlContext, ref: VehicleRef, since?: Date): Promise<HistorySummary[]> {
      const sinceS = since === undefined ? NO_SINCE_S : toSeconds(since, 'since');
      const { rows } = await ctx.pool.query<SummaryRow>(
        `SELECT type, COUNT(DISTINCT recno) AS distinct_recnos, COUNT(*) AS total_records,
           SUM(octet_length(type) + octet_length(data) + octet_length(vehicle_id) + 20) AS approx_bytes,
           MIN(ts_s) AS first_s, MAX(ts_s) AS last_s
         FROM history WHERE owner_id = ? AND vehicle_id = ? AND ts_s > ?
         GROUP BY type ORDER BY type`,
        [...refParams(ref), sinceS],
      );
      return rows.map(toSummary);
    },
    /** Command 32 and /api/historical: one page of a type's records, by time then recno. */
    async historyPage(
      ctx: SqlContext,
      ref: VehicleRef,
      type: string,
      query: HistoryPageQuery,
    ): Promise<HistoryRecord[]> {
      const bound = pageBound(query, NO_SINCE_S);
      const { rows } = await ctx.pool.query<HistoryRow>(
        `SELECT type, recno, ts_s, data, expires_s FROM history
         WHERE owner_id = ? AND vehicle_id = ? AND type = ? AND ${pageCondition('ts_s', 'recno')}
         ORDER BY ts_s, recno LIMIT ?`,
        [...refParams(ref), type, ...pageParams(bound, (s) => s), bound.limit],
      );
      return rows.map(toHistory);
    },
    async countHistory(ctx: SqlContext, ref: VehicleRef, type: string, since?: Date): Promise<number> {
      const sinceS = since === undefined ? NO_SINCE_S : toSeconds(since, 'since');
      const { rows } = await ctx.pool.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM history WHERE owner_id = ? AND vehicle_id = ? AND type = ? AND ts_s > ?',
        [...refParams(ref), type, sinceS],
      );
      return Number(rows[0]?.n ?? 0);
    },
    async historyUsage(ctx: SqlContext, ref: VehicleRef): Promise<HistoryUsage> {
      const { rows } = await ctx.pool.query<{ n: number | string; bytes: number | string }>(
        `SELECT COUNT(*) AS n, COALESCE(SUM(octet_length(data)), 0) AS bytes FROM history
         WHERE owner_id = ? AND vehicle_id = ?`,
        refParams(ref),
      );
      return { rows: Number(rows[0]?.n ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
    },
    /** Bounded, so a large backlog is worked off in short statements instead of one long lock. */
    async purgeHistory(ctx: SqlContext, now: Date, limit: number): Promise<number> {
      checkCount(limit, 'limit');
      if (limit === 0) return 0;
      return (await ctx.pool.query(purgeHistory, [toSeconds(now, 'now'), limit])).affected;
    },

    /** Additive: counters collected since the last flush are added to what the day already has. */
    async writeUtilisation(tx: SqlRunner, u: PreparedUtilisation): Promise<void> {
      await tx.query(upsertUtilisation, [u.ownerId, u.vehicleId, u.day, u.carRx, u.carTx, u.appRx, u.appTx]);
    },
    async getUtilisation(ctx: SqlContext, ref: VehicleRef, days: number): Promise<UtilisationDay[]> {
      checkCount(days, 'days');
      const { rows } = await ctx.pool.query<UtilisationRow>(
        `SELECT day, car_rx, car_tx, app_rx, app_tx FROM utilisation
         WHERE owner_id = ? AND vehicle_id = ? ORDER BY day DESC LIMIT ?`,
        [...refParams(ref), days],
      );
      return rows.map(toUtilisation);
    },
    async purgeUtilisation(ctx: SqlContext, beforeDay: string): Promise<number> {
      return (await ctx.pool.query('DELETE FROM utilisation WHERE day < ?', [checkDay(beforeDay)])).affected;
    },
  };
}
