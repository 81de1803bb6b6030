import { FEATURE_CONFIG, PARAMETER_CONFIG } from '../../protocol/v3/index.js';
import type { CarSettings } from './car-commands.js';
import type { VehicleModel } from './vehicle-model.js';
import { CAR, CHARGE_MODES } from './vehicle-state.js';

/**
 * The simulated module's console: the shell commands a v3 module runs for a v3 client's
 * `client/<cid>/command/<id>` and for v2 command 7 (V3.md §6), worded the way the firmware answers
 * (`Vehicle locked`, `Error: …`), so a bridge reads success and failure from them as it would from
 * a real module. Pure apart from changing the model and the settings it is given; what else the
 * command sets off (a notification, a metric update, a restart) is returned for the caller to do.
 */

export interface ShellContext {
  readonly model: VehicleModel;
  readonly settings: CarSettings;
  /** The car's metrics (name → text), for `metrics list`. */
  readonly metrics: () => ReadonlyMap<string, string>;
}

export interface ShellResult {
  /** The whole output, lines separated by LF. */
  output: string;
  /** The car changed in a way clients should see at once. */
  changed?: boolean;
  /** `module reset`: the module restarts. */
  reboot?: boolean;
  /** `server v3 update all|modified`: publish the metrics now. */
  update?: 'all' | 'modified';
  /** A notification the command raises (`notify raise`). */
  notify?: { type: 'info' | 'alert'; subtype: string; text: string };
  /** A USSD request went out; the network answers later (`ussdAnswer`). */
  ussd?: string;
}

/** The subtype of the modem's USSD answer notification. */
export const USSD_NOTIFY_SUBTYPE = 'modem.received.ussd';

/** Runs one shell line. */
export function executeShell(ctx: ShellContext, commandLine: string): ShellResult {
  const words = splitWords(commandLine.trim());
  const [word = '', ...args] = words;
  return answer(ctx, word.toLowerCase(), args);
}

/**
 * Command 7's answer as the v2 simulator gives it: the prompt and the command first, as a console
 * transcript would, so a user can tell which command an answer belongs to.
 */
export function shellTranscript(result: ShellResult, commandLine: string): string {
  return [`OVMS# ${commandLine.trim()}`, ...(result.output === '' ? [] : [result.output])].join('\n');
}

