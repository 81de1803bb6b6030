import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerPushCommands } from '../push/push-command.js';
import { registerBackupCommand } from './admin/backup-command.js';
import { registerDbCommands } from './admin/db-commands.js';
import { registerExportCommand } from './admin/export-command.js';
import { registerImportCommand } from './admin/import-command.js';
import { registerOwnerCommands } from './admin/owner-commands.js';
import { registerProvisionCommands } from './admin/provision-commands.js';
import { registerTokenCommands } from './admin/token-commands.js';
import { registerVehicleCommands } from './admin/vehicle-commands.js';
import { isUserFacing } from './context.js';
import { registerDemoCommand } from './demo-command.js';
import { registerStartCommand } from './start-command.js';
import { stackWanted } from './startup-errors.js';

export function buildProgram(): Command {
  const program = new Command('ovms-server')
    .description('OVMS protocol v2 server: cars, apps, storage, push')
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerOwnerCommands(program);
  registerVehicleCommands(program);
  registerProvisionCommands(program);
  registerTokenCommands(program);
  registerDbCommands(program);
  registerBackupCommand(program);
  registerExportCommand(program);
  registerDemoCommand(program);
  registerImportCommand(program);
  registerPushCommands(program);
  return program;
}

/**
 * Entry point of the `ovms-server` command; exit 1 with one clear line on a user error (the error
 * behind it follows only at log level debug), 2 on usage.
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isUserFacing(err)) {
      process.stderr.write(`ovms-server: ${err.message}\n`);
      if (err.cause instanceof Error && stackWanted(argv)) process.stderr.write(`${err.cause.stack}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
