import type { Command } from 'commander';
import { runCmd } from './cmd-command.js';
import { addConnectionOptions } from './connection.js';
import { runHistory, runUsage } from './history-command.js';
import { addRecordingOptions, runCharges, runTrips } from './recording-command.js';
import { runStatus } from './status-command.js';
import { runWatch } from './watch-command.js';

/** Options shared by the app subcommands, on top of the connection options. */
function appOptions(cmd: Command): Command {
  return addConnectionOptions(cmd)
    .option('--type <A|B>', 'log in as an interactive app (A, counted by the car) or a batch client (B)', 'A')
    .option('--json', 'print JSON instead of text');
}

export function registerAppCommands(program: Command): void {
  const app = program
    .command('app')
    .description('talk to a vehicle as an app: status, live messages, commands, history');

  appOptions(app.command('status').description('print what the server knows about the vehicle'))
    .option('--wait <s>', 'stop collecting after this many quiet seconds when the server sends no T', '3')
    .action((flags) => runStatus(flags));

  appOptions(app.command('watch').description('print messages as they arrive, one per line'))
    .option('--count <n>', 'stop after N messages')
    .action((flags) => runWatch(flags));

  appOptions(
    app
      .command('cmd')
      .description('send a command to the car and print the reply (use -- before negative parameters)')
      .argument('<code>', 'command number, e.g. 20 (lock) or 7 (shell command)')
      .argument('[params...]', 'command parameters, e.g. the PIN'),
  )
    .option('--timeout <s>', 'seconds to wait for the reply', '30')
    .action((code: string, params: string[], flags) => runCmd(code, params, flags));

  appOptions(
    app
      .command('history')
      .description('list the stored history types (command 31), or the records of one type (command 32)')
      .argument('[type]', 'history record type, e.g. *-LOG-Trip'),
  )
    .option('--since <when>', 'only newer records: 2h, 7d or "YYYY-MM-DD HH:MM:SS" (UTC)')
    .action((type: string | undefined, flags) => runHistory(type, flags));

  appOptions(app.command('usage').description('data usage per day (command 30)')).action((flags) =>
    runUsage(flags),
  );

  addRecordingOptions(
    app.command('trips').description("the vehicle's recorded trips (HTTP API, owner login)"),
  ).action((flags) => runTrips(flags));
  addRecordingOptions(
    app.command('charges').description("the vehicle's recorded charge sessions (HTTP API, owner login)"),
  ).action((flags) => runCharges(flags));
}
