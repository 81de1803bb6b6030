import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { hostname } from 'node:os';
import type tls from 'node:tls';
import type { Logger } from 'pino';
import { MqttBridge } from '../bridge/mqtt-bridge.js';
import type { Bus } from '../bus/bus.js';
import { LocalBus } from '../bus/local-bus.js';
import { nodeIdOf } from '../bus/open-bus.js';
import type { ServerConfig } from '../config/config.js';
import { accountThrottle, HttpApi } from '../http/http-server.js';
import { AbrpService } from '../integrations/abrp/abrp-service.js';
import { HomeAssistantDiscovery } from '../integrations/home-assistant/ha-service.js';
import { Metrics } from '../metrics/metrics.js';
import { MetricsListener } from '../metrics/metrics-listener.js';
import { EmbeddedBroker } from '../mqtt/embedded-broker.js';
import { ExternalBroker } from '../mqtt/external-broker.js';
import type { MqttPort } from '../mqtt/mqtt-port.js';
import { LogNotifier } from '../notify/log-notifier.js';
import type { Notifier } from '../notify/notifier.js';
import { Scheme1Codec } from '../protocol/line-codec.js';
import type { Store, Vehicle } from '../store/store.js';
import { AuthThrottle } from './auth-throttle.js';
import { Connection, DEFAULT_WARNINGS, READ_PAUSE, type WarningBudget } from './connection.js';
import { ConnectionLimit } from './connection-limit.js';
import { DescriptorWatch } from './descriptor-watch.js';
import { Housekeeping } from './housekeeping.js';
import { Hub } from './hub.js';
import type { Link, LinkEvents } from './link.js';
import { listenAs } from './listen-error.js';
import { type ListenerStates, listeningOn, OFF } from './listener-state.js';
import { V2Listener } from './listeners.js';
import { LoginHandler } from './login.js';
import { handleMessage } from './message-handlers.js';
import { RecordingService } from './recording-service.js';
import { ThrottledWarning } from './throttled-warning.js';
import { type ReloadResult, TlsCertificates } from './tls-certificates.js';

/** Messages of one app waiting to be handled before its socket is no longer read. */
const MAX_BACKLOG = 256;

export interface ServerDeps {
  config: ServerConfig;
  store: Store;
  log: Logger;
  bus?: Bus;
  notifier?: Notifier;
  /**
   * The MQTT broker the v3 bridge uses (the embedded one); without it, `mqtt.url` names an
   * external broker, and with neither there is no bridge.
   */
  mqtt?: MqttPort;
  /**
   * Port overrides; 0 here means "any free port" (tests), unlike the config where 0 is "off". With
   * `listen` given, only the HTTP API and the MQTT broker listed here start.
   */
  listen?: {
    v2?: number;
    v2tls?: number;
    http?: number;
    https?: number;
    mqtt?: number;
    mqttTls?: number;
    /** The unauthenticated metrics listener (with metrics.enabled), on metrics.listen's host or 127.0.0.1. */
    metrics?: number;
  };
}

export function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `ovms-server/${pkg.version}`;
}

/**
 * One server node: the v2 listeners, the hub, logins and the timers, over a store, a bus and a
 * notifier. `start()` opens the ports; `stop()` closes them, ends every connection and flushes.
 */
