import type { Command } from 'commander';
import type { Logger } from 'pino';
import { isPerlSchema } from '../auth/owner-login.js';
import { openBus } from '../bus/open-bus.js';
import type { ServerConfig } from '../config/config.js';
import { buildDispatcher } from '../push/build.js';
import { createLogger } from '../server/logger.js';
import { OvmsServer } from '../server/ovms-server.js';
import { openStore, redactUrl } from '../store/open-store.js';
import type { KeyFileInfo } from '../store/sqlite/key-file.js';
import type { Store } from '../store/store.js';
import { addCommonOptions, type CommonOptions, configFrom, readySchema } from './context.js';
import { logKeySource, sealSecretsAtStart } from './secrets-at-start.js';
import {
  busProblem,
  explaining,
  openingDatabase,
  openingPorts,
  StartupError,
  tlsFilesProblem,
} from './startup-errors.js';
import { warnUnsafeStoredNames } from './stored-names-check.js';

export interface StartOptions extends CommonOptions {
  host?: string;
  port?: string;
  tlsPort?: string;
  httpPort?: string;
  httpsPort?: string;
  mqttPort?: string;
  mqttTlsPort?: string;
  logLevel?: string;
  bus?: string;
  nodeId?: string;
}

export interface RunningServer {
  server: OvmsServer;
  store: Store;
  log: Logger;
  stop(): Promise<void>;
}

/**
 * Opens the store, applies migrations, starts the listeners. What an operator can get wrong (TLS
 * files, database, bus, ports) fails with one sentence (startup-errors.ts), after closing whatever
 * was already open, so the process ends.
 */
export async function startServer(o: StartOptions): Promise<RunningServer> {
  const config = configFrom(o, {
    'server.host': o.host,
    'server.port': o.port,
    'server.tls_port': o.tlsPort,
    'server.http_port': o.httpPort,
    'server.https_port': o.httpsPort,
    'mqtt.port': o.mqttPort,
    'mqtt.tls_port': o.mqttTlsPort,
    'log.level': o.logLevel,
    'bus.url': o.bus,
    'server.node_id': o.nodeId,
  });
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const tlsProblem = usesTls(config) ? tlsFilesProblem(config.tls) : undefined;
  if (tlsProblem) throw new StartupError(tlsProblem);
  const opened: (() => Promise<unknown>)[] = [];
  try {
    return await startOn(config, log, opened);
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw error;
  }
}

function usesTls(config: ServerConfig): boolean {
  return config.tls.cert !== '' && config.tls.key !== '' && (config.tlsPort > 0 || config.httpsPort > 0);
}

