import { commandResponse, encodeCommandResponse } from '../messages/command.js';
import { mpEncode } from '../mp-encoding.js';
import { CHARGE_MODE_KEYS } from './v2-field-map.js';

/**
 * v2 commands (`C<n>,<params>`) for a v3 module (V3.md §6): which shell line(s) to publish on
 * `client/<cid>/command/<id>`, and how to turn the shell output that comes back on
 * `client/<cid>/response/<id>` into the `c` reply the app expects. Parameters are checked here so
 * that nothing an app sends can add a second shell command or extra arguments.
 */

/** What a v2 command looks like after `decodeCommand` (`../messages/command.ts`). */
export interface V2CommandInput {
  readonly command: number;
  readonly params: readonly string[];
  /** Everything after `<n>,`; used by the free-text commands 7, 41 and 49. Defaults to params joined. */
  readonly rawParams?: string;
}

export interface TranslateOptions {
  /** `v.type` of the vehicle: the Twizy (`RT`) gives 20–24 other meanings (§6.4), so they are refused. */
  readonly vehicleType?: string;
}

/**
 * How the shell output becomes the `c` reply:
 * - `result`: `c<n>,0`, or `c<n>,1` when any step failed (§6.2 rule, `shellFailed`);
 * - `always-ok`: `c<n>,0` whatever the output (6);
 * - `output`: `c<n>,0,<mp(output)>`, always 0 (7);
 * - `config-set`: `c<n>,0,` or `c<n>,1,<first line>` (2, 4);
 * - `script-bool`: 0 when the script printed `true` (17);
 * - `ussd`: `c41,0`, or `c41,1,<text>` when the output holds `ERROR` (41);
 * - `modem`: `c49,0,<output>`, `c49,1,<output>` on `ERROR`, `c49,1,Timeout/no response` when empty;
 * - `none`: no reply at all (5, reboot).
 */
export type ShellReply =
  | 'result'
  | 'always-ok'
  | 'output'
  | 'config-set'
  | 'script-bool'
  | 'ussd'
  | 'modem'
  | 'none';

/** One key of the 32-line answers to 1 (features) and 3 (parameters). */
export interface ConfigListEntry {
  readonly key: number;
  /** The module config to read with `request/config`; `undefined` for keys without one. */
  readonly config?: { readonly param: string; readonly instance: string };
  /** The value for a key without config, or an empty config value. */
  readonly fallback: string;
}

export type CommandTranslation =
  /** Publish `lines` one by one; stop at the first whose output fails (`shellFailed`). */
  | {
      readonly kind: 'shell';
      readonly command: number;
      readonly lines: readonly string[];
      readonly reply: ShellReply;
    }
  /** Read `entries` with `request/config`, then answer with `configListReplies`. */
  | { readonly kind: 'config-list'; readonly command: 1 | 3; readonly entries: readonly ConfigListEntry[] }
  /** Answered at once without the module (e.g. a missing PIN); `reason` says why. */
  | {
      readonly kind: 'reply';
      readonly command: number;
      readonly lines: readonly string[];
      readonly reason: string;
    }
  /** No v3 equivalent: answer `c<n>,2`. */
  | {
      readonly kind: 'unsupported';
      readonly command: number;
      readonly lines: readonly string[];
      readonly reason: string;
    }
  /** 30, 31, 32: answered by the server from its own data (WIRE §7.3), never sent to the module. */
  | { readonly kind: 'server'; readonly command: number };

/** Commands the server answers itself. */
export const SERVER_SIDE_COMMANDS: readonly number[] = [30, 31, 32];

export function isServerSideCommand(code: number): boolean {
  return SERVER_SIDE_COMMANDS.includes(code);
}

/** The module's shell line limit (§6.1). */
export const MAX_SHELL_LINE = 800;

/** The line `c<n>,<result>[,<params>]` (without the `MP-0 ` prefix). */
export function replyLine(command: number, result: number, params: readonly string[] = []): string {
  return `c${encodeCommandResponse(commandResponse(command, result, params))}`;
}

function reply(
  command: number,
  reason: string,
  result = 1,
  params: readonly string[] = [],
): CommandTranslation {
  return { kind: 'reply', command, lines: [replyLine(command, result, params)], reason };
}

function unsupported(command: number, reason: string): CommandTranslation {
  return { kind: 'unsupported', command, lines: [replyLine(command, 2)], reason };
}

function shell(command: number, reply: ShellReply, ...lines: string[]): CommandTranslation {
  const long = lines.find((line) => line.length > MAX_SHELL_LINE);
  if (long !== undefined) {
    return replyWithText(command, `Command longer than ${MAX_SHELL_LINE} characters`);
  }
  return { kind: 'shell', command, lines, reply };
}

