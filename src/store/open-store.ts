import { mysqlStoreOn, openMysqlPool } from './mysql/mysql-store.js';
import { isPerlDatabase, perlStoreOn } from './perl/perl-store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { createSecretBox, plainSecretBox } from './secret-box.js';
import { type KeyFileInfo, useKeyFile } from './sqlite/key-file.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { SecretBox, Store } from './store.js';

export class StoreUrlError extends Error {
  readonly code = 'OVMS_ERR_DATABASE_URL';
  constructor(message: string) {
    super(message);
    this.name = 'StoreUrlError';
  }
}

/** Path of a `sqlite:` URL: `sqlite:./data/ovms.db`, `sqlite:///abs/path.db`, `sqlite::memory:`. */
export function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length);
  if (rest === ':memory:') return ':memory:';
  if (rest.startsWith('//')) return rest.slice(2) || ':memory:';
  return rest;
}

export interface OpenStoreOptions {
  /** The configured `secrets.key`; empty or absent: none configured. */
  secretsKey?: string;
  /** Told which key file seals the car secrets (an embedded database without `secrets.key`). */
  onKeyFile?: (info: KeyFileInfo) => void;
}

/**
 * Opens the store a database URL names: the scheme picks the back-end, and a MariaDB/MySQL database
 * that holds the Perl server's tables is used in Perl mode.
 *
 * Car secrets are sealed with `secrets.key` when it is set. Without it, an embedded database file
 * uses its key file (made on first use, see sqlite/key-file.ts); the network databases store them
 * as given.
 */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const secretBox = opts.secretsKey ? createSecretBox(opts.secretsKey) : plainSecretBox;
  if (url.startsWith('sqlite:')) {
    const path = sqlitePath(url);
    const inMemory = path === ':memory:' || path === '';
    return openSqliteStore({
      path,
      secretBox: opts.secretsKey || inMemory ? secretBox : keyFileBox(path, opts.onKeyFile),
    });
  }
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore({ url, secretBox });
  if (/^(mysql|mariadb):\/\//.test(url)) {
    // A Perl server's database is used as it is (Perl mode); the store's kind, 'perl-mysql', says so
    // in the start-up log.
    const pool = await openMysqlPool({ url });
    try {
      return (await isPerlDatabase(pool)) ? perlStoreOn(pool) : mysqlStoreOn(pool, { url, secretBox });
    } catch (error) {
      await pool.close().catch(() => {});
      throw error;
    }
  }
  const scheme = url.split(':', 1)[0];
  throw new StoreUrlError(
    `unsupported database URL scheme "${scheme}:" (supported: sqlite:PATH, postgres://USER@HOST/DB, ` +
      'mysql://USER@HOST/DB, mariadb://USER@HOST/DB)',
  );
}

function keyFileBox(path: string, onKeyFile: OpenStoreOptions['onKeyFile']) {
  return (hasSealedSecrets: () => boolean): SecretBox => {
    const { key, info } = useKeyFile(path, hasSealedSecrets);
    onKeyFile?.(info);
    return createSecretBox(key, `the key file ${info.path}`);
  };
}

/**
 * Hides the password part of a database or bus URL for logs and messages (also with no user name,
 * as in redis://:PASSWORD@host, and with an unencoded @ in the password).
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^/]*@/, '//$1:***@');
}