/** What the mobile network might answer; balance codes get a balance, anything else an echo. */
export function ussdAnswer(code: string): string {
  if (/^\*1\d\d#$/.test(code)) return 'Your balance is EUR 12.34, valid until 31-12-2026.';
  return `USSD ${code}: request accepted.`;
}

/** Splits at spaces; `"…"` or `'…'` keeps spaces inside one argument (no escapes, as the firmware). */
function splitWords(line: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

const out = (...lines: string[]): ShellResult => ({ output: lines.join('\n') });
const done = (ok: boolean, yes: string, no: string): ShellResult => ({
  output: ok ? yes : `Error: ${no}`,
  changed: ok,
});

function answer(ctx: ShellContext, word: string, args: string[]): ShellResult {
  switch (word) {
    case 'stat':
      return out(...stat(ctx.model));
    case 'echo':
      return out(args.join(' '));
    case 'help':
    case '?':
      return out(...HELP);
    case 'location':
      return out(...location(ctx.model));
    case 'metrics':
      return args[0] === 'list'
        ? out(...metricsList(ctx, args[1] ?? ''))
        : out('Usage: metrics list [<prefix>]');
    case 'lock':
    case 'unlock':
    case 'valet':
    case 'unvalet':
      return pinCommand(ctx, word, args[0]);
    case 'charge':
      return charge(ctx.model, args);
    case 'climatecontrol':
      if (args[0] !== 'on' && args[0] !== 'off') return out('Usage: climatecontrol <on|off>');
      ctx.model.setClimate(args[0] === 'on');
      return { output: `Climate Control \n${args[0]}`, changed: true };
    case 'wakeup':
      ctx.model.wake();
      return { output: 'Vehicle has been woken', changed: true };
    case 'homelink':
      if (!/^[1-3]$/.test(args[0] ?? '')) return out('Usage: homelink <1|2|3>');
      return out(`Homelink #${args[0]} activated`);
    case 'server':
      return server(args);
    case 'config':
      return config(ctx.settings, args);
    case 'module':
      return args[0] === 'reset'
        ? { output: 'Resetting system...', reboot: true }
        : out('Usage: module reset');
    case 'notify':
      return notify(ctx, args);
    case 'cellular':
      return cellular(args);
    case 'script':
      return script(ctx.model, args);
    case '':
      return out();
    default:
      return out(`Unrecognised command: ${word}`);
  }
}

const HELP = [
  'Commands:',
  '  charge <start|stop|cooldown|mode <name>|current <amps>>',
  '  climatecontrol <on|off>',
  '  config <set|rm> <param> <instance> [<value>]',
  '  echo <text>',
  '  help',
  '  homelink <1|2|3>',
  '  location status',
  '  lock|unlock|valet|unvalet <pin>',
  '  metrics list [<prefix>]',
  '  module reset',
  '  server v3 update <all|modified>',
  '  stat',
  '  wakeup',
];

function stat(model: VehicleModel): string[] {
  const s = model.state;
  const mode = CHARGE_MODES[s.chargeMode] ?? 'standard';
  const chargeLine = model.charging
    ? `Charging (${mode}, ${s.chargeAmps.toFixed(1)}A, ${model.minutesToFull} min to full)`
    : s.plugged
      ? `Plugged in, charge ${s.chargeState ?? 'idle'}`
      : 'Not charging';
  return [
    chargeLine,
    `SOC: ${s.soc.toFixed(1)}%`,
    `Ideal range: ${Math.round(model.idealRangeKm)}km`,
    `Est. range: ${Math.round(model.estimatedRangeKm)}km`,
    `ODO: ${s.odometerKm.toFixed(1)}km`,
    `CAC: ${CAR.cacAh.toFixed(1)}Ah`,
    `SOH: ${CAR.sohPercent}%`,
  ];
}

function location(model: VehicleModel): string[] {
  const s = model.state;
  return [
    `Latitude: ${s.lat.toFixed(6)}`,
    `Longitude: ${s.lon.toFixed(6)}`,
    `Direction: ${Math.round(s.heading)}`,
    `Speed: ${s.speedKph.toFixed(1)}km/h`,
  ];
}

function metricsList(ctx: ShellContext, prefix: string): string[] {
  return [...ctx.metrics()]
    .filter(([name]) => name.startsWith(prefix))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name.padEnd(24)} ${value}`);
}

const PIN_WORDS: Record<string, { ok: string; verb: string }> = {
  lock: { ok: 'Vehicle locked', verb: 'vehicle could not be locked' },
  unlock: { ok: 'Vehicle unlocked', verb: 'vehicle could not be unlocked' },
  valet: { ok: 'Valet mode activated', verb: 'valet mode could not be activated' },
  unvalet: { ok: 'Valet mode deactivated', verb: 'valet mode could not be deactivated' },
};

/** A wrong or missing PIN fails the way the firmware reports a refused vehicle command. */
function pinCommand(ctx: ShellContext, word: string, pin: string | undefined): ShellResult {
  const words = PIN_WORDS[word]!;
  if (pin !== ctx.settings.pin) return done(false, words.ok, words.verb);
  if (word === 'lock' || word === 'unlock') ctx.model.setLocked(word === 'lock');
  else ctx.model.setValet(word === 'valet');
  return done(true, words.ok, words.verb);
}

const MODE_NUMBERS = new Map(Object.entries(CHARGE_MODES).map(([n, name]) => [name, Number(n)]));

function charge(model: VehicleModel, args: string[]): ShellResult {
  const [what, value] = args;
  switch (what) {
    case 'start':
      return done(model.startCharge(), 'Charge has been started', 'Charge could not be started');
    case 'stop':
      return done(model.stopCharge(), 'Charge has been stopped', 'Charge could not be stopped');
    case 'cooldown':
      model.cooldown();
      return done(true, 'Cooldown has been started', '');
    case 'mode': {
      const mode = MODE_NUMBERS.get(value ?? '');
      if (mode === undefined) return out('Usage: charge mode <standard|storage|range|performance>');
      return done(model.setChargeMode(mode), `Charge mode '${value}' set`, 'Charge mode could not be set');
    }
    case 'current': {
      const amps = /^\d{1,3}$/.test(value ?? '') ? Number(value) : Number.NaN;
      return done(
        model.setChargeCurrent(amps),
        `Charge current limit set to ${value}A`,
        'Charge current limit could not be set',
      );
    }
    default:
      return out('Usage: charge <start|stop|cooldown|mode <name>|current <amps>>');
  }
}

function server(args: string[]): ShellResult {
  const [version, verb, what] = args;
  if (version === 'v3' && verb === 'update' && (what === 'all' || what === 'modified')) {
    return { output: `Server V3 data update for ${what} metrics has been scheduled.`, update: what };
  }
  return out('Usage: server v3 update <all|modified>');
}

/** `config set|rm <param> <instance> [<value>]` for the settings commands 2 and 4 also reach. */
function config(settings: CarSettings, args: string[]): ShellResult {
  const [verb, param = '', instance = '', ...value] = args;
  if ((verb !== 'set' && verb !== 'rm') || instance === '') {
    return out('Usage: config <set|rm> <param> <instance> [<value>]');
  }
  const slot = settingSlot(settings, param, instance);
  if (slot === undefined) return out(`Error: parameter ${param} ${instance} is not simulated`);
  slot.list[slot.index] = verb === 'set' ? value.join(' ') : '';
  return out(verb === 'set' ? 'Parameter has been set.' : 'Parameter has been removed.');
}

/** Where a config parameter lives in the module's settings (features 1/2, parameters 3/4). */
export function settingSlot(
  settings: CarSettings,
  param: string,
  instance: string,
): { list: string[]; index: number } | undefined {
  const key = `${param}/${instance}`;
  const feature = FEATURE_KEYS[key];
  if (feature !== undefined) return { list: settings.features, index: feature };
  const parameter = PARAMETER_KEYS[key];
  if (parameter !== undefined) return { list: settings.params, index: parameter };
  return undefined;
}

/** `param/instance` → key of the features (1/2) and parameters (3/4) they are read as (V3.md §6.3). */
const reverse = (table: Readonly<Record<number, readonly [string, string]>>) =>
  Object.fromEntries(
    Object.entries(table).map(([key, [param, instance]]) => [`${param}/${instance}`, Number(key)]),
  );
const FEATURE_KEYS: Readonly<Record<string, number>> = reverse(FEATURE_CONFIG);
const PARAMETER_KEYS: Readonly<Record<string, number>> = reverse(PARAMETER_CONFIG);

/** `notify raise <text|command> <type> <subtype> <text or command…>`. */
function notify(ctx: ShellContext, args: string[]): ShellResult {
  const [verb, format, type, subtype, ...rest] = args;
  if (verb !== 'raise' || (format !== 'text' && format !== 'command')) return out(NOTIFY_USAGE);
  if ((type !== 'info' && type !== 'alert') || subtype === undefined || rest.length === 0) {
    return out(NOTIFY_USAGE);
  }
  const text = format === 'text' ? rest.join(' ') : executeShell(ctx, rest.join(' ')).output;
  return { output: `Raised ${type} notification ${subtype}`, notify: { type, subtype, text } };
}

const NOTIFY_USAGE = 'Usage: notify raise <text|command> <info|alert> <subtype> <text or command>';

/** `cellular cmd <AT command>`; a USSD request is answered later by the network. */
function cellular(args: string[]): ShellResult {
  const [verb, ...command] = args;
  if (verb !== 'cmd' || command.length === 0) return out('Usage: cellular cmd <AT command>');
  const ussd = /^AT\+CUSD=1,"?([0-9*#+]+)"?/i.exec(command.join(' '));
  return ussd ? { output: 'OK', ussd: ussd[1]! } : out('OK');
}

/** The one script command 17 sends: `print(OvmsVehicle.SetChargeTimer(<on>,<start>))`. */
function script(model: VehicleModel, args: string[]): ShellResult {
  const timer = /^print\(OvmsVehicle\.SetChargeTimer\((true|false),(\d+)\)\)$/.exec(args.slice(1).join(' '));
  if (args[0] !== 'eval' || !timer) return out('Error: script not simulated');
  const ok = model.setChargeTimer(timer[1] === 'true' ? 1 : 0, Number(timer[2]));
  return { output: ok ? 'true' : 'false', changed: ok };
}
