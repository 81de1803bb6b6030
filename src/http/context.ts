import type { Logger } from 'pino';
import type { AccountThrottle } from '../auth/account-throttle.js';
import type { ServerConfig } from '../config/config.js';
import type { AbrpService } from '../integrations/abrp/abrp-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Hub } from '../server/hub.js';
import type { ListenerStates } from '../server/listener-state.js';
import type { RecordingService } from '../server/recording-service.js';
import type { TlsCertificates } from '../server/tls-certificates.js';
import type { Store, Vehicle } from '../store/store.js';
import type { RateLimiter } from './rate-limit.js';
import type { Session, Sessions } from './sessions.js';

/** What every route plugin gets: shared by the HTTP and HTTPS listeners. */
export interface ApiContext {
  hub: Hub;
  store: Store;
  config: ServerConfig;
  log: Logger;
  sessions: Sessions;
  limiter: RateLimiter;
  /** Failed-login throttling per account, shared with the v2 scheme-1 login. */
  accounts: AccountThrottle;
  /** The TLS certificate of the HTTPS and v2 TLS listeners, when they are configured. */
  certificates?: TlsCertificates;
  /** What each listener of the node is doing (/health). */
  listeners: () => ListenerStates;
  /** ABRP live telemetry, told at once when a token is stored or removed here. */
  abrp?: AbrpService;
  /** Prometheus metrics (GET /metrics), when `metrics.enabled`. */
  metrics?: Metrics;
  /** The recorder of trips and charges, told at once when a vehicle's capacity setting changes here. */
  recording?: RecordingService;
}

/** Who is calling, once the auth hook has run. */
export interface ApiAuth {
  ownerId: number;
  ownerName: string;
  permit: string;
  via: 'session' | 'password' | 'token' | 'bearer';
  /** The cookie session, when the call came with a live one. */
  session: Session | undefined;
}

/** Per-route settings read by the hooks (fastify route `config`). */
export interface RouteAuthConfig {
  /** Needs a caller (default for /api routes). */
  auth?: boolean;
  /** Any one of these rights (empty: any authenticated caller). */
  rights?: string[];
  /** The route has a `vehicleId` parameter that must be one of the caller's vehicles. */
  vehicle?: boolean;
  /**
   * Cross-origin check (src/http/origin-check.ts) beyond the default (non-GET requests with the
   * session cookie): 'cookie' also for GET with the cookie (streams), 'always' even without (logins).
   */
  originCheck?: 'cookie' | 'always';
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: ApiAuth | undefined;
    vehicle: Vehicle | undefined;
  }
  interface FastifyContextConfig extends RouteAuthConfig {}
}

/** The caller; only for routes with `auth` (the hook guarantees it). */
export function callerOf(request: { auth: ApiAuth | undefined }): ApiAuth {
  if (!request.auth) throw new Error('route needs auth: set config.auth');
  return request.auth;
}

export function vehicleOf(request: { vehicle: Vehicle | undefined }): Vehicle {
  if (!request.vehicle) throw new Error('route needs a vehicle: set config.vehicle');
  return request.vehicle;
}