export class OvmsServer {
  readonly hub: Hub;
  readonly config: ServerConfig;
  readonly log: Logger;
  /** Bound ports after start() (0 = not listening). */
  readonly ports = { v2: 0, v2tls: 0, http: 0, https: 0, mqtt: 0, mqttTls: 0, metrics: 0 };
  /** The HTTP API (src/http). */
  readonly http: HttpApi;
  /** The certificate of every TLS listener, when `tls.cert` and `tls.key` are set; reloaded on change. */
  readonly certificates: TlsCertificates | undefined;
  /**
   * The embedded MQTT broker (protocol v3), after start() when `mqtt.port` or `mqtt.tls_port` is
   * on (or a test lists one in `listen`); it runs in-process even when its ports failed to open.
   */
  broker: EmbeddedBroker | undefined;
  /**
   * The server's side of MQTT after start(): `deps.mqtt`, else the embedded broker, else the
   * external one of `mqtt.url`; undefined when there is none.
   */
  mqtt: MqttPort | undefined;
  /** ABRP live telemetry of the vehicles whose cars are connected here (off without abrp.api_key). */
  readonly abrp: AbrpService;
  /** Prometheus metrics (src/metrics), with `metrics.enabled`. */
  readonly metrics: Metrics | undefined;
  private metricsListener: MetricsListener | undefined;
  /** Trips, charges and the long-term series of the cars connected here (history.recording). */
  readonly recording: RecordingService;
  private readonly listeners: V2Listener[] = [];
  private readonly login: LoginHandler;
  private readonly throttle: AuthThrottle;
  private readonly accounts: ReturnType<typeof accountThrottle>;
  private readonly housekeeping: Housekeeping;
  private readonly live = new Set<Connection>();
  /** Logouts still telling the other connections (they use the bus, which closes after stop()). */
  private readonly detaching = new Set<Promise<void>>();
  /** Every accepted socket, logged in or not, until it closes, counted per address. */
  private readonly connections: ConnectionLimit;
  private nextId = 1;
  private stopping = false;
  private readonly warnings: WarningBudget;
  private readonly descriptors: DescriptorWatch;
  /** Refused sockets: a line per address (and for the server) at most once a minute, with a count. */
  private readonly addressFull: ThrottledWarning;
  private readonly serverFull: ThrottledWarning;
  /** The protocol v3 bridge, when an MQTT broker is configured. */
  bridge: MqttBridge | undefined;
  /** Home Assistant MQTT discovery (`ha.discovery`), when an MQTT broker is configured. */
  homeAssistant: HomeAssistantDiscovery | undefined;
  /** The external broker this node opened itself (closed at stop). */
  private externalBroker: ExternalBroker | undefined;

  constructor(private readonly deps: ServerDeps) {
    this.config = deps.config;
    this.log = deps.log;
    const nodeId = nodeIdOf(deps.config);
    this.hub = new Hub({
      config: deps.config,
      store: deps.store,
      bus: deps.bus ?? new LocalBus(nodeId),
      notifier: deps.notifier ?? new LogNotifier(deps.log),
      log: deps.log,
      version: serverVersion(),
    });
    this.connections = new ConnectionLimit({
      total: deps.config.limits.maxConnections,
      perAddress: deps.config.limits.maxConnectionsPerIp,
    });
    this.throttle = new AuthThrottle(deps.config.limits.authFailures, deps.config.limits.authFailureWindow);
    // One per node, for the v2 scheme-1 login and every HTTP password login alike.
    const accounts = accountThrottle(deps.config);
    this.accounts = accounts;
    this.login = new LoginHandler(this.hub, this.throttle, accounts);
    this.housekeeping = new Housekeeping(this.hub, this.throttle, () => this.sweepConnections());
    const { cert, key, expiryWarningDays } = deps.config.tls;
    this.certificates =
      cert && key
        ? new TlsCertificates({ cert, key, log: deps.log, warningDays: expiryWarningDays })
        : undefined;
    this.abrp = new AbrpService(this.hub);
    this.metrics = deps.config.metrics.enabled
      ? new Metrics({
          hub: this.hub,
          connections: () => this.live,
          httpSessions: () => this.http.context.sessions.count,
          mqttClients: () => this.broker?.clientCount,
          listeners: () => this.listenerStates(),
          certificateExpires: () => this.certificates?.details?.expires,
          notifier: this.hub.notifier,
        })
      : undefined;
    this.recording = new RecordingService(this.hub);
    this.http = new HttpApi({
      metrics: this.metrics,
      hub: this.hub,
      abrp: this.abrp,
      recording: this.recording,
      config: deps.config,
      log: deps.log,
      accounts,
      certificates: this.certificates,
      listeners: () => this.listenerStates(),
    });
    this.warnings = { ...DEFAULT_WARNINGS, perWindow: deps.config.limits.warningsPerConnection };
    this.descriptors = new DescriptorWatch(deps.log);
    this.addressFull = new ThrottledWarning(
      deps.log,
      'connection refused: too many connections from this address',
    );
    this.serverFull = new ThrottledWarning(deps.log, 'connection refused: server connection limit reached');
  }

