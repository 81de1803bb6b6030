import { type Command, Option } from 'commander';
import { LoginRefusedError } from '../../client/ovms-client.js';
import {
  addConnectionOptions,
  CliError,
  type ConnectionFlags,
  clientOptions,
  describeError,
  usageError,
} from '../app/connection.js';
import { type CarLogLevel, startCar } from './simulator.js';
import type { Phase } from './vehicle-state.js';

interface CarFlags extends ConnectionFlags {
  speedUp: string;
  seed: string;
  scenario: Phase;
  pin: string;
  intervalIdle: string;
  intervalConnected: string;
  vin?: string;
  vehicleType?: string;
  jsonLog?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw usageError(`${name} must be a positive number, got "${text}"`);
  return value;
}

const LEVELS: Record<CarLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Log lines on stdout: readable by default, one JSON object per line with --json-log. */
function logger(flags: CarFlags): (level: CarLogLevel, message: string) => void {
  const min = flags.verbose ? 0 : flags.quiet ? 2 : 1;
  return (level, message) => {
    if (LEVELS[level] < min) return;
    const time = new Date().toISOString();
    const line = flags.jsonLog
      ? JSON.stringify({ time, level, msg: message })
      : `${time} ${level.padEnd(5)} ${message.replaceAll('\r', ' | ')}`;
    process.stdout.write(`${line}\n`);
  };
}

export function registerCarCommand(program: Command): void {
  const car = program
    .command('car')
    .description('run a simulated v3 car module: drives, charges, answers commands')
    .option('--speed-up <n>', 'simulated time runs N times faster', '1')
    .option('--seed <n>', 'seed of the random source (same seed, same trip)', '1')
    .addOption(
      new Option('--scenario <phase>', 'phase to start in')
        .choices(['drive', 'charge', 'park'])
        .default('park'),
    )
    .option('--pin <pin>', 'PIN for lock, unlock and valet commands', '1234')
    .option('--interval-idle <s>', 'seconds between S+D updates with no app connected', '600')
    .option('--interval-connected <s>', 'seconds between S+D updates while apps are connected', '60')
    .option('--vin <vin>', 'VIN to report in F')
    .option('--vehicle-type <code>', 'vehicle type code to report in F', 'RT')
    .option('--json-log', 'log one JSON object per line')
    .option('-v, --verbose', 'log every message sent and received')
    .option('-q, --quiet', 'log only warnings and errors');
  addConnectionOptions(car).action((flags: CarFlags) => runCar(flags));
}

async function runCar(flags: CarFlags): Promise<void> {
  const options = clientOptions(flags, 'C');
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) throw usageError(`--seed must be an integer, got "${flags.seed}"`);
  const log = logger(flags);
  const { clientType: _ignored, ...client } = options;
  const car = startCar({
    client,
    pin: flags.pin,
    speedUp: positive('--speed-up', flags.speedUp),
    seed,
    scenario: flags.scenario,
    intervalIdle: positive('--interval-idle', flags.intervalIdle),
    intervalConnected: positive('--interval-connected', flags.intervalConnected),
    identity: {
      ...(flags.vin ? { vin: flags.vin } : {}),
      ...(flags.vehicleType ? { vehicleType: flags.vehicleType } : {}),
    },
  });
  car.on('log', log);

  let fatal: Error | undefined;
  await new Promise<void>((resolve) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      car.stop().then(resolve, resolve);
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    car.once('fatal', (err: Error) => {
      fatal = err;
      finish();
    });
    car.ready.catch((err: Error) => {
      fatal = err;
      finish();
    });
  });
  if (fatal) {
    throw new CliError(
      fatal instanceof LoginRefusedError
        ? describeError(fatal)
        : `car stopped: ${describeError(fatal, options)}`,
    );
  }
  log('info', 'stopped');
}
