import type { EventEmitter } from 'node:events';
import { type Command, Option } from 'commander';
import { LoginRefusedError } from '../../client/ovms-client.js';
import { addConnectionOptions, CliError, clientOptions, describeError } from '../app/connection.js';
import { type CarFlags, identityOf, parseSeed, positive } from './car-flags.js';
import { type CarLogLevel, startCar } from './simulator.js';
import { v3CarOptions } from './v3-options.js';
import { startV3Car } from './v3-simulator.js';

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
    .description(
      'run a simulated OVMS v3 module: drives, charges, answers commands, over protocol v2 or (--protocol v3) ' +
        'MQTT; with v3, --server is the broker (mqtt://HOST:1883, mqtts:// for 8883) and --password the ' +
        "owner's password",
    )
    .addOption(
      new Option('--protocol <v2|v3>', 'server protocol the module speaks')
        .choices(['v2', 'v3'])
        .default('v2'),
    )
    .addOption(
      new Option('--user <owner>', 'v3: MQTT user name (server.v3 user), the owner').env('OVMS_USER'),
    )
    .addOption(
      new Option(
        '--token <token>',
        'v3: an API token with the mqtt right, instead of the owner password in --password',
      ).env('OVMS_TOKEN'),
    )
    .option('--prefix <topic>', 'v3: topic prefix (server.v3 topic.prefix), default ovms/<user>/<id>/')
    .option('--speed-up <n>', 'simulated time runs N times faster', '1')
    .option('--seed <n>', 'seed of the random source (same seed, same trip)', '1')
    .addOption(
      new Option('--scenario <phase>', 'phase to start in')
        .choices(['drive', 'charge', 'park'])
        .default('park'),
    )
    .option('--pin <pin>', 'PIN for lock, unlock and valet commands', '1234')
    .option('--interval-idle <s>', 'seconds between S+D updates with no app connected', '600')
    .option(
      '--interval-connected <s>',
      'seconds between S+D updates (v3: changed metrics) while apps are connected (default 60; v3: 10)',
    )
    .option('--vin <vin>', 'VIN to report in F')
    .option(
      '--vehicle-type <code>',
      'vehicle type code to report (default RT; with --protocol v3 DEMO, as bridges refuse the Twizy lock codes)',
    )
    .option('--json-log', 'log one JSON object per line')
    .option('-v, --verbose', 'log every message sent and received')
    .option('-q, --quiet', 'log only warnings and errors');
  addConnectionOptions(car).action((flags: CarFlags) =>
    flags.protocol === 'v3' ? runV3Car(flags) : runCar(flags),
  );
}

async function runCar(flags: CarFlags): Promise<void> {
  const options = clientOptions(flags, 'C');
  const log = logger(flags);
  const { clientType: _ignored, ...client } = options;
  const car = startCar({
    client,
    pin: flags.pin,
    speedUp: positive('--speed-up', flags.speedUp),
    seed: parseSeed(flags.seed),
    scenario: flags.scenario,
    intervalIdle: positive('--interval-idle', flags.intervalIdle),
    intervalConnected: positive('--interval-connected', flags.intervalConnected ?? '60'),
    identity: identityOf(flags),
  });
  car.on('log', log);
  const fatal = await untilStopped(car);
  if (fatal) {
    throw new CliError(
      fatal instanceof LoginRefusedError
        ? describeError(fatal)
        : `car stopped: ${describeError(fatal, options)}`,
    );
  }
  log('info', 'stopped');
}

async function runV3Car(flags: CarFlags): Promise<void> {
  const options = v3CarOptions(flags);
  const log = logger(flags);
  const car = startV3Car(options);
  car.on('log', log);
  const fatal = await untilStopped(car);
  if (fatal) throw new CliError(`car stopped: ${describeError(fatal)}`);
  log('info', 'stopped');
}

interface RunningCar extends EventEmitter {
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** Runs until SIGINT/SIGTERM or a fatal error (returned). */
async function untilStopped(car: RunningCar): Promise<Error | undefined> {
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
  return fatal;
}
