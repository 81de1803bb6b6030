import { encodeCommand, MAX_COMMAND_CODE } from './messages/command.js';

/**
 * The command catalogue (WIRE.md §4.2, §7.3 and the 2013 guide): what each `C<cmd>` means, which
 * parameters it takes and what kind of reply to expect. Codes not listed here are still valid:
 * vehicles define their own (e.g. 200–210), so builders only check the generic rules for them.
 */

/**
 * How a parameter is checked:
 * - `number`: decimal digits (amps, modes, feature or parameter numbers, PINs, which may start with 0);
 * - `integer`: decimal digits with an optional minus sign;
 * - `flag`: `0` or `1`;
 * - `text`: any text without commas;
 * - `rest`: the last parameter, which takes all remaining text, commas included.
 */
export type ParamType = 'number' | 'integer' | 'flag' | 'text' | 'rest';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly optional?: boolean;
}

/**
 * - `single`: one `c` line;
 * - `multi-line`: `MULTI_LINE_REPLY_LINES` lines from the car (commands 1 and 3);
 * - `server-answered`: the server replies itself with a counted list (30, 31, 32);
 * - `none`: no `c` at all (5: the car sends an empty line and reboots);
 * - `async-follow-up`: an immediate `c` and later an unsolicited one (41: the USSD answer).
 */
export type ReplyShape = 'single' | 'multi-line' | 'server-answered' | 'none' | 'async-follow-up';

export interface CommandSpec {
  readonly code: number;
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly reply: ReplyShape;
}

/** v3 answers commands 1 and 3 with 32 lines (the 2013 guide had 16 features). */
export const MULTI_LINE_REPLY_LINES = 32;

const number = (name: string): ParamSpec => ({ name, type: 'number' });
const pin: ParamSpec = { name: 'pin', type: 'number', optional: true };

function spec(code: number, name: string, reply: ReplyShape, params: readonly ParamSpec[] = []): CommandSpec {
  return { code, name, params, reply };
}

export const COMMANDS: readonly CommandSpec[] = [
  spec(1, 'feature list', 'multi-line'),
  spec(2, 'set feature', 'single', [number('feature'), { name: 'value', type: 'rest' }]),
  spec(3, 'parameter list', 'multi-line'),
  spec(4, 'set parameter', 'single', [number('parameter'), { name: 'value', type: 'rest' }]),
  spec(5, 'reboot', 'none'),
  spec(6, 'charge alert', 'single'),
  spec(7, 'shell command', 'single', [{ name: 'command', type: 'rest' }]),
  spec(10, 'set charge mode', 'single', [number('mode')]),
  spec(11, 'start charge', 'single'),
  spec(12, 'stop charge', 'single'),
  spec(15, 'set charge current', 'single', [number('amps')]),
  spec(16, 'set charge mode and current', 'single', [number('mode'), number('amps')]),
  spec(17, 'set charge timer', 'single', [{ name: 'timermode', type: 'flag' }, number('start')]),
  spec(18, 'wake up car', 'single'),
  spec(19, 'wake up temperature subsystem', 'single'),
  spec(20, 'lock', 'single', [pin]),
  spec(21, 'valet mode on', 'single', [pin]),
  spec(22, 'unlock', 'single', [pin]),
  spec(23, 'valet mode off', 'single', [pin]),
  spec(24, 'homelink', 'single', [{ name: 'button', type: 'integer', optional: true }]),
  spec(25, 'cooldown', 'single'),
  spec(26, 'climate control', 'single', [{ name: 'on', type: 'flag' }]),
  spec(30, 'data usage', 'server-answered'),
  spec(31, 'historical data summary', 'server-answered', [{ name: 'since', type: 'text', optional: true }]),
  spec(32, 'historical data records', 'server-answered', [
    { name: 'type', type: 'text' },
    { name: 'since', type: 'text', optional: true },
  ]),
  spec(40, 'send SMS', 'single', [
    { name: 'number', type: 'text' },
    { name: 'message', type: 'rest' },
  ]),
  spec(41, 'USSD code', 'async-follow-up', [{ name: 'code', type: 'rest' }]),
  spec(49, 'raw modem command', 'single', [{ name: 'at', type: 'rest' }]),
];

const BY_CODE = new Map(COMMANDS.map((command) => [command.code, command]));

export function commandSpec(code: number): CommandSpec | undefined {
  return BY_CODE.get(code);
}

/** The reply to expect; vehicle-specific and unknown commands answer with one line. */
export function replyShape(code: number): ReplyShape {
  return commandSpec(code)?.reply ?? 'single';
}

const PARAM_PATTERNS: Record<Exclude<ParamType, 'rest'>, { pattern: RegExp; expected: string }> = {
  number: { pattern: /^\d+$/, expected: 'digits' },
  integer: { pattern: /^-?\d+$/, expected: 'an integer' },
  flag: { pattern: /^[01]$/, expected: '0 or 1' },
  text: { pattern: /^[^,]*$/, expected: 'text without commas' },
};

function paramText(code: number, index: number, value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new Error(`command ${code}: parameter ${index + 1} is not an integer (${value})`);
    return String(value);
  }
  // A line break would end the protocol line and inject whatever follows as a new message.
  if (/[\r\n]/.test(value)) throw new Error(`command ${code}: parameter ${index + 1} contains a line break`);
  return value;
}

function checkParams(command: CommandSpec, params: readonly string[]): void {
  const { code } = command;
  const last = command.params.at(-1);
  if (params.length > command.params.length && last?.type !== 'rest') {
    throw new Error(`command ${code} (${command.name}) takes at most ${command.params.length} parameter(s)`);
  }
  command.params.forEach((param, index) => {
    const value =
      param.type === 'rest'
        ? index < params.length
          ? params.slice(index).join(',')
          : undefined
        : params[index];
    if (value === undefined) {
      if (param.optional) return;
      throw new Error(`command ${code} (${command.name}) needs parameter ${index + 1} (${param.name})`);
    }
    if (param.type === 'rest') return;
    const rule = PARAM_PATTERNS[param.type];
    if (!rule.pattern.test(value)) {
      throw new Error(
        `command ${code} (${command.name}): ${param.name} must be ${rule.expected}, got ${JSON.stringify(value)}`,
      );
    }
  });
}

/**
 * Builds the line for a command, `C<code>[,<params>]` (the message code included, ready for the
 * `MP-0 ` prefix). Throws an `Error` saying what is wrong when the code is outside 0..65535, a
 * parameter contains a line break, or a known command gets missing, extra or malformed parameters.
 */
export function buildCommand(code: number, params: readonly (string | number)[] = []): string {
  if (!Number.isInteger(code) || code < 0 || code > MAX_COMMAND_CODE) {
    throw new Error(`command code must be an integer 0..${MAX_COMMAND_CODE}, got ${code}`);
  }
  const texts = params.map((value, index) => paramText(code, index, value));
  const command = commandSpec(code);
  if (command !== undefined) checkParams(command, texts);
  return `C${encodeCommand({ command: code, params: texts })}`;
}
