import type { Store, VehicleRef } from '../store/store.js';

/**
 * Commands 30, 31 and 32, which the server answers from stored data (WIRE.md §7.3). Each function
 * returns the `c` payloads to send, in order; list lines count k from 1 to n.
 */

export const SERVER_COMMANDS = new Set([30, 31, 32]);

/** Most history rows one command-32 answer carries (a day of D messages every minute is 1,440). */
export const MAX_HISTORY_ROWS = 100_000;

/** 'YYYY-MM-DD HH:MM:SS' in UTC, the reference's timestamp format. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses a `since` parameter: the same timestamp format (UTC), an ISO date, or epoch seconds. */
export function parseSince(text: string | undefined): Date | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim();
  if (/^\d{9,}$/.test(t)) return new Date(Number(t) * 1000);
  const iso = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export async function answerServerCommand(
  store: Store,
  ref: VehicleRef,
  command: number,
  params: readonly string[],
): Promise<Buffer[]> {
  switch (command) {
    case 30:
      return utilisation(store, ref);
    case 31:
      return historySummary(store, ref, params[0]);
    default:
      return historyRecords(store, ref, params[0], params[1]);
  }
}

async function utilisation(store: Store, ref: VehicleRef): Promise<Buffer[]> {
  const days = await store.getUtilisation(ref, 90);
  if (days.length === 0) return [Buffer.from('30,1,No GPRS utilisation data available')];
  return days.map((d, i) =>
    Buffer.from(`30,0,${i + 1},${days.length},${d.day},${d.carRx},${d.carTx},${d.appRx},${d.appTx}`),
  );
}

async function historySummary(store: Store, ref: VehicleRef, since: string | undefined): Promise<Buffer[]> {
  const rows = await store.historySummary(ref, parseSince(since));
  if (rows.length === 0) return [Buffer.from('31,1,No historical data available')];
  return rows.map((r, i) =>
    Buffer.from(
      `31,0,${i + 1},${rows.length},${r.type},${r.distinctRecnos},${r.totalRecords},${r.approxBytes},` +
        `${formatTimestamp(r.first)},${formatTimestamp(r.last)}`,
    ),
  );
}

async function historyRecords(
  store: Store,
  ref: VehicleRef,
  type: string | undefined,
  since: string | undefined,
): Promise<Buffer[]> {
  if (!type) return [Buffer.from('32,1,No historical data available')];
  const rows = await store.historyRecords(ref, type, parseSince(since), MAX_HISTORY_ROWS);
  if (rows.length === 0) return [Buffer.from('32,1,No historical data available')];
  return rows.map((r, i) =>
    Buffer.concat([
      Buffer.from(`32,0,${i + 1},${rows.length},${r.type},${formatTimestamp(r.timestamp)},${r.recno},`),
      r.data,
    ]),
  );
}
