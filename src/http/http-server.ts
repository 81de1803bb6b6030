import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccountThrottle } from '../auth/account-throttle.js';
import type { ServerConfig } from '../config/config.js';
import type { AbrpService } from '../integrations/abrp/abrp-service.js';
import type { Metrics } from '../metrics/metrics.js';
import { ConnectionLimit } from '../server/connection-limit.js';
import type { Hub } from '../server/hub.js';
import { type ListenerName, listenAs } from '../server/listen-error.js';
import { type ListenerStates, listeningOn, OFF } from '../server/listener-state.js';
import type { RecordingService } from '../server/recording-service.js';
import { TlsCertificates } from '../server/tls-certificates.js';
import { buildApp } from './app.js';
import { guardConnections } from './connection-guard.js';
import type { ApiContext } from './context.js';
import { RateLimiter } from './rate-limit.js';
import { Sessions } from './sessions.js';

export interface HttpApiDeps {
  hub: Hub;
  config: ServerConfig;
  log: Logger;
  /** The node's per-account login throttle (shared with the v2 logins); made here when not given. */
  accounts?: AccountThrottle;
  /** The TLS certificate, shared with the v2 TLS listener; made (and watched) here when not given. */
  certificates?: TlsCertificates;
  /** Every listener's state, for /health (the HTTP ones alone when not given). */
  listeners?: () => ListenerStates;
  /** ABRP live telemetry (the server's), for the routes that store and remove tokens. */
  abrp?: AbrpService;
  /** Prometheus metrics, served as GET /metrics when given. */
  metrics?: Metrics;
  recording?: RecordingService;
}

/**
 * The HTTP API listeners: HTTP on `server.http_port` (6868) and HTTPS on `server.https_port` (6869)
 * when `tls.cert` and `tls.key` are set. Both serve the same application over the same sessions and
 * rate limits.
 */
export class HttpApi {
  readonly ports = { http: 0, https: 0 };
  readonly context: ApiContext;
  private readonly apps: FastifyInstance[] = [];
  private sweep: NodeJS.Timeout | undefined;
  /** Sockets taken over by an upgrade (WebSocket streams, refused upgrades): the listener does not close them. */
  private readonly upgraded = new Set<Duplex>();
  /** Open connections per address, over both listeners (`http.max_connections_per_address`). */
  private readonly connections: ConnectionLimit;
  /** Set when this API made the certificates itself, and so watches them. */
  private readonly ownCertificates: TlsCertificates | undefined;

  constructor(deps: HttpApiDeps) {
    const { hub, config, log } = deps;
    const { cert, key, expiryWarningDays } = config.tls;
    this.ownCertificates =
      !deps.certificates && cert && key
        ? new TlsCertificates({ cert, key, log, warningDays: expiryWarningDays })
        : undefined;
    this.connections = new ConnectionLimit({ total: 0, perAddress: config.http.maxConnectionsPerAddress });
    this.context = {
      hub,
      store: hub.store,
      config,
      log,
      sessions: new Sessions(hub, config.http.sessionTimeout, log, Date.now, config.http.sessionRemember),
      limiter: new RateLimiter({
        burst: config.http.rateLimit.burst,
        perMinute: config.http.rateLimit.perMinute,
        max: config.http.rateLimit.max,
        expire: config.http.rateLimit.expire,
      }),
      accounts: deps.accounts ?? accountThrottle(config),
      certificates: deps.certificates ?? this.ownCertificates,
      listeners:
        deps.listeners ??
        (() => ({
          v2: OFF,
          v2_tls: OFF,
          http: listeningOn(this.ports.http),
          https: listeningOn(this.ports.https),
          mqtt: OFF,
          mqtt_tls: OFF,
          metrics: OFF,
        })),
      abrp: deps.abrp,
      metrics: deps.metrics,
      recording: deps.recording,
    };
  }

  /** Opens the listeners; `listen` overrides the ports (0 = any free port), as in ServerDeps. */
  async start(listen: { http?: number; https?: number } = {}): Promise<void> {
    const c = this.context.config;
    this.context.sessions.start();
    this.sweep = setInterval(() => this.context.limiter.sweep(), 60_000);
    this.sweep.unref();
    const httpPort = listen.http ?? c.httpPort;
    if (listen.http !== undefined || c.httpPort > 0) {
      this.ports.http = await this.open(await buildApp(this.context, { secure: false }), httpPort, false);
    }
    const certificates = this.context.certificates;
    if (certificates && (listen.https !== undefined || c.httpsPort > 0)) {
      const https = {
        ...certificates.current,
        // A TCP connection that never completes its handshake is closed like a silent one.
        ...(c.http.headerTimeout > 0 ? { handshakeTimeout: c.http.headerTimeout } : {}),
      };
      const app = await buildApp(this.context, { secure: true, https });
      // New handshakes take a renewed certificate; open connections keep theirs.
      certificates.attach(app.server as unknown as tls.Server);
      this.ports.https = await this.open(app, listen.https ?? c.httpsPort, true);
      this.ownCertificates?.start();
    }
  }

  private async open(app: FastifyInstance, port: number, secure: boolean): Promise<number> {
    const h = this.context.config.http;
    guardConnections(app.server, {
      idleMs: h.idleTimeout,
      keepAliveMs: h.keepAliveTimeout,
      headerMs: h.headerTimeout,
      limit: this.connections,
      maxPerAddress: h.maxConnectionsPerAddress,
      secure,
      log: this.context.log.child({ component: 'http' }),
    });
    app.server.on('upgrade', (_request, socket: Duplex) => {
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
    });
    const host = this.context.config.host;
    const listener: ListenerName = secure ? 'https' : 'http';
    try {
      await listenAs(listener, port, host, () => app.listen({ port, host, ipv6Only: false }));
    } catch (error) {
      await app.close().catch(() => {});
      throw error;
    }
    this.apps.push(app);
    return (app.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.ownCertificates?.stop();
    // Upgraded sockets keep the listener open until they end: end them first.
    for (const socket of this.upgraded) socket.destroy();
    await Promise.all(this.apps.map((app) => app.close()));
    this.apps.length = 0;
    await this.context.sessions.stop();
  }
}

/** The per-account login throttle as the settings say (`limits.account_*`). */
export function accountThrottle(config: ServerConfig): AccountThrottle {
  const a = config.limits.account;
  return new AccountThrottle({ free: a.failures, maxDelayMs: a.delayMax, windowMs: a.window });
}
