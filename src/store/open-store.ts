import { mysqlStoreOn, openMysqlPool } from './mysql/mysql-store.js';
import { isPerlDatabase, perlStoreOn } from './perl/perl-store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { createSecretBox, plainSecretBox } from './secret-box.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

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

/**
 * Opens the store a database URL names: the scheme picks the back-end, and a MariaDB/MySQL database
 * that holds the Perl server's tables is used in Perl mode.
 */
export async function openStore(url: string, opts: { secretsKey?: string } = {}): Promise<Store> {
  const secretBox = opts.secretsKey ? createSecretBox(opts.secretsKey) : plainSecretBox;
  if (url.startsWith('sqlite:')) return openSqliteStore({ path: sqlitePath(url), secretBox });
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

/** Hides the password part of a database URL for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
