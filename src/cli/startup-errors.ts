import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { SETTINGS } from '../config/settings.js';
import type { ListenerName } from '../server/listen-error.js';
import { ListenError } from '../server/listen-error.js';
import { redactUrl, StoreUrlError, sqlitePath } from '../store/open-store.js';

/**
 * What an operator can get wrong at start-up (a port in use, a database out of reach or refusing
 * the login, an unwritable SQLite path, the Redis bus, the TLS files), said in one sentence: what is
 * wrong, then what to do. `start`, `demo` and the admin commands raise a StartupError with it; the
 * command prints that one line and exits 1, with the driver's own error kept as its `cause` (its
 * stack is printed only at log level debug).
 */
export class StartupError extends Error {
  readonly code = 'OVMS_ERR_STARTUP';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/**
 * A value the operator sets, for the sentences: what it is (`name`), and where it is set: a
 * command-line flag, an environment variable, a config key.
 */
export interface SettingRef {
  name?: string;
  key?: string;
  env?: string;
  flag?: string;
}

/** The setting `key` (its environment variable from the settings table) and the flag that sets it. */
export function setting(key: string, flag?: string, name?: string): SettingRef {
  return { name, key, env: SETTINGS.find((s) => s.key === key)?.env, flag };
}

/**
 * "--port, OVMS_PORT or server.port in the config file"; with a name: "the database URL (--db,
 * OVMS_DB or database.url in the config file)".
 */
export function howToSet(ref: SettingRef): string {
  const ways = [ref.flag, ref.env, ref.key && `${ref.key} in the config file`].filter((w): w is string =>
    Boolean(w),
  );
  const text = ways.length > 1 ? `${ways.slice(0, -1).join(', ')} or ${ways.at(-1)}` : (ways[0] ?? '');
  if (!ref.name) return text;
  return text ? `${ref.name} (${text})` : ref.name;
}

export const DATABASE_URL = setting('database.url', '--db', 'the database URL');
export const BUS_URL = setting('bus.url', '--bus', 'the bus URL');
const HOST = setting('server.host', '--host', 'the listen address');

/** What each listener is, and the setting that moves it. */
export const LISTENERS: Record<ListenerName, { what: string; setting: SettingRef }> = {
  v2: { what: 'protocol v2', setting: setting('server.port', '--port') },
  v2tls: { what: 'protocol v2 over TLS', setting: setting('server.tls_port', '--tls-port') },
  http: { what: 'HTTP API', setting: setting('server.http_port', '--http-port') },
  https: { what: 'HTTPS API', setting: setting('server.https_port', '--https-port') },
  metrics: { what: 'Prometheus metrics', setting: setting('metrics.listen') },
};

interface SystemError {
  code?: string;
  errno?: number;
  message?: string;
  path?: string;
  syscall?: string;
  address?: string;
  port?: number;
}

/** The error's code; for an AggregateError (each address of a host name refused), its first one's. */
function codeOf(err: unknown): string {
  const e = (err ?? {}) as SystemError & { errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors) && e.errors.length > 0) return codeOf(e.errors[0]);
  return '';
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // One line, whatever the driver put in its message.
  return text.split('\n')[0]?.trim() || codeOf(err) || 'unknown error';
}

function hostText(host: string): string {
  return host === '::' || host === '0.0.0.0' || host === '' ? 'all addresses' : host;
}

/**
 * Why a port cannot be opened, and what to do. Used for the server's listeners at start (which then
 * stop the start-up) and meant for any later listener that must not (it logs the sentence instead).
 */
