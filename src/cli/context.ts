import { type Command, Option } from 'commander';
import { type LoadOptions, loadConfig, type ServerConfig } from '../config/config.js';
import { type OpenStoreOptions, openStore } from '../store/open-store.js';
import { SchemaNewerError } from '../store/schema-newer-error.js';
import type { MigrationStatus, Store } from '../store/store.js';
import { keyFileNotice } from './secrets-at-start.js';
import { openingDatabase } from './startup-errors.js';

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
  const store = await openReadyStore(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/**
 * Opens the configured store and readies its schema (readySchema); a database that cannot be
 * reached, refuses the login or the migrations fails with one sentence (startup-errors.ts).
 */
export async function openReadyStore(config: ServerConfig, options = storeOptions(config)): Promise<Store> {
  const url = config.database.url;
  const store = await openingDatabase(url, () => openStore(url, options));
  try {
    await openingDatabase(url, () => readySchema(store, config.database.migrate));
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

/**
 * Applies the pending migrations, or with `database.migrate = false` only checks that the schema is
 * the one this version needs: a newer one is refused either way (no downgrades), and an older one
 * waits for `ovms-server db migrate`.
 */
export async function readySchema(store: Store, migrate: boolean): Promise<MigrationStatus> {
  if (migrate) return store.migrate();
  const status = await store.migrationStatus();
  if (status.current > status.latest) throw new SchemaNewerError(status.current, status.latest);
  if (status.current < status.latest) {
    throw new UserError(
      `the database schema is version ${status.current}, this ovms-server needs ${status.latest}, and ` +
        'database.migrate is off: run "ovms-server db migrate" with the same configuration first, ' +
        'or set database.migrate = true (OVMS_DB_MIGRATE)',
    );
  }
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
  readonly code = 'OVMS_ERR_USER';
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Errors said in one line (UserError, ConfigError, StartupError, ...: their code starts OVMS_ERR). */
export function isUserFacing(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  return typeof code === 'string' && code.startsWith('OVMS_ERR');
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export { table } from './app/reply-format.js';