  async start(): Promise<void> {
    await this.hub.start();
    const c = this.config;
    const common = {
      maxLineLength: c.limits.maxLineLength,
      admit: (socket: net.Socket, address: string) => this.admit(socket, address),
      firstLineTimeoutMs: c.timeouts.login,
      accept: (make: (events: LinkEvents) => Link, acceptedAt: number) => this.accept(make, acceptedAt),
      log: this.log,
    };
    const ports = this.deps.listen ?? {};
    if (ports.v2 !== undefined || c.port > 0) {
      const l = new V2Listener('tcp', common);
      const port = ports.v2 ?? c.port;
      this.ports.v2 = await listenAs('v2', port, c.host, () => l.listen(port, c.host));
      this.listeners.push(l);
    }
    if (this.certificates && (ports.v2tls !== undefined || c.tlsPort > 0)) {
      const l = new V2Listener('tls', { ...common, tls: this.certificates.current });
      this.certificates.attach(l.server as tls.Server);
      const port = ports.v2tls ?? c.tlsPort;
      this.ports.v2tls = await listenAs('v2tls', port, c.host, () => l.listen(port, c.host));
      this.listeners.push(l);
    }
    // Callers that choose their ports (tests, embedding) get the HTTP API only when they list it.
    if (!this.deps.listen || ports.http !== undefined || ports.https !== undefined)
      await this.http.start({ http: ports.http, https: ports.https });
    this.ports.http = this.http.ports.http;
    this.ports.https = this.http.ports.https;
    await this.startBroker(ports);
    await this.startMetricsListener(ports);
    this.housekeeping.start();
    await this.abrp.start();
    this.recording.start();
    if (this.certificates?.details) this.certificates.start();
    this.startBridge();
    this.log.info(
      { ports: this.ports, store: this.hub.store.kind, node: this.hub.bus.nodeId },
      'protocol v2 listening',
    );
  }

  /** The v3 bridge over the embedded broker, or over the external one of `mqtt.url`. */
  private startBridge(): void {
    let port: MqttPort | undefined = this.deps.mqtt ?? this.broker;
    if (!port && this.config.mqtt.url !== '') {
      this.externalBroker = new ExternalBroker({
        url: this.config.mqtt.url,
        // Stable across restarts (the broker keeps the session): the node id when set, else the host.
        clientId: `ovms-server-${this.config.nodeId || hostname()}`,
        log: this.log,
        sessionExpirySeconds: Math.round(this.config.mqtt.sessionExpiry / 1000),
      });
      port = this.externalBroker;
    }
    this.mqtt = port;
    if (!port) return;
    this.bridge = new MqttBridge({
      hub: this.hub,
      port,
      config: this.config,
      log: this.log,
      connectCar: (vehicle, make) => this.connectCar(vehicle, make),
    });
    this.bridge.start();
    this.homeAssistant = new HomeAssistantDiscovery({
      hub: this.hub,
      port,
      config: this.config,
      log: this.log.child({ component: 'home-assistant' }),
      serverVersion: serverVersion(),
    });
    this.homeAssistant.start();
  }

  /** The embedded MQTT broker, when on; a port it cannot open is logged and the server runs on. */
  private async startBroker(ports: NonNullable<ServerDeps['listen']>): Promise<void> {
    const c = this.config;
    const on = this.deps.listen
      ? ports.mqtt !== undefined || ports.mqttTls !== undefined
      : c.mqtt.port > 0 || (c.tls.cert !== '' && c.mqtt.tlsPort > 0);
    // With an external broker (`mqtt.url`) or one given by the caller, none is embedded.
    if (!on || c.mqtt.url !== '' || this.deps.mqtt) return;
    const broker = await EmbeddedBroker.create({
      config: c,
      log: this.log.child({ component: 'mqtt' }),
      store: this.hub.store,
      accounts: this.accounts,
      throttle: this.throttle,
      certificates: this.certificates,
      counters: this.hub.counters,
    });
    this.broker = broker;
    if (this.deps.listen) await broker.listen({ mqtt: ports.mqtt, mqttTls: ports.mqttTls });
    else await broker.listen();
    const { mqtt, mqtt_tls } = broker.listeners;
    this.ports.mqtt = mqtt.state === 'listening' ? mqtt.port : 0;
    this.ports.mqttTls = mqtt_tls.state === 'listening' ? mqtt_tls.port : 0;
  }

  /** `metrics.listen`: the metrics without authentication on an address of their own. */
  private async startMetricsListener(ports: NonNullable<ServerDeps['listen']>): Promise<void> {
    const address = this.config.metrics.listen;
    if (!this.metrics || (ports.metrics === undefined && (this.deps.listen || !address))) return;
    const host = address?.host ?? '127.0.0.1';
    const port = ports.metrics ?? address!.port;
    const listener = new MetricsListener(this.metrics, this.log);
    this.ports.metrics = await listenAs('metrics', port, host, () => listener.listen(host, port));
    this.metricsListener = listener;
  }

