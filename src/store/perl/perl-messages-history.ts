import { pageBound, pageCondition, pageParams } from '../history-page.js';
import type { PreparedHistory, PreparedMessage, PreparedUtilisation } from '../prepared-writes.js';
import { historyKey, uniqueRowChunks } from '../sql/multi-row.js';
import type { SqlContext } from '../sql/sql-context.js';
import type { SqlRunner } from '../sql/sql-pool.js';
import type {
  HistoryPageQuery,
  HistoryRecord,
  HistorySummary,
  HistoryUsage,
  StoredMessage,
  UtilisationDay,
  VehicleRef,
} from '../store.js';
import { checkCount, checkDay, refParams } from '../values.js';
import { messageText, perlTime, UTILISATION_TYPE, wholeSeconds } from './perl-values.js';

/**
 * Latest messages (`ovms_carmessages`) and history (`ovms_historicalmessages`, which also holds the
 * per-day utilisation as `*-OVM-Utilisation` records 0..3) of a Perl-server database, written the way
 * the reference writes them.
 */

interface CarMessageRow {
  m_code: string;
  m_msg: string;
  m_msgtime: Date | null;
  m_paranoid: number;
  m_ptoken: string;
}

/** The columns of `ovms_historicalmessages` a record is read from (HISTORY_COLUMNS). */
export interface PerlHistoryRow {
  h_recordtype: string;
  h_recordnumber: number;
  h_timestamp: Date;
  h_data: string;
  h_expires: Date | null;
}

export const HISTORY_COLUMNS = 'h_recordtype, h_recordnumber, h_timestamp, h_data, h_expires';

/** A row as a record; an unset expiry (zero date) reads as `unsetExpiry`. */
export function toHistoryRecord(row: PerlHistoryRow, unsetExpiry = new Date(0)): HistoryRecord {
  return {
    type: row.h_recordtype,
    recno: Number(row.h_recordnumber),
    timestamp: row.h_timestamp,
    data: Buffer.from(row.h_data, 'utf8'),
    expires: perlTime(row.h_expires) ?? unsetExpiry,
  };
}

interface SummaryRow {
  type: string;
  distinct_recnos: number;
  total_records: number;
  approx_bytes: number;
  first: Date;
  last: Date;
}

interface UtilisationRow {
  day: string;
  h_recordnumber: number;
  h_data: string;
}

/** The lowest datetime MariaDB stores: "no lower bound" for `since`. */
const EARLIEST = new Date('1000-01-01T00:00:00Z');
const EARLIEST_S = EARLIEST.getTime() / 1000;

/** The reference keeps utilisation a year (v2); our own purge (purgeUtilisation) goes by day. */
const UTILISATION_LIFETIME_MS = 366 * 86_400_000;

function dayStart(day: string): Date {
  return new Date(`${checkDay(day)}T00:00:00Z`);
}

async function writeHistoryRows(tx: SqlRunner, records: PreparedHistory[]): Promise<void> {
  for (const chunk of uniqueRowChunks(records, historyKey)) {
    await tx.query(
      `INSERT INTO ovms_historicalmessages
         (owner, vehicleid, h_timestamp, h_recordtype, h_recordnumber, h_data, h_expires)
       VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
       ON DUPLICATE KEY UPDATE h_data = VALUES(h_data), h_expires = VALUES(h_expires)`,
      chunk.flatMap((h) => [
        h.ownerId,
        h.vehicleId,
        wholeSeconds(h.timestampS),
        h.type,
        h.recno,
        h.data.toString('utf8'),
        wholeSeconds(h.expiresS),
      ]),
    );
  }
}

