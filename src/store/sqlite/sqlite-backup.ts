import { closeSync, existsSync, linkSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { migrationStatus } from './migrations.js';

/**
 * An online copy of a SQLite database while the server writes to it, through SQLite's backup API.
 *
 * The copy is taken in one step, that is inside one read transaction: in WAL mode a reader sees one
 * committed state and does not hold up the writers, so the copy is consistent however busy the server
 * is (a copy in several steps would restart each time another process commits). It is written to a
 * temporary file that only the owner can read, checked, and only then given its name.
 */

export class BackupError extends Error {
  readonly code = 'OVMS_ERR_BACKUP';
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface SqliteBackup {
  /** Absolute path of the copy. */
  path: string;
  bytes: number;
  /** Schema version of the copy (0 when it holds no ovms-server schema). */
  schemaVersion: number;
  owners: number;
  vehicles: number;
  /** True when some vehicle secret in the copy is sealed: a restore needs the key too. */
  sealedSecrets: boolean;
}

/** Pages per backup step: all of them, so the copy is one read transaction (see above). */
const ALL_PAGES = 0x7fffffff;

export async function backupSqlite(
  sourcePath: string,
  destinationPath: string,
  options: { force?: boolean } = {},
): Promise<SqliteBackup> {
  const source = resolve(sourcePath);
  const destination = resolve(destinationPath);
  checkPaths(source, destination, options.force === true);
  const temporary = join(dirname(destination), `.${basename(destination)}.${process.pid}.partial`);
  closeSync(openSync(temporary, 'wx', 0o600));
  try {
    await copyDatabase(source, temporary);
    const summary = inspectCopy(temporary);
    putInPlace(temporary, destination, options.force === true);
    return { path: destination, bytes: statSync(destination).size, ...summary };
  } catch (error) {
    removeIfThere(temporary);
    throw error;
  }
}

function checkPaths(source: string, destination: string, force: boolean): void {
  if (!existsSync(source)) throw new BackupError(`there is no SQLite database at ${source}`);
  if (!existsSync(dirname(destination))) {
    throw new BackupError(`the folder ${dirname(destination)} does not exist`);
  }
  if (existsSync(destination)) {
    if (sameFile(source, destination)) throw new BackupError(`${destination} is the database itself`);
    if (!force) {
      throw new BackupError(
        `${destination} already exists; choose another file, or add --force to replace it`,
      );
    }
    if (statSync(destination).isDirectory()) throw new BackupError(`${destination} is a folder`);
  }
  // A write-ahead log beside the target would be replayed into the copy by whoever opens it next.
  if (existsSync(`${destination}-wal`)) {
    throw new BackupError(
      `${destination}-wal exists: ${destination} looks like a database in use; choose another file`,
    );
  }
}

function sameFile(a: string, b: string): boolean {
  const [sa, sb] = [statSync(a), statSync(b)];
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

async function copyDatabase(source: string, target: string): Promise<void> {
  let db: Database.Database;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`cannot open the database ${source}: ${(error as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(target, { progress: () => ALL_PAGES });
  } catch (error) {
    throw new BackupError(`the copy of ${source} failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

/** Opens the copy on its own: it must pass SQLite's check; says what it holds. */
function inspectCopy(path: string): Omit<SqliteBackup, 'path' | 'bytes'> {
  const db = new Database(path, { fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`the copy failed SQLite's check: ${String(check)}`);
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    const count = (table: string) =>
      tables.has(table) ? (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
    const sealed =
      tables.has('vehicles') &&
      db.prepare("SELECT 1 FROM vehicles WHERE substr(secret, 1, 4) = 'enc:' LIMIT 1").get() !== undefined;
    return {
      schemaVersion: migrationStatus(db).current,
      owners: count('owners'),
      vehicles: count('vehicles'),
      sealedSecrets: sealed,
    };
  } finally {
    db.close();
  }
}

/** Gives the checked copy its name; without `force` never over an existing file, even one made meanwhile. */
function putInPlace(temporary: string, destination: string, force: boolean): void {
  if (force) {
    renameSync(temporary, destination);
    return;
  }
  try {
    linkSync(temporary, destination);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError(
        `${destination} already exists; choose another file, or add --force to replace it`,
      );
    }
    // A file system without hard links: a plain rename after one more look.
    if (existsSync(destination)) throw error;
    renameSync(temporary, destination);
    return;
  }
  unlinkSync(temporary);
}

function removeIfThere(path: string): void {
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
}