function replyWithText(command: number, text: string): CommandTranslation {
  return reply(command, text, 1, [text]);
}

const DIGITS = /^\d{1,9}$/;
const LINE_BREAK = /[\r\n]/;

/** C1/C2 feature keys with a config `[param, instance]` (§6.3); every other feature is `0`. */
export const FEATURE_CONFIG: Readonly<Record<number, readonly [string, string]>> = {
  8: ['vehicle', 'stream'],
  9: ['vehicle', 'minsoc'],
  14: ['vehicle', 'carbits'],
  15: ['vehicle', 'canwrite'],
};

/** C3/C4 parameter keys with a config `[param, instance]` (§6.3, WIRE §4.2); the others are empty. */
export const PARAMETER_CONFIG: Readonly<Record<number, readonly [string, string]>> = {
  0: ['vehicle', 'registered.phone'],
  1: ['password', 'module'],
  2: ['vehicle', 'units.distance'],
  4: ['server.v2', 'server'],
  5: ['modem', 'apn'],
  6: ['modem', 'apn.user'],
  7: ['modem', 'apn.password'],
  8: ['vehicle', 'id'],
  9: ['password', 'server.v2'],
  14: ['auto', 'vehicle.type'],
  22: ['network', 'dns'],
  23: ['vehicle', 'timezone'],
};

/** Keys 0–31 of the answers to 1 and 3. */
const LIST_KEYS = Array.from({ length: 32 }, (_, key) => key);

function configList(command: 1 | 3): CommandTranslation {
  const keys = command === 1 ? FEATURE_CONFIG : PARAMETER_CONFIG;
  const fallback = command === 1 ? '0' : '';
  const entries = LIST_KEYS.map((key): ConfigListEntry => {
    const config = keys[key];
    return config === undefined
      ? { key, fallback }
      : { key, config: { param: config[0], instance: config[1] }, fallback };
  });
  return { kind: 'config-list', command, entries };
}

/**
 * The 32 lines `c<n>,0,<k>,32,<value>` answering 1 or 3, from the config values read for the
 * entries (by key); a missing or empty value gives the entry's fallback. Line breaks in values
 * become CR so that each answer stays one line.
 */
export function configListReplies(
  translation: Extract<CommandTranslation, { kind: 'config-list' }>,
  values: ReadonlyMap<number, string>,
): string[] {
  return translation.entries.map((entry) => {
    const value = (values.get(entry.key) ?? '').replace(/\r?\n/g, '\r') || entry.fallback;
    return replyLine(translation.command, 0, [String(entry.key), String(LIST_KEYS.length), value]);
  });
}

/**
 * Quotes a module shell argument with `"` or `'` (the shell has no escape for the quote character
 * itself); `undefined` when the value holds both.
 */
export function quoteArgument(value: string): string | undefined {
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return undefined;
}

/** `config set <param> <instance> "<value>"`, or `config rm` for an empty value. */
function configSet(command: number, param: string, instance: string, value: string): CommandTranslation {
  if (value === '') return shell(command, 'config-set', `config rm ${param} ${instance}`);
  if (LINE_BREAK.test(value)) return replyWithText(command, 'Value contains a line break');
  const quoted = quoteArgument(value);
  if (quoted === undefined) return replyWithText(command, 'Value contains both quote characters');
  return shell(command, 'config-set', `config set ${param} ${instance} ${quoted}`);
}

/** 2 and 4: `<key>,<value>` → `config set` of the key's config; unknown keys are answered at once. */
function setConfig(command: 2 | 4, params: readonly string[]): CommandTranslation {
  const [key, ...rest] = params;
  const what = command === 2 ? 'feature' : 'parameter';
  if (key === undefined || key === '') return replyWithText(command, `Missing ${what} key`);
  const config = DIGITS.test(key)
    ? (command === 2 ? FEATURE_CONFIG : PARAMETER_CONFIG)[Number(key)]
    : undefined;
  if (config === undefined) {
    return replyWithText(
      command,
      command === 2 ? 'Feature not supported by vehicle' : 'Parameter key not supported',
    );
  }
  return configSet(command, config[0], config[1], rest.join(','));
}

const MODE_BY_NUMBER = new Map(Object.entries(CHARGE_MODE_KEYS).map(([name, key]) => [String(key), name]));

function chargeMode(command: number, mode: string | undefined): string | CommandTranslation {
  const name = mode === undefined ? undefined : MODE_BY_NUMBER.get(mode);
  return name ?? reply(command, `charge mode ${JSON.stringify(mode ?? '')} has no shell name`);
}

