import { historyPages } from '../store/history-reader.js';
import type { HistoryRecord, Store, VehicleRef } from '../store/store.js';

/**
 * Commands 30, 31 and 32, which the server answers from stored data (WIRE.md §7.3). Each answer is
 * the `c` payloads to send, in order, produced as they are sent: command 32 reads its records a page
 * at a time, so an answer of any length is never held whole. List lines count k from 1 to n.
 */

export const SERVER_COMMANDS = new Set([30, 31, 32]);

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

/** The answer's `c` payloads, one at a time. */
export function serverCommandLines(
  store: Store,
  ref: VehicleRef,
  command: number,
  params: readonly string[],
): AsyncIterable<Buffer> {
  switch (command) {
    case 30:
      return utilisation(store, ref);
    case 31:
      return historySummary(store, ref, params[0]);
    default:
      return historyRecords(store, ref, params[0], params[1]);
  }
}

/**
 * The answer collected for a caller that needs it whole (the HTTP API's POST /api/command): it stops
 * after the line that reaches `maxBytes`, so the last line's k is below its n when it was cut short.
 */
export async function answerServerCommand(
  store: Store,
  ref: VehicleRef,
  command: number,
  params: readonly string[],
  maxBytes: number,
): Promise<Buffer[]> {
  const lines: Buffer[] = [];
  let bytes = 0;
  for await (const line of serverCommandLines(store, ref, command, params)) {
    lines.push(line);
    bytes += line.length;
    if (bytes >= maxBytes) break;
  }
  return lines;
}

async function* utilisation(store: Store, ref: VehicleRef): AsyncGenerator<Buffer> {
  const days = await store.getUtilisation(ref, 90);
  if (days.length === 0) yield Buffer.from('30,1,No GPRS utilisation data available');
  for (const [i, d] of days.entries())
    yield Buffer.from(`30,0,${i + 1},${days.length},${d.day},${d.carRx},${d.carTx},${d.appRx},${d.appTx}`);
}

async function* historySummary(
  store: Store,
  ref: VehicleRef,
  since: string | undefined,
): AsyncGenerator<Buffer> {
  const rows = await store.historySummary(ref, parseSince(since));
  if (rows.length === 0) yield Buffer.from('31,1,No historical data available');
  for (const [i, r] of rows.entries())
    yield Buffer.from(
      `31,0,${i + 1},${rows.length},${r.type},${r.distinctRecnos},${r.totalRecords},${r.approxBytes},` +
        `${formatTimestamp(r.first)},${formatTimestamp(r.last)}`,
    );
}

const NO_HISTORY = '32,1,No historical data available';

function recordLine(k: number, n: number, r: HistoryRecord): Buffer {
  return Buffer.concat([
    Buffer.from(`32,0,${k},${n},${r.type},${formatTimestamp(r.timestamp)},${r.recno},`),
    r.data,
  ]);
}

/**
 * n is counted first, then the records are read page by page. Records that arrive meanwhile do not
 * stretch the answer past n; records purged meanwhile cannot leave it without its last line: each
 * record goes out only once the next one is known, and the last one sent is always numbered n.
 */
async function* historyRecords(
  store: Store,
  ref: VehicleRef,
  type: string | undefined,
  since: string | undefined,
): AsyncGenerator<Buffer> {
  if (!type) {
    yield Buffer.from(NO_HISTORY);
    return;
  }
  const after = parseSince(since);
  const total = await store.countHistory(ref, type, after);
  let sent = 0;
  let held: HistoryRecord | undefined;
  if (total > 0) {
    pages: for await (const page of historyPages(store, ref, type, after)) {
      for (const record of page) {
        if (held) yield recordLine(++sent, total, held);
        held = record;
        if (sent === total - 1) break pages;
      }
    }
  }
  yield held ? recordLine(total, total, held) : Buffer.from(NO_HISTORY);
}