  /** What each listener is doing, for /health. */
  listenerStates(): ListenerStates {
    return {
      v2: listeningOn(this.ports.v2),
      v2_tls: listeningOn(this.ports.v2tls),
      http: listeningOn(this.ports.http),
      https: listeningOn(this.ports.https),
      mqtt: this.broker?.listeners.mqtt ?? OFF,
      mqtt_tls: this.broker?.listeners.mqtt_tls ?? OFF,
      metrics: listeningOn(this.ports.metrics),
    };
  }

  private admit(socket: net.Socket, address: string): boolean {
    const limits = this.config.limits;
    if (this.stopping) return false;
    const refused = this.connections.admit(socket, address);
    if (refused === 'total') this.serverFull.warn('', { address, limit: limits.maxConnections });
    else if (refused === 'address')
      this.addressFull.warn(address, { address, limit: limits.maxConnectionsPerIp });
    return refused === undefined;
  }

  /** Makes the connection of an accepted socket; returns what closes it at the login deadline. */
  private accept(make: (events: LinkEvents) => Link, acceptedAt: number): () => void {
    return this.open(make, acceptedAt).loginDeadline;
  }

  /**
   * Attaches a car whose module logged in elsewhere (the v3 bridge: the broker authenticated it)
   * as one more car connection: its link carries plain v2 lines both ways, like a scheme-1
   * connection's, and the hub stores, relays and routes them as for any car.
   */
  connectCar(vehicle: Vehicle, make: (events: LinkEvents) => Link): Connection {
    const { conn } = this.open(make, Date.now(), async (c) => {
      c.codec = new Scheme1Codec();
      c.clientType = 'C';
      c.vehicle = vehicle;
      c.state = 'login';
      c.log.info({ client: c.label, transport: c.link.transport }, 'logged in');
      await this.hub.attach(c);
    });
    return conn;
  }

