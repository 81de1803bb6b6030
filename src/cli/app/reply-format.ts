import type { CommandResponse } from '../../client/command-queue.js';
import { commandSpec } from '../../protocol/commands.js';
import type { CommandResponseMessage } from '../../protocol/messages/index.js';
import { mpDecodeForDisplay } from '../../protocol/mp-encoding.js';
import { commandLabel, resultText } from './format.js';

/**
 * Command replies as text and JSON (`ovms app cmd`), and the server-answered lists of commands
 * 30, 31 and 32 (WIRE.md §7.3) as tables (`ovms app usage`, `ovms app history`). Pure.
 */

/** A plain text table: each column padded to its widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface FormattedReply {
  ok: boolean;
  /** For a failure, the one-line message (the car's text); otherwise the lines to print. */
  text: string;
}

/** Free-text replies (7, 41) are MP-encoded by the car: show their CRs as line breaks. */
function replyText(line: CommandResponseMessage): string {
  return line.command === 7 || line.command === 41 ? mpDecodeForDisplay(line.text) : line.text;
}

export function formatReply(
  code: number,
  response: Pick<CommandResponse, 'result' | 'lines'>,
): FormattedReply {
  const label = commandLabel(code);
  const last = response.lines.at(-1);
  if (response.result !== 0) {
    const reason = last?.text ? `: ${last.text}` : '';
    return { ok: false, text: `${label} ${resultText(response.result)}${reason}` };
  }
  if (response.lines.length === 0) return { ok: true, text: `${label}: sent, no reply expected` };
  if (code === 1 || code === 3) {
    const column = code === 1 ? 'feature' : 'parameter';
    return {
      ok: true,
      text: table(
        [column, 'value'],
        response.lines.map((l) => [l.params[0] ?? '', l.params.slice(2).join(',')]),
      ),
    };
  }
  if (code === 7) return { ok: true, text: replyText(response.lines[0]!) };
  return {
    ok: true,
    text: response.lines.map((l) => `${label}: OK${l.text ? `: ${replyText(l)}` : ''}`).join('\n'),
  };
}

export function replyJson(
  code: number,
  response: Pick<CommandResponse, 'result' | 'lines'>,
): Record<string, unknown> {
  return {
    command: code,
    name: commandSpec(code)?.name,
    result: response.result,
    ok: response.result === 0,
    lines: response.lines.map((l) => ({ result: l.result, params: l.params, text: replyText(l) })),
  };
}

/** `c30,0,<k>,<n>,<date>,<car rx>,<car tx>,<app rx>,<app tx>` → one object per day. */
export function usageRows(lines: readonly CommandResponseMessage[]) {
  return lines
    .filter((l) => l.result === 0)
    .map((l) => {
      const [, , date = '', carRx, carTx, appRx, appTx] = l.params;
      return {
        date,
        carReceived: Number(carRx),
        carSent: Number(carTx),
        appsReceived: Number(appRx),
        appsSent: Number(appTx),
      };
    });
}

export function formatUsage(rows: ReturnType<typeof usageRows>): string {
  return table(
    ['date', 'car rx', 'car tx', 'apps rx', 'apps tx'],
    rows.map((r) => [r.date, r.carReceived, r.carSent, r.appsReceived, r.appsSent]),
  );
}

/** `c31,0,<k>,<n>,<type>,<recnos>,<rows>,<bytes>,<first>,<last>` → one object per type. */
export function historySummaryRows(lines: readonly CommandResponseMessage[]) {
  return lines
    .filter((l) => l.result === 0)
    .map((l) => {
      const [, , type = '', recnos, rows, bytes, first = '', last = ''] = l.params;
      return { type, records: Number(recnos), rows: Number(rows), bytes: Number(bytes), first, last };
    });
}

export function formatHistorySummary(rows: ReturnType<typeof historySummaryRows>): string {
  return table(
    ['type', 'records', 'rows', 'bytes', 'first', 'last'],
    rows.map((r) => [r.type, r.records, r.rows, r.bytes, r.first, r.last]),
  );
}

/** `c32,0,<k>,<n>,<type>,<ts>,<recno>,<data>` → one object per row; data keeps its commas. */
export function historyRecordRows(lines: readonly CommandResponseMessage[]) {
  return lines
    .filter((l) => l.result === 0)
    .map((l) => {
      const [, , type = '', time = '', recno, ...data] = l.params;
      return { type, time, recno: Number(recno), data: data.join(',') };
    });
}

export function formatHistoryRecords(rows: ReturnType<typeof historyRecordRows>): string {
  return table(
    ['time (UTC)', 'recno', 'data'],
    rows.map((r) => [r.time, r.recno, r.data]),
  );
}

/**
 * `--since`: a relative age (`30m`, `12h`, `7d`) or a date the server understands
 * (`YYYY-MM-DD[ HH:MM[:SS]]`, UTC), returned in the server's `YYYY-MM-DD HH:MM:SS` form.
 */
export function parseSince(text: string, nowMs: number): string {
  const rel = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(nowMs - Number(rel[1]) * unit * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }
  const abs = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?Z?$/.exec(text.trim());
  if (!abs) throw new Error(`invalid --since "${text}": use e.g. 2h, 7d or "2026-09-01 12:00:00"`);
  const time = abs[2] ?? '00:00:00';
  return `${abs[1]} ${time.length === 5 ? `${time}:00` : time}`;
}
