import { doorBits } from './vehicle-messages.js';
import type { VehicleModel } from './vehicle-model.js';
import { CAR, CHARGE_MODES } from './vehicle-state.js';

/**
 * A few console commands for command 7, answered the way the v3 shell words them. The output
 * starts with the prompt and the command, as a console transcript would, so a user can tell which
 * command an answer belongs to. Returns plain text; the caller MP-encodes it.
 */
export function runShell(model: VehicleModel, commandLine: string): string {
  const line = commandLine.trim();
  const [word = '', ...args] = line.split(/\s+/);
  const body = answer(model, word.toLowerCase(), args);
  return [`OVMS# ${line}`, ...body].join('\n');
}

function answer(model: VehicleModel, word: string, args: string[]): string[] {
  switch (word) {
    case 'stat':
      return stat(model);
    case 'echo':
      return [args.join(' ')];
    case 'help':
    case '?':
      return [
        'Commands:',
        '  echo <text>',
        '  help',
        '  location status',
        '  metrics list [prefix]',
        '  stat',
      ];
    case 'location':
      return location(model);
    case 'metrics':
      return metrics(model, args[1] ?? '');
    case '':
      return [];
    default:
      return [`Unrecognised command: ${word}`];
  }
}

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

function metrics(model: VehicleModel, prefix: string): string[] {
  const s = model.state;
  const bits = doorBits(model);
  const all: [string, string][] = [
    ['v.b.soc', `${s.soc.toFixed(1)}%`],
    ['v.b.range.ideal', `${Math.round(model.idealRangeKm)}km`],
    ['v.b.range.est', `${Math.round(model.estimatedRangeKm)}km`],
    ['v.b.temp', `${s.battery.toFixed(1)}°C`],
    ['v.b.12v.voltage', `${s.v12.toFixed(2)}V`],
    ['v.c.state', s.chargeState ?? ''],
    ['v.e.locked', (bits.doors2 & 0x08) !== 0 ? 'yes' : 'no'],
    ['v.e.temp', `${s.ambient.toFixed(1)}°C`],
    ['v.p.odometer', `${s.odometerKm.toFixed(1)}km`],
    ['v.p.speed', `${s.speedKph.toFixed(1)}km/h`],
  ];
  return all.filter(([name]) => name.startsWith(prefix)).map(([name, value]) => `${name.padEnd(20)}${value}`);
}