function numberParam(command: number, value: string | undefined, what: string): string | CommandTranslation {
  return value !== undefined && DIGITS.test(value) ? value : reply(command, `${what} must be digits`);
}

/** 20–23: `<verb> <pin>`; a missing or non-numeric PIN is answered `c<n>,1` at once. */
const PIN_COMMANDS: Readonly<Record<number, string>> = {
  20: 'lock',
  21: 'valet',
  22: 'unlock',
  23: 'unvalet',
};

/** Commands that are one fixed shell line with a `result` reply. */
const PLAIN_COMMANDS: Readonly<Record<number, string>> = {
  11: 'charge start',
  12: 'charge stop',
  18: 'wakeup',
  19: 'wakeup',
  25: 'charge cooldown',
};

function freeText(command: number, text: string): string | CommandTranslation {
  return LINE_BREAK.test(text) ? replyWithText(command, 'Command contains a line break') : text;
}

/** Translation of the commands whose parameters need checking. */
function translateWithParams(command: number, params: readonly string[], raw: string): CommandTranslation {
  const [first, second] = params;
  switch (command) {
    case 2:
    case 4:
      return setConfig(command, params);
    case 7: {
      const text = freeText(7, raw);
      if (typeof text !== 'string') return text;
      return text.trim() === '' ? replyWithText(7, 'Missing command') : shell(7, 'output', text);
    }
    case 10: {
      const mode = chargeMode(10, first);
      return typeof mode === 'string' ? shell(10, 'result', `charge mode ${mode}`) : mode;
    }
    case 15: {
      const amps = numberParam(15, first, 'amps');
      return typeof amps === 'string' ? shell(15, 'result', `charge current ${amps}`) : amps;
    }
    case 16: {
      const mode = chargeMode(16, first);
      if (typeof mode !== 'string') return mode;
      const amps = numberParam(16, second, 'amps');
      if (typeof amps !== 'string') return amps;
      return shell(16, 'result', `charge mode ${mode}`, `charge current ${amps}`);
    }
    case 17: {
      const timer = numberParam(17, first, 'timer mode');
      if (typeof timer !== 'string') return timer;
      const start = numberParam(17, second, 'start time');
      if (typeof start !== 'string') return start;
      const on = Number(timer) !== 0;
      return shell(
        17,
        'script-bool',
        `script eval "print(OvmsVehicle.SetChargeTimer(${on},${Number(start)}))"`,
      );
    }
    case 24: {
      if (first === undefined || first === '') return reply(24, 'homelink needs a button');
      if (!/^[0-2]$/.test(first)) return reply(24, 'homelink button must be 0, 1 or 2');
      return shell(24, 'result', `homelink ${Number(first) + 1}`);
    }
    case 26: {
      const on = numberParam(26, first, 'climate control flag');
      return typeof on === 'string'
        ? shell(26, 'result', `climatecontrol ${Number(on) === 0 ? 'off' : 'on'}`)
        : on;
    }
    case 41: {
      if (!/^[0-9*#+]{1,40}$/.test(raw)) return replyWithText(41, 'Invalid USSD code');
      return shell(41, 'ussd', `cellular cmd AT+CUSD=1,"${raw}",15`);
    }
    case 49: {
      const text = freeText(49, raw);
      if (typeof text !== 'string') return text;
      return text.trim() === ''
        ? replyWithText(49, 'Missing AT command')
        : shell(49, 'modem', `cellular cmd ${text}`);
    }
    default:
      return unsupported(command, 'no v3 equivalent');
  }
}

/**
 * What to do with a v2 command for a v3 module (V3.md §6.3). Never throws: commands without a v3
 * equivalent give `unsupported` (`c<n>,2`), bad parameters a `reply` with `c<n>,1`.
 */
export function translateCommand(input: V2CommandInput, options: TranslateOptions = {}): CommandTranslation {
  const { command, params } = input;
  const raw = input.rawParams ?? params.join(',');
  if (isServerSideCommand(command)) return { kind: 'server', command };
  if (options.vehicleType === 'RT' && command >= 20 && command <= 24) {
    return unsupported(command, 'the Twizy gives this code another meaning, which has no generic v3 command');
  }
  const plain = PLAIN_COMMANDS[command];
  if (plain !== undefined) return shell(command, 'result', plain);
  const pinVerb = PIN_COMMANDS[command];
  if (pinVerb !== undefined) {
    const pin = params[0];
    if (pin === undefined || pin === '') return reply(command, 'a PIN is required');
    if (!DIGITS.test(pin)) return reply(command, 'the PIN must be digits');
    return shell(command, 'result', `${pinVerb} ${pin}`);
  }
  switch (command) {
    case 1:
    case 3:
      return configList(command);
    case 5:
      return shell(5, 'none', 'module reset');
    case 6:
      return shell(6, 'always-ok', 'notify raise command info charge.stopped stat');
    case 40:
      return unsupported(40, 'v3 modules do not send SMS');
    default:
      return translateWithParams(command, params, raw);
  }
}

/**
 * Whether a shell output means failure (§6.2): its first line starts with `Error:`/`ERROR:`,
 * `Unrecognised command`, `Subcommand required` or `Usage:`.
 */
export function shellFailed(output: string): boolean {
  const firstLine = output.trimStart().split(/\r?\n|\r/, 1)[0] ?? '';
  return /^(?:Error:|ERROR:|Unrecognised command|Subcommand required|Usage:)/.test(firstLine);
}

/** Line breaks → CR and trailing ones dropped, so a raw output fits one v2 line. */
function oneLine(output: string): string {
  return output.replace(/\r?\n/g, '\r').replace(/\r+$/, '');
}

/**
 * The `c` reply lines for the shell outputs of a `shell` translation, one output per line run
 * (fewer when a step failed and the rest were not run). No lines for `none` (reboot).
 */
export function replyFromShellOutputs(
  translation: Extract<CommandTranslation, { kind: 'shell' }>,
  outputs: readonly string[],
): string[] {
  const { command } = translation;
  const last = outputs.at(-1) ?? '';
  const complete = outputs.length === translation.lines.length;
  const failed = !complete || outputs.some(shellFailed);
  switch (translation.reply) {
    case 'none':
      return [];
    case 'always-ok':
      return [replyLine(command, 0)];
    case 'output':
      return [replyLine(command, 0, [mpEncode(last)])];
    case 'result':
      return [replyLine(command, failed ? 1 : 0)];
    case 'config-set':
      return [
        failed
          ? replyLine(command, 1, [mpEncode(last.trim().split(/\r?\n/, 1)[0] ?? '')])
          : replyLine(command, 0, ['']),
      ];
    case 'script-bool':
      return [replyLine(command, complete && last.trim() === 'true' ? 0 : 1)];
    case 'ussd':
      return [
        last.includes('ERROR') || !complete
          ? replyLine(command, 1, [mpEncode(oneLine(last))])
          : replyLine(command, 0),
      ];
    case 'modem': {
      const text = oneLine(last);
      if (text.trim() === '') return [replyLine(command, 1, ['Timeout/no response'])];
      return [replyLine(command, text.includes('ERROR') ? 1 : 0, [text])];
    }
  }
}

/** Example commands for the mapping table of docs/v3-mapping.md (rendered through `translateCommand`). */
export const COMMAND_EXAMPLES: readonly (readonly [line: string, note: string])[] = [
  ['C1', 'features without config are 0 (3.3.006+ modules answer `request/config`)'],
  ['C2,8,5', 'features 8, 9, 14, 15 only; an empty value removes the config'],
  ['C3', 'parameters without config are empty'],
  ['C4,5,internet', 'the keys of C3; others `c4,1,Parameter key not supported`'],
  ['C5', 'no reply, like the firmware'],
  ['C6', 'the charge alert arrives as a `PI` notification'],
  ['C7,metrics list v.b.soc', 'always 0, output MP-encoded'],
  ['C10,3', 'modes 0 standard, 1 storage, 3 range, 4 performance; others `c10,1`'],
  ['C11', ''],
  ['C12', ''],
  ['C15,16', ''],
  ['C16,0,13', '0 only if both steps succeed'],
  ['C17,1,79200', '0 when the script prints `true`'],
  ['C18', ''],
  ['C19', 'the same wake-up as 18'],
  ['C20,1234', 'a missing PIN: `c20,1`; refused for the Twizy (RT)'],
  ['C21,1234', ''],
  ['C22,1234', ''],
  ['C23,1234', ''],
  ['C24,0', 'v2 buttons 0–2 are shell buttons 1–3; no button: `c24,1`'],
  ['C25', ''],
  ['C26,1', '0 off, any other number on'],
  ['C30', 'answered by the server'],
  ['C40,123,hello', 'no SMS on v3'],
  ['C41,*100#', 'later `notify/info/modem/received/ussd` also gives `c41,0,<reply>`'],
  ['C49,AT+CSQ', 'output sent raw (not MP-encoded); line breaks become CR'],
  ['C204', 'vehicle-specific codes have no generic v3 command'],
];