export const perlMessagesAndHistory = {
  async writeMessage(tx: SqlRunner, m: PreparedMessage): Promise<void> {
    const time = wholeSeconds(m.timeS);
    await tx.query(
      `INSERT INTO ovms_carmessages (owner, vehicleid, m_code, m_valid, m_msgtime, m_paranoid, m_ptoken, m_msg)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE m_valid = 1, m_msgtime = VALUES(m_msgtime), m_paranoid = VALUES(m_paranoid),
         m_ptoken = VALUES(m_ptoken), m_msg = VALUES(m_msg)`,
      [m.ownerId, m.vehicleId, m.code, time, m.paranoid, m.ptoken, messageText(m.payload)],
    );
    await tx.query('UPDATE ovms_cars SET v_lastupdate = ? WHERE owner = ? AND vehicleid = ?', [
      time,
      m.ownerId,
      m.vehicleId,
    ]);
  },
  /** Replay order F, S, then the others; BINARY so the order is by byte, not by the utf8 collation. */
  async getMessages(ctx: SqlContext, ref: VehicleRef): Promise<StoredMessage[]> {
    const { rows } = await ctx.pool.query<CarMessageRow>(
      `SELECT m_code, m_msg, m_msgtime, m_paranoid, m_ptoken FROM ovms_carmessages
       WHERE owner = ? AND vehicleid = ? AND m_valid = 1
       ORDER BY CASE BINARY m_code WHEN 'F' THEN 0 WHEN 'S' THEN 1 ELSE 2 END, BINARY m_code`,
      refParams(ref),
    );
    return rows.map((row) => ({
      code: row.m_code,
      payload: Buffer.from(row.m_msg, 'utf8'),
      time: perlTime(row.m_msgtime) ?? new Date(0),
      paranoid: Number(row.m_paranoid) === 1,
      ptoken: row.m_ptoken,
    }));
  },

  writeHistory: (tx: SqlRunner, h: PreparedHistory): Promise<void> => writeHistoryRows(tx, [h]),
  writeHistoryRows,
  /** Command 31, with the reference's own size estimate. */
  async historySummary(ctx: SqlContext, ref: VehicleRef, since?: Date): Promise<HistorySummary[]> {
    const { rows } = await ctx.pool.query<SummaryRow>(
      `SELECT h_recordtype AS type, COUNT(DISTINCT h_recordnumber) AS distinct_recnos, COUNT(*) AS total_records,
         SUM(LENGTH(h_recordtype) + LENGTH(h_data) + LENGTH(vehicleid) + 20) AS approx_bytes,
         MIN(h_timestamp) AS first, MAX(h_timestamp) AS last
       FROM ovms_historicalmessages WHERE owner = ? AND vehicleid = ? AND h_timestamp > ?
       GROUP BY h_recordtype ORDER BY BINARY h_recordtype`,
      [...refParams(ref), since ?? EARLIEST],
    );
    return rows.map((row) => ({
      type: row.type,
      distinctRecnos: Number(row.distinct_recnos),
      totalRecords: Number(row.total_records),
      approxBytes: Number(row.approx_bytes),
      first: row.first,
      last: row.last,
    }));
  },
  /** The primary key leads with the record number, so each page sorts the type's rows (no index of ours here). */
  async historyPage(
    ctx: SqlContext,
    ref: VehicleRef,
    type: string,
    query: HistoryPageQuery,
  ): Promise<HistoryRecord[]> {
    const bound = pageBound(query, EARLIEST_S);
    const { rows } = await ctx.pool.query<PerlHistoryRow>(
      `SELECT ${HISTORY_COLUMNS} FROM ovms_historicalmessages
       WHERE owner = ? AND vehicleid = ? AND h_recordtype = ? AND ${pageCondition('h_timestamp', 'h_recordnumber')}
       ORDER BY h_timestamp, h_recordnumber LIMIT ?`,
      [...refParams(ref), type, ...pageParams(bound, (s) => new Date(s * 1000)), bound.limit],
    );
    return rows.map((row) => toHistoryRecord(row));
  },
  async countHistory(ctx: SqlContext, ref: VehicleRef, type: string, since?: Date): Promise<number> {
    const { rows } = await ctx.pool.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ovms_historicalmessages
       WHERE owner = ? AND vehicleid = ? AND h_recordtype = ? AND h_timestamp > ?`,
      [...refParams(ref), type, since ?? EARLIEST],
    );
    return Number(rows[0]?.n ?? 0);
  },
  async historyUsage(ctx: SqlContext, ref: VehicleRef): Promise<HistoryUsage> {
    const { rows } = await ctx.pool.query<{ n: number | string; bytes: number | string | null }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(h_data)), 0) AS bytes FROM ovms_historicalmessages
       WHERE owner = ? AND vehicleid = ?`,
      refParams(ref),
    );
    return { rows: Number(rows[0]?.n ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
  },
  async purgeHistory(ctx: SqlContext, now: Date, limit: number): Promise<number> {
    checkCount(limit, 'limit');
    if (limit === 0) return 0;
    const { affected } = await ctx.pool.query(
      'DELETE FROM ovms_historicalmessages WHERE h_expires < ? LIMIT ?',
      [now, limit],
    );
    return affected;
  },

  /** Adds to the day's records 0..3 (car rx, car tx, app rx, app tx), as the reference does. */
  async writeUtilisation(tx: SqlRunner, u: PreparedUtilisation): Promise<void> {
    const day = dayStart(u.day);
    const expires = new Date(day.getTime() + UTILISATION_LIFETIME_MS);
    for (const [recno, value] of [u.carRx, u.carTx, u.appRx, u.appTx].entries()) {
      await tx.query(
        `INSERT INTO ovms_historicalmessages
           (owner, vehicleid, h_timestamp, h_recordtype, h_recordnumber, h_data, h_expires)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE h_data = CAST(h_data AS UNSIGNED) + CAST(VALUES(h_data) AS UNSIGNED),
           h_expires = GREATEST(h_expires, VALUES(h_expires))`,
        [u.ownerId, u.vehicleId, day, UTILISATION_TYPE, recno, String(value), expires],
      );
    }
  },
  async getUtilisation(ctx: SqlContext, ref: VehicleRef, days: number): Promise<UtilisationDay[]> {
    checkCount(days, 'days');
    const { rows } = await ctx.pool.query<UtilisationRow>(
      `SELECT DATE_FORMAT(h_timestamp, '%Y-%m-%d') AS day, h_recordnumber, h_data FROM ovms_historicalmessages
       WHERE owner = ? AND vehicleid = ? AND h_recordtype = ? AND h_recordnumber BETWEEN 0 AND 3
       ORDER BY h_timestamp DESC, h_recordnumber LIMIT ?`,
      [...refParams(ref), UTILISATION_TYPE, days * 4],
    );
    const byDay = new Map<string, UtilisationDay>();
    for (const row of rows) {
      let entry = byDay.get(row.day);
      if (!entry) {
        entry = { day: row.day, carRx: 0, carTx: 0, appRx: 0, appTx: 0 };
        byDay.set(row.day, entry);
      }
      const field = (['carRx', 'carTx', 'appRx', 'appTx'] as const)[Number(row.h_recordnumber)];
      if (field) entry[field] = Number.parseInt(row.h_data, 10) || 0;
    }
    return [...byDay.values()].slice(0, days);
  },
  async purgeUtilisation(ctx: SqlContext, beforeDay: string): Promise<number> {
    const { affected } = await ctx.pool.query(
      'DELETE FROM ovms_historicalmessages WHERE h_recordtype = ? AND h_timestamp < ?',
      [UTILISATION_TYPE, dayStart(beforeDay)],
    );
    return affected;
  },
};
