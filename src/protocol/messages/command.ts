import { type InvalidMessage, invalidMessage } from './invalid.js';
import { parseCanonicalInt, parseCanonicalUint, splitHead } from './parse.js';

/**
 * Commands `C<cmd>[,<params>]` and responses `c<cmd>,<result>[,<params>]` (WIRE.md §4.1). The
 * command catalogue itself (names, parameters, reply shapes) is in `../commands.ts`.
 */

/** The guide defines command codes as 0..65535. */
export const MAX_COMMAND_CODE = 65535;

export interface Command {
  readonly code: 'C';
  readonly kind: 'command';
  readonly command: number;
  /**
   * The comma-separated parameters. A trailing comma is an empty last parameter, so `C7,` has
   * `['']` and `C7` has `[]`; `encode` relies on this to give back the exact payload.
   */
  readonly params: readonly string[];
  /** Everything after `<cmd>,` (for free-text commands such as 7 this is the whole text). */
  readonly rawParams: string;
}

/** Result codes: 0 ok, 1 failed (text follows), 2 unsupported, 3 unimplemented (v3 uses 0–2). */
export type CommandResult = 0 | 1 | 2 | 3 | (number & {});

export interface CommandResponse {
  readonly code: 'c';
  readonly kind: 'command-response';
  readonly command: number;
  readonly result: CommandResult;
  /** Fields after the result; v3 often ends with an empty one (`c2,0,` has `['']`). */
  readonly params: readonly string[];
  /** Everything after `<cmd>,<result>,`: the message text of a failure or a free-text reply. */
  readonly text: string;
}

/** Alias of `CommandResponse`, for readers who think of it as one message. */
export type CommandResponseMessage = CommandResponse;

function parseCommandNumber(text: string | undefined): number | undefined {
  const value = parseCanonicalUint(text);
  return value !== undefined && value <= MAX_COMMAND_CODE ? value : undefined;
}

export function decodeCommand(payload: string): Command | InvalidMessage<'C'> {
  const [commandText, rawParams] = splitHead(payload, 1);
  const command = parseCommandNumber(commandText);
  if (command === undefined) {
    return invalidMessage(
      'C',
      `command is not a number 0..${MAX_COMMAND_CODE} (${JSON.stringify(commandText)})`,
      payload,
    );
  }
  return {
    code: 'C',
    kind: 'command',
    command,
    params: rawParams === undefined ? [] : rawParams.split(','),
    rawParams: rawParams ?? '',
  };
}

export function encodeCommand(command: Pick<Command, 'command' | 'params'>): string {
  return command.params.length === 0
    ? String(command.command)
    : `${command.command},${command.params.join(',')}`;
}

export function decodeCommandResponse(payload: string): CommandResponse | InvalidMessage<'c'> {
  const [commandText, resultText, text] = splitHead(payload, 2);
  const command = parseCommandNumber(commandText);
  if (command === undefined) {
    return invalidMessage(
      'c',
      `command is not a number 0..${MAX_COMMAND_CODE} (${JSON.stringify(commandText)})`,
      payload,
    );
  }
  const result = parseCanonicalUint(resultText);
  if (result === undefined)
    return invalidMessage('c', `result is not a number (${JSON.stringify(resultText)})`, payload);
  return {
    code: 'c',
    kind: 'command-response',
    command,
    result,
    params: text === undefined ? [] : text.split(','),
    text: text ?? '',
  };
}

export function encodeCommandResponse(
  response: Pick<CommandResponse, 'command' | 'result' | 'params'>,
): string {
  const head = `${response.command},${response.result}`;
  return response.params.length === 0 ? head : `${head},${response.params.join(',')}`;
}

/** Builds a response object, e.g. the server's own `c30,0,<k>,<n>,…` lines. */
export function commandResponse(
  command: number,
  result: CommandResult,
  params: readonly string[] = [],
): CommandResponse {
  return { code: 'c', kind: 'command-response', command, result, params, text: params.join(',') };
}

/**
 * Whether this response line ends the reply to its command, i.e. whether the requester can be
 * taken off the car's command queue (WIRE.md §4.3, §7.3):
 * - any result other than 0 ends it;
 * - commands 1 and 3 (from the car) send `c<cmd>,0,<n>,<max>,<value>` with n counting from 0, so
 *   the last line has n = max − 1;
 * - commands 30, 31 and 32 (answered by the server) send `c<cmd>,0,<k>,<n>,…` with k counting
 *   from 1, so the last line has k = n;
 * - every other command has a single response line.
 * A multi-line response whose counters are not numbers is treated as ended, so that a garbled line
 * cannot leave the requester queued for ever.
 */
export function isFinalResponseLine(
  response: Pick<CommandResponse, 'command' | 'result' | 'params'>,
): boolean {
  if (response.result !== 0) return true;
  const { command, params } = response;
  const index = parseCanonicalInt(params[0]);
  const count = parseCanonicalInt(params[1]);
  if (command === 1 || command === 3) {
    return index === undefined || count === undefined || index >= count - 1;
  }
  if (command === 30 || command === 31 || command === 32) {
    return index === undefined || count === undefined || index >= count;
  }
  return true;
}
