import type { FastifyReply } from 'fastify';
import { type CommandResponse, decodeCommandResponse } from '../protocol/messages/index.js';
import { splitHead } from '../protocol/messages/parse.js';
import { CommandError } from '../server/server-requests.js';
import type { VehicleRef } from '../store/store.js';
import type { ApiContext } from './context.js';
import { sendText, TEXT } from './text.js';

export type CarAnswer = { ok: true; lines: CommandResponse[] } | { ok: false; status: number; text: string };

/**
 * Sends `C<code>,<params>` to the car and collects its `c` reply lines. Failures map to HTTP:
 * 409 car not connected, 504 no answer within `http.command_timeout` (or `timeoutMs`), 400 a command
 * too long for the car, 502 a reply that is not a command response, 503 too many commands already
 * awaiting the car's reply (`limits.max_pending_commands_per_app` / `_per_car`). Home Assistant's
 * commands (src/integrations/home-assistant) take the same path.
 */
export async function askCar(
  ctx: Pick<ApiContext, 'hub' | 'config'>,
  ref: VehicleRef,
  code: number,
  params: readonly string[],
  timeoutMs = ctx.config.http.commandTimeout,
): Promise<CarAnswer> {
  let raw: Buffer[];
  try {
    raw = await ctx.hub.command(ref, code, params, timeoutMs);
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    if (err.reason === 'offline') return { ok: false, status: 409, text: TEXT.offline };
    if (err.reason === 'timeout') return { ok: false, status: 504, text: TEXT.timeout };
    if (err.reason === 'busy') return { ok: false, status: 503, text: TEXT.busy };
    return { ok: false, status: 400, text: 'Bad request: command too long for the car' };
  }
  const lines: CommandResponse[] = [];
  for (const line of raw) {
    const decoded = decodeCommandResponse(line.toString('utf8'));
    if (decoded.kind !== 'command-response')
      return { ok: false, status: 502, text: 'Invalid reply from the car' };
    lines.push(decoded);
  }
  return { ok: true, lines };
}

/**
 * The control routes' reply: 200 with `build(lines)` when the car says ok (result 0); 502 with the
 * car's text when it reports a failure (1); 501 when it does not support the command (2, 3).
 */
export async function replyFromCar<T>(
  reply: FastifyReply,
  answer: CarAnswer,
  build: (lines: CommandResponse[]) => T,
): Promise<FastifyReply | T> {
  if (!answer.ok) return sendText(reply, answer.status, answer.text);
  const last = answer.lines.at(-1);
  if (!last) return sendText(reply, 502, 'Empty reply from the car');
  if (last.result === 1)
    return sendText(reply, 502, last.text.replace(/[\r\n]+/g, ' ').trim() || 'Command failed');
  if (last.result !== 0) return sendText(reply, 501, 'Command not supported by the vehicle');
  return build(answer.lines);
}

/** A single-line reply as JSON. */
export function singleReply(lines: CommandResponse[]) {
  const last = lines.at(-1)!;
  return { command: last.command, result: last.result, text: last.text, params: [...last.params] };
}

/** The values of a multi-line list reply (`c1,0,<n>,<count>,<value>`), indexed by n. */
export function listValues(lines: CommandResponse[]): string[] {
  const values: string[] = [];
  for (const line of lines) {
    const [nText, countText, value] = splitHead(line.text, 2);
    const n = Number(nText);
    const count = Number(countText);
    if (Number.isInteger(count) && count > values.length && count <= 1024) {
      while (values.length < count) values.push('');
    }
    if (Number.isInteger(n) && n >= 0 && n < values.length) values[n] = value ?? '';
  }
  return values;
}
