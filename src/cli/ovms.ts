import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAppCommands } from './app/app-commands.js';
import { CliError, describeError } from './app/connection.js';
import { registerCarCommand } from './car/car-command.js';

/**
 * The `ovms` command: a simulated v3 car (`ovms car`) and app-side tools (`ovms app ...`).
 * Exit status: 0 ok, 1 failure (one line on stderr), 2 usage error.
 */
export function buildProgram(): Command {
  const program = new Command('ovms')
    .description('OVMS client tools: a simulated car (protocol v2, or v3 over MQTT) and v2 app commands')
    .showHelpAfterError()
    // Set before adding subcommands, which inherit it: commander must not exit the process itself.
    .exitOverride();
  registerCarCommand(program);
  registerAppCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander has already printed what was wrong.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`ovms: ${err instanceof CliError ? err.message : describeError(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

function runDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (runDirectly()) await main(process.argv.slice(2));
