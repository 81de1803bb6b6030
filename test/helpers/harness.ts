import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, type TestContext } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import type { Bus } from '../../src/bus/bus.js';
import type { OvmsClientOptions } from '../../src/client/ovms-client.js';
import { configWith, type ServerConfig } from '../../src/config/config.js';
import type { SettingKey } from '../../src/config/settings.js';
import type { Alert, Notifier } from '../../src/notify/notifier.js';
import { createLogger } from '../../src/server/logger.js';
import { OvmsServer } from '../../src/server/ovms-server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Owner, Store, Vehicle } from '../../src/store/store.js';
import { testServerDatabase } from './databases.js';
import { recordSessions, testSecrets } from './log-secrets.js';
import { TestClient } from './test-client.js';

/** Every log line any test server wrote, for the "no secrets in logs" check. */
export const allLogLines: string[] = [];

// No secret in any log line at any level (the harness logs at debug): once every test of this
// file has run, its servers' logs are scanned for the secrets, digests and session keys it used.
recordSessions();
after(() => {
  const leaks = testSecrets.scan(allLogLines);
  if (leaks.length > 0) throw new Error(`secrets in log lines:\n${leaks.slice(0, 10).join('\n')}`);
});

/** Notes the car secrets a test writes straight into the store, for the log scan. */
function recordStoreSecrets(store: Store): Store {
  const { createVehicle, createVehicles, setVehicleSecret } = store;
  store.createVehicle = (v) => {
    testSecrets.literal(v.secret, 'car secret');
    return createVehicle.call(store, v);
  };
  store.createVehicles = (vs) => {
    for (const v of vs) testSecrets.literal(v.secret, 'car secret');
    return createVehicles.call(store, vs);
  };
  store.setVehicleSecret = (ref, secret) => {
    testSecrets.literal(secret, 'car secret');
    return setVehicleSecret.call(store, ref, secret);
  };
  return store;
}

/** A notifier that records alerts, so tests can await them. */
export class RecordingNotifier implements Notifier {
  readonly alerts: Alert[] = [];
  private waiters: (() => void)[] = [];
  async notify(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async close(): Promise<void> {}
  async waitFor(count: number, timeoutMs = 5000): Promise<Alert[]> {
    while (this.alerts.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} alerts, got ${this.alerts.length}`)),
          timeoutMs,
        );
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.alerts;
  }
}

export interface Harness {
  server: OvmsServer;
  store: Store;
  config: ServerConfig;
  port: number;
  /** HTTP API port (HTTPS too when the harness has TLS). */
  httpPort: number;
  httpsPort: number;
  dir: string;
  dbPath: string;
  logs: string[];
  notifier: RecordingNotifier;
  owner: Owner;
  addOwner(name: string, password?: string): Promise<Owner>;
  addVehicle(vehicleId: string, secret: string, owner?: Owner): Promise<Vehicle>;
  connect(
    clientType: 'C' | 'A' | 'B',
    vehicleId: string,
    secret: string,
    extra?: Partial<OvmsClientOptions>,
  ): Promise<TestClient>;
  client(
    clientType: 'C' | 'A' | 'B',
    vehicleId: string,
    secret: string,
    extra?: Partial<OvmsClientOptions>,
  ): TestClient;
  restart(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Partial<Record<SettingKey, string | number | boolean>>;
  bus?: Bus;
  tls?: { cert: string; key: string };
  /** A real notifier (e.g. the push dispatcher) instead of the recording one; built over the store. */
  notifier?: (store: Store) => Notifier;
  /** The embedded MQTT broker on these ports (0 = any free port; mqttTls needs `tls`); off when not given. */
  mqtt?: { mqtt?: number; mqttTls?: number };
  /** Metrics on (`metrics.enabled`), with the unauthenticated metrics listener on a free port. */
  metrics?: boolean;
}

/**
 * Starts a server on free loopback ports with a real database: a SQLite file in a fresh directory,
 * or a fresh PostgreSQL/MariaDB database when OVMS_TEST_STORE says so.
 */
export async function startServer(t: TestContext, opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-test-'));
  const dbPath = join(dir, 'ovms.db');
  // SQLite unless OVMS_TEST_STORE picks PostgreSQL or MariaDB; a test may also name its own URL.
  const ownUrl = opts.settings?.['database.url'];
  const database = ownUrl ? { url: String(ownUrl), drop: async () => {} } : await testServerDatabase(dbPath);
  const config = configWith({
    'server.host': '127.0.0.1',
    'database.url': database.url,
    'log.level': 'debug',
    ...(opts.tls ? { 'tls.cert': opts.tls.cert, 'tls.key': opts.tls.key } : {}),
    ...(opts.metrics ? { 'metrics.enabled': true } : {}),
    ...opts.settings,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        logs.push(line);
        allLogLines.push(line);
      }
      cb();
    },
  });
  const log = createLogger({ level: config.log.level, destination });
  const notifier = new RecordingNotifier();
  let store = recordStoreSecrets(await openStore(config.database.url, { secretsKey: config.secretsKey }));
  await store.migrate();
  const make = () =>
    new OvmsServer({
      config,
      store,
      log,
      notifier: opts.notifier ? opts.notifier(store) : notifier,
      bus: opts.bus,
      // Any free port, unless the test names one (to find the server again after a restart).
      listen: {
        v2: Number(opts.settings?.['server.port'] ?? 0),
        http: Number(opts.settings?.['server.http_port'] ?? 0),
        ...(opts.tls ? { v2tls: 0, https: 0 } : {}),
        ...opts.mqtt,
        ...(opts.metrics ? { metrics: 0 } : {}),
      },
    });
  let server = make();
  await server.start();
  const clients: TestClient[] = [];

  const h: Harness = {
    server,
    store,
    config,
    port: server.ports.v2,
    httpPort: server.ports.http,
    httpsPort: server.ports.https,
    dir,
    dbPath,
    logs,
    notifier,
    owner: undefined as unknown as Owner,
    async addOwner(name, password = 'owner-password') {
      testSecrets.literal(password, 'password');
      return store.createOwner({ name, passwordHash: await hashPassword(password) });
    },
    async addVehicle(vehicleId, secret, owner = h.owner) {
      return store.createVehicle({ ownerId: owner.id, vehicleId, secret });
    },
    client(clientType, vehicleId, secret, extra = {}) {
      testSecrets.literal(secret, 'car secret');
      testSecrets.literal(extra.password, 'password');
      const c = new TestClient({
        host: '127.0.0.1',
        port: h.port,
        clientType,
        vehicleId,
        secret,
        loginTimeoutMs: 5000,
        commandTimeoutMs: 5000,
        ...extra,
      });
      clients.push(c);
      return c;
    },
    async connect(clientType, vehicleId, secret, extra = {}) {
      const c = h.client(clientType, vehicleId, secret, extra);
      await c.client.connect();
      return c;
    },
    async restart() {
      await server.stop();
      await store.close();
      store = recordStoreSecrets(await openStore(config.database.url, { secretsKey: config.secretsKey }));
      server = make();
      await server.start();
      h.server = server;
      h.store = store;
      h.port = server.ports.v2;
      h.httpPort = server.ports.http;
      h.httpsPort = server.ports.https;
    },
  };
  h.owner = await h.addOwner('owner');
  t.after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await h.server.stop();
    await h.store.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return h;
}
