import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPermitted, isRefused } from '../auth/permissions.js';
import { normaliseAddress } from '../server/link.js';
import { checkBearer, checkPassword } from './authenticate.js';
import type { ApiAuth, ApiContext } from './context.js';
import { sendText, TEXT } from './text.js';

export const SESSION_COOKIE = 'ovmsapisession';

/** The `ovmsapisession` value from the Cookie header, if any. */
export function sessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Who is calling: a live session cookie, else `Authorization: Bearer <token>`, else the `username` and
 * `password` query parameters (password or API token). Undefined when none of them works.
 */
export async function identify(ctx: ApiContext, request: FastifyRequest): Promise<ApiAuth | undefined> {
  const sid = sessionCookie(request.headers.cookie);
  const session = sid ? await ctx.sessions.use(sid) : undefined;
  if (session) {
    return {
      ownerId: session.ownerId,
      ownerName: session.ownerName,
      permit: session.permit,
      via: 'session',
      session,
    };
  }
  const bearer = bearerToken(request.headers.authorization);
  if (bearer !== undefined) {
    const c = await checkBearer(ctx.store, bearer);
    return c && { ownerId: c.owner.id, ownerName: c.owner.name, permit: c.permit, via: 'bearer', session };
  }
  const query = request.query as { username?: unknown; password?: unknown } | undefined;
  const username = query?.username;
  const password = query?.password;
  if (typeof username !== 'string' || typeof password !== 'string') return undefined;
  const c = await checkPassword(ctx, username, password, normaliseAddress(request.ip));
  return c && { ownerId: c.owner.id, ownerName: c.owner.name, permit: c.permit, via: c.via, session };
}

/**
 * A session cookie that names no live session (expired, logged out, ended by a password change), and
 * no other credentials: answered 404 `Session expired`, not 401. ovms-hass (Home Assistant) logs in
 * again only on a 404, evcc on any error, the dashboard on either; a request without any credentials
 * still gets the reference's 401.
 */
function staleCookieOnly(request: FastifyRequest): boolean {
  if (sessionCookie(request.headers.cookie) === undefined) return false;
  if (request.headers.authorization !== undefined) return false;
  const query = request.query as { username?: unknown } | undefined;
  return query?.username === undefined;
}

/**
 * The /api access checks, in the reference's order: unknown route (404, before anything else), no or
 * refused credentials (401 `Authentication failed`), missing right (403 `Insufficient rights`), and a
 * vehicle that is not the caller's (403 `Forbidden`).
 */
export function registerAuthHook(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('auth', undefined);
  app.decorateRequest('vehicle', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.is404) return;
    const config = request.routeOptions.config;
    if (!config.auth) return;
    const auth = await identify(ctx, request);
    if (!auth && staleCookieOnly(request)) return sendText(reply, 404, TEXT.sessionExpired);
    if (!auth || isRefused(auth.permit)) return sendText(reply, 401, TEXT.authFailed);
    const rights = config.rights ?? [];
    if (rights.length > 0 && !isPermitted(auth.permit, ...rights))
      return sendText(reply, 403, TEXT.insufficientRights);
    request.auth = auth;
    if (config.vehicle) {
      const vehicleId = (request.params as { vehicleId?: string }).vehicleId ?? '';
      const vehicle = await ctx.store.getVehicle({ ownerId: auth.ownerId, vehicleId });
      if (!vehicle) {
        request.log.info({ owner: auth.ownerName, vehicle: vehicleId }, 'forbidden vehicle');
        return sendText(reply, 403, TEXT.forbidden);
      }
      request.vehicle = vehicle;
    }
  });
}