export function listenProblem(
  err: unknown,
  port: number,
  host: string,
  listener: { what: string; setting: SettingRef },
): string {
  const { what, setting: ref } = listener;
  switch (codeOf(err)) {
    case 'EADDRINUSE':
      return (
        `port ${port} (${what}) is already in use on ${hostText(host)}: stop the program that holds it ` +
        `(another ovms-server?), or choose another port with ${howToSet(ref)}`
      );
    case 'EACCES':
    case 'EPERM':
      return (
        `port ${port} (${what}) needs privileges this user does not have (ports below 1024): ` +
        `choose a port from 1024 up with ${howToSet(ref)}, or allow node to open low ports ` +
        '(setcap cap_net_bind_service=+ep on the node binary, or AmbientCapabilities in the systemd unit)'
      );
    case 'EADDRNOTAVAIL':
      return (
        `address ${host} is not an address of this machine (${what} port ${port}): ` +
        `set ${howToSet(HOST)} to one of its addresses, or to :: for all of them`
      );
    case 'EAFNOSUPPORT':
      return (
        `address ${host} cannot be used here, its address family (IPv6?) is off on this machine: ` +
        `set ${howToSet(HOST)} to 0.0.0.0 (all IPv4 addresses) or to one of its addresses`
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return (
        `the listen address "${host}" is not a known host name: ` +
        `set ${howToSet(HOST)} to an address of this machine, or to :: for all of them`
      );
    default:
      return (
        `cannot open port ${port} (${what}) on ${hostText(host)} (${messageOf(err)}): ` +
        `check ${howToSet(ref)} and ${howToSet(HOST)}`
      );
  }
}

/** The user and database a URL names, for the sentences (empty when it does not parse). */
function urlParts(url: string): { user: string; database: string; host: string } {
  try {
    const u = new URL(url);
    return {
      user: decodeURIComponent(u.username),
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
      host: u.host,
    };
  } catch {
    return { user: '', database: '', host: '' };
  }
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused, nothing listens there',
  ENOTFOUND: 'the host name is unknown',
  EAI_AGAIN: 'the host name cannot be looked up now (DNS)',
  ETIMEDOUT: 'no answer (timed out)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was closed at once',
};

const LOGIN_REFUSED = new Set([
  '28P01',
  '28000',
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);
const HOST_REFUSED = new Set(['ER_HOST_NOT_PRIVILEGED', 'ER_HOST_IS_BLOCKED']);
const NO_DATABASE = new Set(['3D000', 'ER_BAD_DB_ERROR']);
const NO_RIGHTS = new Set([
  '42501',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_PROCACCESS_DENIED_ERROR',
]);
const TOO_MANY = new Set(['53300', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS']);

/** Why the database a URL names cannot be used, and what to do. */
export function databaseProblem(err: unknown, url: string, ref: SettingRef = DATABASE_URL): string {
  const how = howToSet(ref);
  if (err instanceof StoreUrlError) return `${err.message}: fix ${how}`;
  if (codeOf(err) === 'ERR_INVALID_URL') {
    // Not echoed: the URL does not parse, so its password cannot be told apart to hide it.
    return (
      `${how} is not a valid URL: percent-encode special characters in its user name and ` +
      'password (@ as %40, # as %23, / as %2F)'
    );
  }
  if (url.startsWith('sqlite:')) return sqliteProblem(err, sqlitePath(url), how);
  const at = redactUrl(url);
  const { user, database } = urlParts(url);
  const code = codeOf(err);
  const reason = messageOf(err);
  if (UNREACHABLE[code] || /timeout|timed out/i.test(reason)) {
    return (
      `cannot reach the database ${at}: ${UNREACHABLE[code] ?? 'no answer (timed out)'}: ` +
      `start the database server or let this machine reach it, or fix the host and port in ${how}`
    );
  }
  if (HOST_REFUSED.has(code) || /pg_hba\.conf/.test(reason)) {
    return (
      `the database ${at} does not accept connections from this machine (${reason}): allow it ` +
      "(PostgreSQL: pg_hba.conf; MariaDB: the user's host part), or fix " +
      how
    );
  }
  if (LOGIN_REFUSED.has(code)) {
    return (
      `the database ${at} refused the login of user "${user}" (${reason}): ` +
      `fix the user name and password in ${how}, or create that user on the database server`
    );
  }
  if (NO_DATABASE.has(code)) {
    return (
      `the database "${database}" named in ${at} does not exist: create it ` +
      `(CREATE DATABASE ${database || 'NAME'}, owned by the user in the URL), or fix its name in ${how}`
    );
  }
  if (code === '3F000') {
    return `the schema named in ${at} does not exist (${reason}): create it, or fix ?schema= in ${how}`;
  }
  if (NO_RIGHTS.has(code)) {
    return (
      `the database user "${user}" may not do what ovms-server needs in ${at} (${reason}): ` +
      `let it create and use tables there (${grantHint(url)}), ` +
      'or run "ovms-server db migrate" once as a user who may'
    );
  }
  if (TOO_MANY.has(code)) {
    return (
      `the database ${at} has no connection free (${reason}): raise its connection limit, ` +
      `or lower ?pool_max= in ${how}`
    );
  }
  return `cannot use the database ${at} (${reason}): check ${how} and the database server's log`;
}

/** The statement that gives the URL's user the rights ovms-server needs. */
function grantHint(url: string): string {
  const { user, database } = urlParts(url);
  const u = user || 'USER';
  if (/^postgres(ql)?:/.test(url)) {
    const schema = new URL(url).searchParams.get('schema') ?? 'public';
    return `make ${u} the database's owner, or GRANT CREATE, USAGE ON SCHEMA ${schema} TO ${u}`;
  }
  return `GRANT ALL ON ${database || 'DB'}.* TO '${u}'@'%'`;
}

/** Why an SQLite database file cannot be made or written, and what to do. */
function sqliteProblem(err: unknown, file: string, how: string): string {
  const e = (err ?? {}) as SystemError;
  const code = codeOf(err);
  const elsewhere = `or choose another path in ${how}`;
  const cannotCreate = (why: string) =>
    `cannot create the SQLite database ${file}: ${why}: ` +
    `give the user running ovms-server a folder it may write, ${elsewhere}`;
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return cannotCreate(`${e.path ?? 'a folder on its path'} is a file, not a folder`);
    case 'EACCES':
    case 'EPERM':
      return cannotCreate(`this user may not write ${e.path ?? 'there'}`);
    case 'EROFS':
      return cannotCreate(`${e.path ?? 'it'} is on a read-only file system`);
    case 'ENOENT':
      return cannotCreate(`${e.path ?? 'it'} cannot be made there`);
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return `the disk of the SQLite database ${file} is full: free some space, ${elsewhere}`;
    case 'SQLITE_NOTADB':
      return `${file} is not an SQLite database (${messageOf(err)}): point ${how} at the database file`;
    case 'SQLITE_CORRUPT':
      return `the SQLite database ${file} is damaged (${messageOf(err)}): restore it from a backup (docs/operations.md)`;
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return (
      `the SQLite database ${file} cannot be written (${messageOf(err)}): let the user running ` +
      'ovms-server write the file and its folder (SQLite keeps -wal and -shm files beside it), ' +
      elsewhere
    );
  }
  return `cannot use the SQLite database ${file} (${messageOf(err)}): check ${how}`;
}

/** Why the Redis bus cannot be joined, and what to do. */
export function busProblem(err: unknown, url: string, ref: SettingRef = BUS_URL): string {
  const at = redactUrl(url);
  const how = howToSet(ref);
  const code = codeOf(err);
  const reason = messageOf(err);
  if (UNREACHABLE[code]) {
    return (
      `cannot reach the Redis bus ${at}: ${UNREACHABLE[code]}: start Redis there, or fix ${how}, ` +
      'or leave it empty to run this node on its own'
    );
  }
  if (/^(NOAUTH|WRONGPASS)/.test(reason)) {
    return `the Redis bus ${at} refused the login (${reason}): set its password in ${how} (redis://:PASSWORD@HOST:6379)`;
  }
  return `cannot join the Redis bus ${at} (${reason}): check ${how} and the Redis server`;
}

const TLS_CERT = setting('tls.cert');
const TLS_KEY = setting('tls.key');

/**
 * Checks the TLS certificate and key before anything is opened: both readable, each in PEM, and the
 * key the certificate's. Returns the sentence for the first problem, or undefined.
 */
export function tlsFilesProblem(tls: { cert: string; key: string }): string | undefined {
  const files = [
    { path: tls.cert, what: 'TLS certificate', ref: TLS_CERT, option: 'cert' as const },
    { path: tls.key, what: 'TLS key', ref: TLS_KEY, option: 'key' as const },
  ];
  const pem: Partial<Record<'cert' | 'key', Buffer>> = {};
  for (const f of files) {
    try {
      pem[f.option] = readFileSync(f.path);
    } catch (err) {
      return `cannot read the ${f.what} ${f.path} (${messageOf(err)}): fix ${howToSet(f.ref)}, or let this user read the file`;
    }
  }
  for (const f of files) {
    try {
      createSecureContext({ [f.option]: pem[f.option] });
    } catch (err) {
      return (
        `the ${f.what} ${f.path} cannot be used (${messageOf(err)}): point ${howToSet(f.ref)} at a PEM file ` +
        `(${f.option === 'cert' ? 'the certificate chain, e.g. fullchain.pem' : 'the private key without a passphrase, e.g. privkey.pem'})`
      );
    }
  }
  try {
    createSecureContext({ cert: pem.cert, key: pem.key });
  } catch (err) {
    return (
      `the TLS key ${tls.key} does not belong to the certificate ${tls.cert} (${messageOf(err)}): ` +
      `set ${TLS_CERT.key} and ${TLS_KEY.key} to a matching pair`
    );
  }
  return undefined;
}

/** The operator's own errors (config, user errors, and these) pass through as they are. */
function explainedAlready(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('OVMS_ERR') && !(err instanceof StoreUrlError);
}

/** Runs `work`; what it throws becomes a StartupError with `explain`'s sentence. */
export async function explaining<T>(work: () => Promise<T>, explain: (err: unknown) => string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (explainedAlready(err)) throw err;
    throw new StartupError(explain(err), { cause: err });
  }
}

/** Opening (and migrating) the database `url`; its failures said in one sentence. */
export function openingDatabase<T>(url: string, work: () => Promise<T>, ref = DATABASE_URL): Promise<T> {
  return explaining(work, (err) => databaseProblem(err, url, ref));
}

/** Starting the listeners; a port that cannot be opened said in one sentence, other errors kept. */
export async function openingPorts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    throw new StartupError(listenProblem(err, err.port, err.host, LISTENERS[err.listener]), {
      cause: err.cause,
    });
  }
}

/** The stack of the error behind a one-line StartupError is for log level debug (or trace) only. */
export function stackWanted(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const i = argv.indexOf('--log-level');
  const flag = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--log-level='))?.split('=')[1];
  return /^(debug|trace)$/i.test(flag ?? env.OVMS_LOG_LEVEL ?? '');
}