/** The start-up steps; `opened` collects how to close what is open so far. */
async function startOn(
  config: ServerConfig,
  log: Logger,
  opened: (() => Promise<unknown>)[],
): Promise<RunningServer> {
  const url = config.database.url;
  let keyFile: KeyFileInfo | undefined;
  const store = await openingDatabase(url, () =>
    openStore(url, {
      secretsKey: config.secretsKey,
      onKeyFile: (info) => {
        keyFile = info;
      },
    }),
  );
  opened.push(() => store.close());
  await openingDatabase(url, () => prepareStore(store, log, config, keyFile));
  const bus = await explaining(
    () => openBus(config, log),
    (err) => busProblem(err, config.bus.url),
  );
  opened.push(() => bus.close());
  const notifier = buildDispatcher(config, store, log);
  opened.push(() => notifier.close());
  log.info({ channels: notifier.channels.map((c) => c.name) }, 'push channels');
  const server = new OvmsServer({ config, store, log, bus, notifier });
  opened.push(() => server.stop());
  await openingPorts(() => server.start());
  notifier.start();
  if ((await store.listOwners()).length === 0) {
    log.info(
      'first run: no owners yet. Add one and a vehicle with\n' +
        '  npx ovms-server owner add alice --password "a long password"\n' +
        '  npx ovms-server vehicle add MYCAR --owner alice --password "module secret"\n' +
        `then set the module's server to this host, port ${server.ports.v2}, vehicle id MYCAR and that secret.`,
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    server,
    store,
    log,
    stop: () => {
      stopped ??= (async () => {
        await server.stop();
        await notifier.close();
        await bus.close();
        await store.close();
      })();
      return stopped;
    },
  };
}

/** Migrations, then what the stored data needs before the first login: sealed secrets, name checks. */
async function prepareStore(
  store: Store,
  log: Logger,
  config: ServerConfig,
  keyFile: KeyFileInfo | undefined,
): Promise<void> {
  // A schema newer than this version is refused (the caller closes the store, or its pool would
  // keep the process alive).
  const status = await readySchema(store, config.database.migrate);
  if (config.database.migrate) {
    log.info(
      { database: redactUrl(config.database.url), store: store.kind, schema: status.current },
      'database ready',
    );
  }
  const perlMode = isPerlSchema(store);
  if (perlMode) warnPerlMode(log, config.secretsKey !== '');
  logKeySource(log, keyFile, { secretsKeySet: config.secretsKey !== '', perlMode, storeKind: store.kind });
  await sealSecretsAtStart(store, log);
  await warnUnsafeStoredNames(store, log);
}

/** Perl mode keeps the Perl server's formats, which limits what ovms-server can protect. */
function warnPerlMode(log: Logger, secretsKeySet: boolean): void {
  log.info(
    'Perl mode: running on a Perl-server database as it is (see docs/storage.md); ' +
      'the Perl server can take over again at any time',
  );
  if (secretsKeySet) {
    log.warn(
      'secrets.key is set, but a Perl-server database keeps car secrets in plain text (the Perl server ' +
        'and its Drupal module read them); the key is not used. Run "ovms-server import" to move to a ' +
        'database of our own where secrets are sealed.',
    );
  }
}

/** Stops cleanly on SIGTERM/SIGINT: no new connections, connections closed, writes flushed, exit 0. */
export function stopOnSignals(running: { stop(): Promise<void>; log: Logger }): void {
  const onSignal = (signal: string) => {
    running.log.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: Error) => {
        running.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * SIGHUP (`systemctl reload`, a certbot deploy hook) reads the TLS certificate and key again; no
 * connection is dropped. Without a handler SIGHUP would end the process.
 */
export function reloadOnHangup(running: { server: OvmsServer; log: Logger }): void {
  process.on('SIGHUP', () => {
    running.server
      .reloadCertificates('SIGHUP')
      .catch((err: Error) => running.log.error({ err }, 'reload on SIGHUP failed'));
  });
}

export function registerStartCommand(program: Command): void {
  addCommonOptions(program.command('start'))
    .description('run the server')
    .option('--host <address>', 'listen address (env OVMS_HOST)')
    .option('--port <n>', 'protocol v2 TCP port (env OVMS_PORT)')
    .option('--tls-port <n>', 'protocol v2 TLS port (env OVMS_TLS_PORT)')
    .option('--http-port <n>', 'HTTP API port (env OVMS_HTTP_PORT)')
    .option('--https-port <n>', 'HTTPS API port, with tls.cert and tls.key (env OVMS_HTTPS_PORT)')
    .option('--mqtt-port <n>', 'embedded MQTT broker port for protocol v3, 0 = off (env OVMS_MQTT_PORT)')
    .option('--mqtt-tls-port <n>', 'MQTT over TLS port, with tls.cert and tls.key (env OVMS_MQTT_TLS_PORT)')
    .option('--bus <url>', 'redis://HOST:PORT to join other nodes (env OVMS_BUS)')
    .option('--node-id <name>', "this node's name (env OVMS_NODE_ID)")
    .option('--log-level <level>', 'trace, debug, info, warn, error (env OVMS_LOG_LEVEL)')
    .action(async (o: StartOptions) => {
      const running = await startServer(o);
      stopOnSignals(running);
      reloadOnHangup(running);
    });
}
