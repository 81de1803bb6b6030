import { type Command, Option } from 'commander';
import { ConfigError, type LoadOptions, loadConfig, type ServerConfig } from '../config/config.js';
import { type OpenStoreOptions, openStore } from '../store/open-store.js';
import { SchemaNewerError } from '../store/schema-newer-error.js';
import type { MigrationStatus, Store } from '../store/store.js';
import { keyFileNotice } from './secrets-at-start.js';

/** Options every ovms-server command takes to find the configuration and the database. */
export interface CommonOptions {
  config?: string;
  db?: string;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-c, --config <file>', 'TOML configuration file').env('OVMS_CONFIG'))
    .addOption(new Option('--db <url>', 'database URL, e.g. sqlite:./data/ovms.db (env OVMS_DB)'));
}

export function configFrom(opts: CommonOptions, overrides: LoadOptions['overrides'] = {}): ServerConfig {
  return loadConfig({ file: opts.config, overrides: { 'database.url': opts.db, ...overrides } });
}

/** Opens the configured store (migrated), runs `fn`, and always closes the store. */
export async function withStore<T>(
  opts: CommonOptions,
  fn: (store: Store, config: ServerConfig) => Promise<T>,
): Promise<T> {
  const config = configFrom(opts);
  const store = await openStore(config.database.url, storeOptions(config));
  try {
    await readySchema(store, config.database.migrate);
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/**
 * Applies the pending migrations, or with `database.migrate = false` only checks that the schema is
 * not newer than this version (a downgrade is refused either way).
 */
export async function readySchema(store: Store, migrate: boolean): Promise<MigrationStatus> {
  if (migrate) return store.migrate();
  const status = await store.migrationStatus();
  if (status.current > status.latest) throw new SchemaNewerError(status.current, status.latest);
  return status;
}

/** How the admin commands open the store: a key file made on the way is announced on stderr. */
export function storeOptions(config: ServerConfig): OpenStoreOptions {
  return {
    secretsKey: config.secretsKey,
    onKeyFile: (info) => {
      if (info.created) process.stderr.write(`ovms-server: ${keyFileNotice(info)}\n`);
    },
  };
}

/** An error the user caused: printed as one line, exit status 1, no stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserFacing(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  return (
    err instanceof UserError ||
    err instanceof ConfigError ||
    (typeof code === 'string' && code.startsWith('OVMS_ERR'))
  );
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export { table } from './app/reply-format.js';
