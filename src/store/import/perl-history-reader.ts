import { HISTORY_COLUMNS, type PerlHistoryRow, toHistoryRecord } from '../perl/perl-messages-history.js';
import { UTILISATION_TYPE } from '../perl/perl-values.js';
import type { SqlPool } from '../sql/sql-pool.js';
import type { HistoryRecord, VehicleRef } from '../store.js';

/**
 * Reads a Perl-server database's history for the import in pages, so a table of millions of rows is
 * never held in memory. Pages follow the table's own order (record type, number, time), which the
 * primary key serves (types compared byte-wise, so two types differing in case stay apart); expired rows and utilisation rows (imported separately) are left out.
 */

const LIVE = 'owner = ? AND vehicleid = ? AND h_recordtype <> ? AND h_expires >= ?';

export async function countLiveHistory(pool: SqlPool, now: Date): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT COUNT(*) AS n FROM ovms_historicalmessages WHERE h_recordtype <> ? AND h_expires >= ?',
    [UTILISATION_TYPE, now],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function* liveHistory(
  pool: SqlPool,
  ref: VehicleRef,
  now: Date,
  pageSize = 2000,
): AsyncGenerator<HistoryRecord[]> {
  const base = [ref.ownerId, ref.vehicleId, UTILISATION_TYPE, now];
  let after: [string, number, Date] | undefined;
  for (;;) {
    const { rows } = await pool.query<PerlHistoryRow>(
      `SELECT ${HISTORY_COLUMNS} FROM ovms_historicalmessages
       WHERE ${LIVE} ${
         after
           ? `AND (BINARY h_recordtype > ? OR (BINARY h_recordtype = ? AND (h_recordnumber > ?
                OR (h_recordnumber = ? AND h_timestamp > ?))))`
           : ''
       }
       ORDER BY BINARY h_recordtype, h_recordnumber, h_timestamp LIMIT ?`,
      after ? [...base, after[0], after[0], after[1], after[1], after[2], pageSize] : [...base, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((row) => toHistoryRecord(row, now));
    const last = rows.at(-1)!;
    after = [last.h_recordtype, Number(last.h_recordnumber), last.h_timestamp];
    if (rows.length < pageSize) return;
  }
}
