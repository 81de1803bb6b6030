import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
  type RouteOptions,
} from 'fastify';
import { LimitedLog } from '../server/limited-log.js';
import { registerAuthHook } from './auth.js';
import { LoginThrottled } from './authenticate.js';
import type { ApiContext } from './context.js';
import { ResponseValidationError, validatingSerializerCompiler } from './json.js';
import { registerMultipartForms } from './multipart-parser.js';
import { registerOriginCheck } from './origin-check.js';
import { abrpRoutes } from './routes/abrp.js';
import { accountRoutes } from './routes/account.js';
import { chargeControlRoutes } from './routes/charge-control.js';
import { commandRoutes } from './routes/command.js';
import { cookieRoutes } from './routes/cookie.js';
import { deviceControlRoutes } from './routes/device-control.js';
import { healthRoutes } from './routes/health.js';
import { historicalRoutes } from './routes/historical.js';
import { metricsRoutes } from './routes/metrics.js';
import { mqapiRoutes } from './routes/mqapi.js';
import { openapiRoutes } from './routes/openapi.js';
import { placeRoutes } from './routes/places.js';
import { recordingRoutes } from './routes/recording.js';
import { recordingExportRoutes } from './routes/recording-export.js';
import { statusRoutes } from './routes/status.js';
import { streamRoutes } from './routes/stream.js';
import { tokenRoutes } from './routes/token.js';
import { vehicleRoutes } from './routes/vehicles.js';
import { webRoutes } from './routes/web.js';
import { registerSecurityHeaders } from './security-headers.js';
import { sendText, TEXT } from './text.js';

/** The path without its query string: credentials travel in query strings and must not reach the logs. */
export function pathOnly(url: string | undefined): string {
  const q = (url ?? '').indexOf('?');
  return q < 0 ? (url ?? '') : url!.slice(0, q);
}

/** The path as logs may show it: no query string, and no API token in DELETE /api/token/<token>. */
export function loggablePath(url: string | undefined): string {
  return pathOnly(url).replace(/^(\/api\/token\/)[^/]+/, '$1[redacted]');
}

/** IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function corsOrigin(origin: string): string | boolean {
  return origin === '*' ? '*' : origin === '' ? false : origin;
}

/**
 * Builds the HTTP API application. The HTTP and HTTPS listeners each get one, over the same context
 * (sessions, rate limits), so a cookie from one works on the other.
 */
export async function buildApp(
  ctx: ApiContext,
  opts: { secure: boolean; https?: { cert: Buffer; key: Buffer; handshakeTimeout?: number } },
): Promise<FastifyInstance> {
  const log = ctx.log.child(
    { component: 'http' },
    {
      serializers: {
        req: (req: { method?: string; url?: string }) => ({
          method: req.method,
          path: loggablePath(req.url),
        }),
      },
    },
  );
  // Node checks request-header deadlines every this often (its default, 30 s, would let a client that
  // trickles its headers stay far longer than http.header_timeout).
  const checkEvery = Math.max(250, Math.min(5000, ctx.config.http.headerTimeout / 4 || 5000));
  const app = Fastify({
    ...(opts.https
      ? { https: { ...opts.https, connectionsCheckingInterval: checkEvery } }
      : { http: { connectionsCheckingInterval: checkEvery } }),
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: ctx.config.http.trustProxy,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Errors met before routing (a URL that does not decode): a fixed text, never the URL, whose
    // query string can hold a password.
    frameworkErrors: (error: FastifyError, _request: unknown, reply: FastifyReply) => {
      sendText(reply, 400, error.code === 'FST_ERR_BAD_URL' ? 'Bad request: malformed URL' : 'Bad request');
    },
  } as FastifyServerOptions) as unknown as FastifyInstance;
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.setSerializerCompiler(validatingSerializerCompiler);

  // Form bodies (POST /api/token and /mqapi/* as the reference reads them, and the control routes),
  // urlencoded or multipart (openWB and `curl -F` send multipart).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  registerMultipartForms(app, ctx.config.http.form);

  const origin = corsOrigin(ctx.config.http.corsOrigin);
  await app.register(cors, {
    origin,
    credentials: origin !== '*' && origin !== false,
    methods: ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    maxAge: 600,
  });

  registerSecurityHeaders(app, ctx);

  // Rate limit every request, preflights included (SERVER-INVENTORY.md §4.1), but the dashboard's
  // own files: a refused stylesheet or script leaves a broken page while the data requests are what
  // the limit is for, and they are static, small and cached by browsers (connection caps still apply).
  const exempt = new Set(ctx.config.http.rateLimit.exempt.map(plainAddress));
  app.addHook('onRequest', async (request, reply) => {
    const address = plainAddress(request.ip);
    if (exempt.has(address) || isDashboardFile(request) || ctx.limiter.take(address)) return;
    request.log.info({ address: request.ip }, 'HTTP rate limit: request refused');
    const delay = ctx.config.http.rateLimit.delay;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    reply.header('retry-after', String(ctx.limiter.retryAfter(address)));
    return sendText(reply, 429, TEXT.tooMany);
  });

  registerOriginCheck(app, ctx);
  registerAuthHook(app, ctx);

  // No body at all (curl -X PUT without -d) counts as an empty one, so optional fields stay optional.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        path: loggablePath(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        owner: request.auth?.ownerName,
        secure: opts.secure,
      },
      'HTTP request',
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOnly(request.url);
    const api = path === '/api' || path.startsWith('/api/') || path.startsWith('/mqapi/');
    return sendText(reply, 404, api ? TEXT.unrecognised : TEXT.notFound);
  });

  const throttledLog = new LimitedLog();
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof LoginThrottled) {
      throttledLog.event((suppressed) =>
        request.log.warn(
          { user: error.user, address: request.ip, suppressed },
          'HTTP login refused: too many failed logins for this account',
        ),
      );
      reply.header('retry-after', String(error.retryAfterS));
      return sendText(reply, 429, TEXT.tooMany);
    }
    if (error.validation) return sendText(reply, 400, `Bad request: ${error.message}`);
    if (error instanceof ResponseValidationError) {
      request.log.error({ err: error }, 'response failed its schema');
      return sendText(reply, 500, 'Internal server error');
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'HTTP request failed');
    return sendText(reply, status, status >= 500 ? 'Internal server error' : error.message);
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  const deps = { ...ctx, secure: opts.secure };
  await app.register(cookieRoutes, deps);
  await app.register(tokenRoutes, deps);
  await app.register(vehicleRoutes, deps);
  await app.register(statusRoutes, deps);
  await app.register(historicalRoutes, deps);
  await app.register(chargeControlRoutes, deps);
  await app.register(deviceControlRoutes, deps);
  await app.register(commandRoutes, deps);
  await app.register(streamRoutes, deps);
  await app.register(mqapiRoutes, deps);
  await app.register(healthRoutes, deps);
  await app.register(metricsRoutes, deps);
  await app.register(accountRoutes, deps);
  await app.register(abrpRoutes, deps);
  await app.register(recordingRoutes, deps);
  await app.register(recordingExportRoutes, deps);
  await app.register(placeRoutes, deps);
  await app.register(webRoutes, deps);
  await app.register(openapiRoutes, { ...deps, routes });
  return app;
}

export type RouteDeps = ApiContext & { secure: boolean };

/** The dashboard's page and its hashed assets (src/http/routes/web.ts). */
const DASHBOARD_FILES = new Set(['/', '/index.html', '/assets/*']);

function isDashboardFile(request: FastifyRequest): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    DASHBOARD_FILES.has(request.routeOptions.url ?? '')
  );
}
