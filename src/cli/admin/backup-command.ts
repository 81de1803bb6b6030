import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ServerConfig } from '../../config/config.js';
import { sqlitePath } from '../../store/open-store.js';
import { keyFilePath } from '../../store/sqlite/key-file.js';
import { backupSqlite, type SqliteBackup } from '../../store/sqlite/sqlite-backup.js';
import { addCommonOptions, type CommonOptions, configFrom, print, UserError } from '../context.js';
import { nativeDumpAdvice } from './native-dump.js';

interface BackupOptions extends CommonOptions {
  force?: boolean;
}

export function registerBackupCommand(program: Command): void {
  addCommonOptions(program.command('backup'))
    .argument('<file>', 'where to write the copy (refused if it exists, unless --force)')
    .description(
      'copy the SQLite database while the server runs (PostgreSQL/MariaDB: prints the dump command)',
    )
    .option('--force', 'replace FILE if it exists')
    .action(async (file: string, o: BackupOptions) => {
      const config = configFrom(o);
      const url = config.database.url;
      const advice = nativeDumpAdvice(url, file);
      if (advice !== undefined) throw new UserError(advice);
      if (!url.startsWith('sqlite:'))
        throw new UserError(`backup: unsupported database URL ${url.split(':', 1)[0]}:`);
      const source = sqlitePath(url);
      if (source === ':memory:') throw new UserError('backup: an in-memory database has nothing to copy');
      const copy = await backupSqlite(source, file, { force: o.force });
      print(describe(resolve(source), copy));
      const reminder = keyReminder(config, source, copy);
      if (reminder) print(reminder);
    });
}

function describe(source: string, copy: SqliteBackup): string {
  return (
    `backup of ${source} written to ${copy.path}: ${size(copy.bytes)}, schema version ${copy.schemaVersion}, ` +
    `${count(copy.owners, 'owner')}, ${count(copy.vehicles, 'vehicle')}, SQLite quick_check ok`
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB (${bytes} bytes)`;
}

/**
 * The copy alone does not let cars log in when their secrets are sealed: the key lives outside the
 * database (the secrets.key setting, or the key file an SQLite database keeps beside itself).
 */
function keyReminder(config: ServerConfig, source: string, copy: SqliteBackup): string | undefined {
  const after = 'without it no car can log in after a restore';
  if (config.secretsKey !== '') {
    return `keep the secrets.key setting (config file or OVMS_SECRETS_KEY) with this copy: it seals the vehicle secrets, and ${after}`;
  }
  const keyFile = keyFilePath(source);
  if (existsSync(keyFile)) {
    return `back up the key file ${keyFile} too: it seals the vehicle secrets, and ${after}`;
  }
  if (copy.sealedSecrets) {
    return `the vehicle secrets in this copy are sealed: keep the key they were sealed with (secrets.key, or the key file beside the database); ${after}`;
  }
  return undefined;
}
