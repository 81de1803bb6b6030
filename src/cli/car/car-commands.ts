import type { Command } from '../../protocol/messages/index.js';
import { mpEncode } from '../../protocol/mp-encoding.js';
import { executeShell, shellTranscript, ussdAnswer } from './shell.js';
import type { VehicleModel } from './vehicle-model.js';

/**
 * How the simulated module answers `C` commands, shaped exactly as v3 does (WIRE.md §4.2): the
 * 32-line lists for 1 and 3, the empty trailing field of `c2,0,`/`c4,0,`, no reply at all for 5,
 * `c7` always 0, `c40,2`, the two-step 41, and `c<n>,2` for anything it does not know.
 * Pure apart from changing the model and the settings it is given.
 */

/** The module's own settings that commands read and change. */
export interface CarSettings {
  pin: string;
  /** Features 0..31 (command 1/2); feature 8 is the L stream interval in seconds. */
  features: string[];
  /** Parameters 0..31 (command 3/4); only the ones v3 maps are non-empty. */
  params: string[];
}

export const FEATURE_STREAM = 8;
const LIST_SIZE = 32;
/** The parameters v3 maps to its configuration; the others read empty and cannot be set. */
const MAPPED_PARAMS = new Set([0, 1, 2, 4, 5, 6, 7, 8, 9, 14, 22, 23]);
/** Parameters that hold secrets (module and server password): settable, but never read back. */
const SECRET_PARAMS = new Set([1, 9]);

export function defaultSettings(opts: {
  pin: string;
  vehicleId: string;
  server: string;
  vehicleType: string;
}): CarSettings {
  const features = Array.from({ length: LIST_SIZE }, () => '0');
  features[FEATURE_STREAM] = '5';
  features[15] = '1';
  const params = Array.from({ length: LIST_SIZE }, () => '');
  params[2] = 'K';
  params[4] = opts.server;
  params[5] = 'internet';
  params[8] = opts.vehicleId;
  params[14] = opts.vehicleType;
  params[23] = 'CET-1CEST,M3.5.0,M10.5.0/3';
  return { pin: opts.pin, features, params };
}

export interface CommandOutcome {
  /** `c` payloads (without the code character), in order. */
  replies: string[];
  /** Command 5: the module restarts (and sends no `c`). */
  reboot?: boolean;
  /** An unsolicited `c` to send later (the USSD answer of command 41). */
  followUp?: { afterSeconds: number; reply: string };
  /** The car changed in a way the apps should see at once (send S and D). */
  changed?: boolean;
}

const reply = (...replies: string[]): CommandOutcome => ({ replies });
const changed = (ok: boolean, code: number): CommandOutcome => ({
  replies: [`${code},${ok ? 0 : 1}`],
  changed: ok,
});
const toInt = (text: string | undefined) =>
  text !== undefined && /^-?\d+$/.test(text) ? Number(text) : Number.NaN;

/** `metrics` lists the car's metrics for command 7's `metrics list` (none by default). */
export function answerCommand(
  model: VehicleModel,
  settings: CarSettings,
  command: Command,
  metrics: () => ReadonlyMap<string, string> = () => new Map(),
): CommandOutcome {
  const code = command.command;
  const [p0, p1] = command.params;
  switch (code) {
    case 1:
      return reply(...settings.features.map((value, n) => `1,0,${n},${LIST_SIZE},${value}`));
    case 3:
      return reply(
        ...settings.params.map((value, n) => `3,0,${n},${LIST_SIZE},${SECRET_PARAMS.has(n) ? '' : value}`),
      );
    case 2:
      return setListValue(settings.features, 2, p0, command, 'Feature number out of range');
    case 4:
      return setListValue(settings.params, 4, p0, command, 'Parameter key not supported', MAPPED_PARAMS);
    case 5:
      return { replies: [], reboot: true };
    case 6:
      return reply('6,0');
    case 7: {
      // v3 always answers 0 here, even when the console command failed.
      const result = executeShell({ model, settings, metrics }, command.rawParams);
      return {
        replies: [`7,0,${mpEncode(shellTranscript(result, command.rawParams))}`],
        changed: result.changed,
        reboot: result.reboot,
      };
    }
    case 10:
      return changed(model.setChargeMode(toInt(p0)), 10);
    case 11:
      return changed(model.startCharge(), 11);
    case 12:
      return changed(model.stopCharge(), 12);
    case 15:
      return changed(model.setChargeCurrent(toInt(p0)), 15);
    case 16: {
      // Check the current first so that a bad one does not leave the mode half-changed.
      const amps = toInt(p1);
      const ok = amps >= 1 && amps <= 32 && model.setChargeMode(toInt(p0)) && model.setChargeCurrent(amps);
      return changed(ok, 16);
    }
    case 17:
      return changed(model.setChargeTimer(toInt(p0), toInt(p1)), 17);
    case 18:
    case 19:
      model.wake();
      return { replies: [`${code},0`], changed: true };
    case 20:
    case 21:
    case 22:
    case 23:
      return lockCommand(model, settings, code, p0);
    case 24:
      // Homelink button (missing means -1); the car has nothing to show for it.
      return reply(Number.isNaN(toInt(p0 ?? '-1')) ? '24,1' : '24,0');
    case 25:
      model.cooldown();
      return { replies: ['25,0'], changed: true };
    case 26:
      if (p0 !== '0' && p0 !== '1') return reply('26,1');
      model.setClimate(p0 === '1');
      return { replies: ['26,0'], changed: true };
    case 40:
      return reply('40,2');
    case 41:
      if (!command.rawParams) return reply('41,1,No USSD code given');
      return {
        replies: ['41,0'],
        followUp: { afterSeconds: 3, reply: `41,0,${mpEncode(ussdAnswer(command.rawParams))}` },
      };
    case 49:
      return reply('49,0,OK');
    default:
      return reply(`${code},2`);
  }
}

function setListValue(
  list: string[],
  code: number,
  indexText: string | undefined,
  command: Command,
  refusal: string,
  allowed?: ReadonlySet<number>,
): CommandOutcome {
  const index = toInt(indexText);
  if (!(index >= 0 && index < LIST_SIZE) || (allowed && !allowed.has(index)))
    return reply(`${code},1,${refusal}`);
  // The value is everything after the index, commas included.
  list[index] = command.params.slice(1).join(',');
  return reply(`${code},0,`);
}

function lockCommand(
  model: VehicleModel,
  settings: CarSettings,
  code: 20 | 21 | 22 | 23,
  pin: string | undefined,
): CommandOutcome {
  if (pin !== settings.pin) return reply(`${code},1,Invalid PIN`);
  if (code === 20 || code === 22) model.setLocked(code === 20);
  else model.setValet(code === 21);
  return { replies: [`${code},0`], changed: true };
}
