import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPermitted, isRefused } from '../../auth/permissions.js';
import { normaliseAddress } from '../../server/link.js';
import type { RouteDeps } from '../app.js';
import { SESSION_COOKIE, sessionCookie } from '../auth.js';
import { checkPassword } from '../authenticate.js';
import { callerOf } from '../context.js';
import { CredentialsQuery, errors, text } from '../schemas.js';
import { sendText, TEXT } from '../text.js';

const LoginBody = Type.Object({
  username: Type.String({ description: 'Owner name' }),
  password: Type.String({ description: 'Owner password, or an API token with the `session` right' }),
  remember: Type.Optional(
    Type.Boolean({
      description:
        'Keep me logged in: the session lasts `http.session_remember` without use, and the cookie outlives the browser',
    }),
  ),
});

const SESSION_DESCRIPTION =
  'Starts a session and sets the cookie `ovmsapisession`. A session ends after `http.session_timeout` ' +
  'seconds without a request (`http.session_remember` with `remember`), on DELETE /api/cookie, when the ' +
  "same client logs in again, or when the owner's password changes; it survives a server restart. A cookie " +
  'that names no live session is answered 404 `Session expired`. ' +
  'A browser may only call it from the server’s own pages (or `http.allowed_origins`).';

/**
 * GET /api/cookie (log in with query credentials, as the reference), POST /api/cookie (log in with a
 * form or JSON body: the dashboard, so the password never sits in a URL) and DELETE /api/cookie
 * (log out).
 */
export async function cookieRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  // `Secure` on HTTPS, and behind a proxy that ends TLS when http.trust_proxy lets it say so.
  const attributes = (request: FastifyRequest) =>
    `Path=/; HttpOnly; SameSite=Lax${request.protocol === 'https' ? '; Secure' : ''}`;

  const startSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    owner: { id: number; name: string },
    permit: string,
    remember = false,
  ) => {
    const old = sessionCookie(request.headers.cookie);
    const current = old ? await deps.sessions.use(old) : undefined;
    if (current) await deps.sessions.end(current.id, 'replaced by a new login');
    const session = await deps.sessions.create(owner, permit, remember);
    const maxAge = deps.sessions.cookieMaxAge(session);
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${session.id}; ${attributes(request)}${maxAge ? `; Max-Age=${maxAge}` : ''}`,
    );
    return sendText(reply, 200, TEXT.loginOk);
  };

  app.get(
    '/api/cookie',
    {
      config: { auth: true, rights: ['session'], originCheck: 'always' },
      schema: {
        summary: 'Log in: start a session',
        description: `${SESSION_DESCRIPTION} Prefer POST: a password in a URL can end up in proxy logs.`,
        tags: ['session'],
        querystring: CredentialsQuery,
        response: { 200: text('`Login ok`'), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      return startSession(request, reply, { id: auth.ownerId, name: auth.ownerName }, auth.permit);
    },
  );

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/cookie',
    {
      config: { originCheck: 'always' },
      schema: {
        summary: 'Log in with a form or JSON body: start a session',
        description: SESSION_DESCRIPTION,
        tags: ['session'],
        body: LoginBody,
        response: {
          200: text('`Login ok`'),
          ...errors(400, 401, 403),
          429: text('`Too many requests`: too many failed logins for this account; see `Retry-After`'),
        },
      },
    },
    async (request, reply) => {
      const { username, password, remember } = request.body;
      const c = await checkPassword(deps, username, password, normaliseAddress(request.ip));
      if (!c || isRefused(c.permit)) return sendText(reply, 401, TEXT.authFailed);
      if (!isPermitted(c.permit, 'session')) return sendText(reply, 403, TEXT.insufficientRights);
      return startSession(request, reply, c.owner, c.permit, remember === true);
    },
  );

  app.delete(
    '/api/cookie',
    {
      config: { auth: true, rights: ['session'] },
      schema: {
        summary: 'Log out: end the session',
        description: "Ends the caller's session and disconnects it from every vehicle it connected to.",
        tags: ['session'],
        querystring: CredentialsQuery,
        response: { 200: text('`Logout ok`'), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      if (auth.session) await deps.sessions.end(auth.session.id, 'logout');
      reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes(request)}; Max-Age=0`);
      return sendText(reply, 200, TEXT.logoutOk);
    },
  );
}
