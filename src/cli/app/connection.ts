import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type Command, Option } from 'commander';
import {
  LoginRefusedError,
  OvmsClient,
  type OvmsClientOptions,
  type ReceivedMessage,
} from '../../client/ovms-client.js';
import type { TransportKind } from '../../client/transport.js';

/**
 * The connection options every `ovms` subcommand takes (server, vehicle, secret, TLS, WebSocket),
 * turning them into client options, and the errors the CLI reports as one line.
 */

export interface ConnectionFlags {
  server?: string;
  id?: string;
  password?: string;
  tls?: boolean;
  ca?: string;
  insecure?: boolean;
  ws?: boolean;
}

/** A failure to report as one line on stderr; exit status 1, or 2 for usage errors. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, 2);

export const DEFAULT_PORT = 6867;
export const DEFAULT_TLS_PORT = 6870;

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--server <host:port>',
        `server address (default 127.0.0.1:${DEFAULT_PORT}, ${DEFAULT_TLS_PORT} with --tls)`,
      ).env('OVMS_SERVER'),
    )
    .addOption(new Option('--id <vehicleid>', 'vehicle id').env('OVMS_VEHICLE'))
    .addOption(
      new Option(
        '--password <secret>',
        "the vehicle's shared secret (prefer OVMS_PASSWORD: arguments are visible to other users)",
      ).env('OVMS_PASSWORD'),
    )
    .option('--tls', 'connect with TLS')
    .option('--ca <file>', 'PEM file with the CA certificate(s) to trust for --tls')
    .option('--insecure', 'with --tls: do not check the server certificate')
    .option('--ws', 'use the WebSocket transport (/apiv2)');
}

/** Parses `host`, `host:port` or `[v6addr]:port`. */
export function parseServer(text: string, defaultPort: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const match = bracketed ?? plain;
  if (!match?.[1]) throw usageError(`invalid --server "${text}": expected HOST:PORT`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw usageError(`invalid port in --server "${text}"`);
  return { host: match[1], port };
}

/** The PEM file of `--ca`, or a one-line error. */
export function readCaFile(path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read --ca ${path}: ${(err as Error).message}`);
  }
}

/** Client options for these flags; throws a usage error when the id or secret is missing. */
export function clientOptions(
  flags: ConnectionFlags,
  clientType: OvmsClientOptions['clientType'],
): OvmsClientOptions {
  if (!flags.id) throw usageError('missing --id VEHICLEID (or OVMS_VEHICLE)');
  if (!flags.password) throw usageError('missing --password SECRET (or OVMS_PASSWORD)');
  const { host, port } = parseServer(
    flags.server ?? '127.0.0.1',
    flags.tls ? DEFAULT_TLS_PORT : DEFAULT_PORT,
  );
  const transport: TransportKind = flags.ws ? (flags.tls ? 'wss' : 'ws') : flags.tls ? 'tls' : 'tcp';
  const ca = readCaFile(flags.ca);
  return {
    host,
    port,
    transport,
    tls: flags.tls
      ? {
          ...(ca ? { ca } : {}),
          rejectUnauthorized: !flags.insecure,
          // SNI takes host names only; an address as server name only earns a deprecation warning.
          ...(isIP(host) ? { servername: undefined } : {}),
        }
      : undefined,
    clientType,
    vehicleId: flags.id,
    secret: flags.password,
    loginTimeoutMs: 15_000,
  };
}

/** One line that says what went wrong, without stack traces or secrets. */
export function describeError(err: unknown, where?: { host: string; port: number }): string {
  if (err instanceof LoginRefusedError) return 'login refused: unknown vehicle id or wrong password';
  const e = err as NodeJS.ErrnoException;
  const at = where ? ` ${where.host}:${where.port}` : '';
  if (e?.code === 'ECONNREFUSED') return `cannot connect to${at}: connection refused`;
  if (e?.code === 'ENOTFOUND') return `cannot connect to${at}: unknown host`;
  if (e?.code === 'ETIMEDOUT') return `cannot connect to${at}: timed out`;
  if (typeof e?.code === 'string' && /CERT|SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(e.code)) {
    return `TLS certificate of${at} not accepted: ${e.message} (trust it with --ca FILE, or use --insecure)`;
  }
  return e?.message ? String(e.message) : String(err);
}

/**
 * Runs `fn` with a logged-in app or batch client and always closes it. `onMessage` is attached
 * before the login, because the server's first lines (Z, the stored messages) can arrive in the
 * same packet as its welcome and would be missed by a listener added afterwards.
 */
export async function withClient<T>(
  flags: ConnectionFlags,
  clientType: 'A' | 'B',
  onMessage: (m: ReceivedMessage) => void,
  fn: (client: OvmsClient) => Promise<T>,
): Promise<T> {
  const options = clientOptions(flags, clientType);
  const client = new OvmsClient({ ...options, commandTimeoutMs: 30_000 });
  // A broken line after login shows up as a disconnect, which the commands report themselves.
  client.on('error', () => {});
  client.on('message', onMessage);
  try {
    await client.connect();
  } catch (err) {
    throw new CliError(describeError(err, options));
  }
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Resolves when the server closes the connection (for commands that wait on messages). */
export function closedByServer(client: OvmsClient): Promise<never> {
  const closed = new Promise<never>((_, reject) => {
    client.once('disconnect', () => reject(new CliError('the server closed the connection')));
  });
  // Our own close at the end also emits 'disconnect'; by then nobody listens, and that is fine.
  closed.catch(() => {});
  return closed;
}

/** `--type A|B`: interactive app (counted in the car's Z) or batch client. */
export function parseClientType(text: string | undefined): 'A' | 'B' {
  const t = (text ?? 'A').toUpperCase();
  if (t !== 'A' && t !== 'B') throw usageError(`invalid --type "${text}": expected A or B`);
  return t;
}