  /**
   * The connection of a link: lines before the login go to the login handler, then to the
   * message handlers. `login`, when given, logs the connection in at once (no welcome line).
   */
  private open(
    make: (events: LinkEvents) => Link,
    acceptedAt: number,
    login?: (conn: Connection) => Promise<void>,
  ): { conn: Connection; loginDeadline: () => void } {
    let conn: Connection | undefined;
    const queue: Buffer[] = [];
    let busy = false;
    /** An app's messages being handled, one after the other (see `serial`). */
    let backlog = 0;
    const hub = this.hub;
    const outputCap = this.config.limits.outputBuffer;

    const logIn = (c: Connection, run: Promise<void>): void => {
      busy = true;
      run
        .catch((err: Error) => c.abort(`login failed: ${err.message}`, 'warn'))
        .finally(() => {
          busy = false;
          while (!busy && queue.length > 0 && c.state !== 'closed') processLine(queue.shift()!);
        });
    };

    const processLine = (line: Buffer): void => {
      const c = conn!;
      if (c.state === 'closed') return;
      if (c.state === 'welcome') {
        logIn(c, this.login.welcome(c, line));
        return;
      }
      const decoded = c.codec!.decode(line);
      if (!decoded.ok) {
        c.close(`undecodable line: ${decoded.error}`, 'warn');
        return;
      }
      hub.counters.receivedLine(c.isCar, decoded.message.code);
      const failed = (err: Error) =>
        c.log.error({ err, client: c.label, code: decoded.message.code }, 'message handling failed');
      if (c.isCar) {
        // A car's handlers keep its order themselves (relays publish at once, writes queue in
        // order) and must not wait for one another: an h ack waits for a commit.
        handleMessage(hub, c, decoded.message)?.catch(failed);
      } else {
        // An app's messages take effect one after the other (two p for one app, G then C...).
        // Reading stops while too many wait, so a client sending faster than its messages can be
        // handled (a bus round trip each, say) holds a bounded backlog, not every line it sent.
        if (++backlog >= MAX_BACKLOG) c.pauseReading(READ_PAUSE.backlog);
        c.serial = c.serial
          .then(() => handleMessage(hub, c, decoded.message))
          .catch(failed)
          .finally(() => {
            if (--backlog <= MAX_BACKLOG / 2) c.resumeReading(READ_PAUSE.backlog);
          });
      }
    };

    const link = make({
      onLine: (line) => {
        const c = conn!;
        c.received(line.length);
        if (c.state === 'closed') return;
        if (busy || c.state === 'login') {
          if (queue.length >= 10_000) return c.abort('too many lines while logging in', 'warn');
          queue.push(line);
          return;
        }
        processLine(line);
      },
      onError: (err) => {
        const c = conn!;
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'OVMS_ERR_LINE_TOO_LONG')
          c.abort(`line longer than ${this.config.limits.maxLineLength} bytes`, 'warn');
        else if (code !== 'ECONNRESET' && code !== 'EPIPE')
          c.log.debug({ err: err.message }, 'connection error');
      },
      onClose: () => {
        const c = conn!;
        this.live.delete(c);
        c.state = 'closed';
        c.refusalPacer?.stop();
        c.log.debug({ client: c.label, reason: c.closeReason || 'closed by peer' }, 'disconnected');
        c.log.ended();
        const detached = hub.detach(c).catch((err: Error) => this.log.error({ err }, 'detach failed'));
        this.detaching.add(detached);
        void detached.finally(() => this.detaching.delete(detached));
      },
    });
    conn = new Connection(
      `${this.nextId++}`,
      link,
      this.log,
      (c, direction, bytes) => {
        if (direction === 'tx' && c.link.queuedBytes > outputCap) {
          c.abort(`client does not read: more than ${outputCap} bytes queued`, 'warn');
          return;
        }
        if (c.vehicle) hub.utilisation.add(c.vehicle, c.vehicleKey, c.clientType === 'C', direction, bytes);
      },
      { acceptedAt, warnings: this.warnings },
    );
    this.live.add(conn);
    const c = conn;
    if (login) logIn(c, login(c));
    return {
      conn: c,
      loginDeadline: () => {
        if (c.state === 'welcome' || c.state === 'login') c.abort('no login in time');
      },
    };
  }

  /** Login deadline, idle timeouts and the car keep-alive ping (WIRE.md §6). */
  private sweepConnections(): void {
    const now = Date.now();
    const t = this.config.timeouts;
    this.descriptors.check(this.connections.sockets.size);
    this.addressFull.flush();
    this.serverFull.flush();
    for (const conn of this.live) {
      if (conn.state === 'welcome' || conn.state === 'login') {
        if (now - conn.createdAt > t.login) conn.abort('no login in time');
        continue;
      }
      if (conn.state !== 'ready') continue;
      const limit = conn.clientType === 'C' ? t.car : conn.clientType === 'A' ? t.app : t.batch;
      if (now - conn.lastRx > limit) {
        conn.close(`idle for ${Math.round((now - conn.lastRx) / 1000)} s`);
        continue;
      }
      if (
        conn.clientType === 'C' &&
        now - conn.lastTx >= t.carPing &&
        now - conn.lastPing >= Math.min(300_000, t.carPing)
      ) {
        conn.lastPing = now;
        conn.send('A', 'FA');
      }
    }
  }

  /**
   * Reads the TLS certificate and key again (SIGHUP): new handshakes on every TLS listener get them,
   * open connections stay. A broken new pair is logged and not used.
   */
  async reloadCertificates(reason = 'SIGHUP'): Promise<ReloadResult | 'no certificate'> {
    if (!this.certificates?.details) {
      this.log.info({ reason }, 'no TLS certificate to reload (no TLS listener)');
      return 'no certificate';
    }
    return this.certificates.reload(reason);
  }

  /** Connections currently open, logged in or not. */
  get connectionCount(): number {
    return this.live.size;
  }

  /** Stops accepting, ends every connection, and flushes pending writes. The store stays open. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.housekeeping.stop();
    this.abrp.stop();
    this.certificates?.stop();
    // The bridge first: a v3 module's car closed below must not be attached again meanwhile.
    const bridgeStopped = this.bridge?.stop();
    const closed = Promise.all(this.listeners.map((l) => l.close()));
    for (const conn of [...this.live]) conn.close('server shutting down');
    // Peers that do not close their side (or never sent a line) must not hold the shutdown up.
    const grace = setTimeout(() => {
      for (const socket of this.connections.sockets) socket.destroy();
    }, 2000);
    await closed;
    clearTimeout(grace);
    await Promise.all(this.detaching);
    await this.homeAssistant?.stop();
    await bridgeStopped;
    await this.externalBroker?.close();
    await this.broker?.close();
    await this.http.stop();
    await this.metricsListener?.close();
    this.metrics?.close();
    await this.recording.stop();
    await this.hub.stop();
    await this.hub.store.flush();
  }
}
