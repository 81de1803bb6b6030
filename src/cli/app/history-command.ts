import type { CommandResponse } from '../../client/command-queue.js';
import { CliError, type ConnectionFlags, parseClientType, usageError, withClient } from './connection.js';
import {
  formatHistoryRecords,
  formatHistorySummary,
  formatUsage,
  historyRecordRows,
  historySummaryRows,
  parseSince,
  usageRows,
} from './reply-format.js';

export interface ListFlags extends ConnectionFlags {
  type?: string;
  json?: boolean;
  since?: string;
}

/** Runs one of the server-answered commands 30, 31, 32. */
async function serverList(flags: ListFlags, code: 30 | 31 | 32, params: string[]): Promise<CommandResponse> {
  return withClient(
    flags,
    parseClientType(flags.type),
    () => {},
    async (client) => {
      try {
        return await client.command(code, params, { timeoutMs: 30_000 });
      } catch (err) {
        throw new CliError(`no reply to command ${code}: ${(err as Error).message}`);
      }
    },
  );
}

/**
 * Prints the rows, or the server's "no data" text; an empty history is not an error. JSON output
 * is always an array, empty when there is no data.
 */
function printRows<R>(
  flags: ListFlags,
  r: CommandResponse,
  rows: (r: CommandResponse) => R[],
  text: (rows: R[]) => string,
) {
  if (r.result !== 0) {
    if (flags.json) process.stdout.write('[]\n');
    else process.stdout.write(`${r.lines.at(-1)?.text || 'no data'}\n`);
    return;
  }
  const list = rows(r);
  process.stdout.write(flags.json ? `${JSON.stringify(list)}\n` : `${text(list)}\n`);
}

function since(flags: ListFlags): string[] {
  if (flags.since === undefined) return [];
  try {
    return [parseSince(flags.since, Date.now())];
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

/** `history` → command 31 summary per type; `history TYPE` → command 32 rows of that type. */
export async function runHistory(recordType: string | undefined, flags: ListFlags): Promise<void> {
  const after = since(flags);
  if (recordType === undefined) {
    const r = await serverList(flags, 31, after);
    printRows(flags, r, (x) => historySummaryRows(x.lines), formatHistorySummary);
  } else {
    if (recordType.includes(',')) throw usageError('a history type cannot contain a comma');
    const r = await serverList(flags, 32, [recordType, ...after]);
    printRows(flags, r, (x) => historyRecordRows(x.lines), formatHistoryRecords);
  }
}

/** `usage` → command 30, bytes per day. */
export async function runUsage(flags: ListFlags): Promise<void> {
  const r = await serverList(flags, 30, []);
  printRows(flags, r, (x) => usageRows(x.lines), formatUsage);
}
