import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LimitedLog } from '../server/limited-log.js';
import { sessionCookie } from './auth.js';
import type { ApiContext } from './context.js';
import { sendText, TEXT } from './text.js';

/** Methods that change nothing; every other one is checked when it carries the session cookie. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function withoutDefaultPort(host: string): string {
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

/**
 * True when a browser says the request comes from the server's own pages (or from a trusted origin),
 * or when nothing says it comes from a browser at all. Browsers send `Sec-Fetch-Site` (all current
 * ones) and `Origin` (on every non-GET request and WebSocket handshake); scripts, evcc, Home Assistant
 * and curl send neither and are not affected.
 */
export function fromOwnOrigin(
  headers: { origin?: string | string[]; 'sec-fetch-site'?: string | string[] },
  host: string,
  trusted: ReadonlySet<string>,
): boolean {
  const origin = one(headers.origin);
  const site = one(headers['sec-fetch-site']);
  if (origin !== undefined && trusted.has(origin.toLowerCase())) return true;
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  if (origin === undefined) return true;
  try {
    return withoutDefaultPort(new URL(origin).host) === withoutDefaultPort(host);
  } catch {
    return false; // "null" (sandboxed pages, some redirects) and anything unreadable
  }
}

/** The request carries credentials of its own besides the cookie (a bearer token or query ones). */
function otherCredentials(request: FastifyRequest): boolean {
  const query = request.query as { username?: unknown; password?: unknown } | undefined;
  return (
    /^Bearer\s/i.test(request.headers.authorization ?? '') ||
    (typeof query?.username === 'string' && typeof query.password === 'string')
  );
}

/** The origins trusted besides the server's own: `http.allowed_origins`, and a single `http.cors_origin`. */
export function trustedOrigins(http: { allowedOrigins: string[]; corsOrigin: string }): Set<string> {
  const single = http.corsOrigin !== '*' && http.corsOrigin !== '' ? [http.corsOrigin] : [];
  return new Set([...http.allowedOrigins, ...single].map((o) => o.toLowerCase().replace(/\/$/, '')));
}

/**
 * Cross-site request forgery protection: the session cookie is a browser's, so a request that uses it
 * to change something (any method but GET/HEAD/OPTIONS), or to open a stream (`originCheck: 'cookie'`,
 * SSE or WebSocket), must come from the server's own pages. Logins (`originCheck: 'always'`) are
 * checked with or without a cookie, so a foreign page cannot log the browser in to another account.
 * A cross-origin request with a token or query credentials of its own goes on without the cookie.
 */
export function registerOriginCheck(app: FastifyInstance, ctx: ApiContext): void {
  const trusted = trustedOrigins(ctx.config.http);
  const refusedLog = new LimitedLog();
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return;
    const check = request.routeOptions.config.originCheck;
    const cookie = sessionCookie(request.headers.cookie) !== undefined;
    const needed =
      check === 'always' || (cookie && (check === 'cookie' || !SAFE_METHODS.has(request.method)));
    if (!needed || fromOwnOrigin(request.headers, request.host, trusted)) return;
    if (check !== 'always' && otherCredentials(request)) {
      delete request.headers.cookie;
      return;
    }
    refusedLog.event((suppressed) =>
      request.log.warn(
        {
          origin: one(request.headers.origin),
          site: one(request.headers['sec-fetch-site']),
          method: request.method,
          route: request.routeOptions.url,
          suppressed,
        },
        'HTTP request refused: cross-origin use of the session cookie or login',
      ),
    );
    return sendText(reply, 403, TEXT.crossOrigin);
  });
}
