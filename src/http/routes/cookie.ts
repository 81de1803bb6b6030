import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';
import { SESSION_COOKIE } from '../auth.js';
import { callerOf } from '../context.js';
import { CredentialsQuery, errors, text } from '../schemas.js';
import { sendText, TEXT } from '../text.js';

/** GET /api/cookie (log in: a session cookie) and DELETE /api/cookie (log out). */
export async function cookieRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const attributes = `Path=/; HttpOnly; SameSite=Lax${deps.secure ? '; Secure' : ''}`;

  app.get(
    '/api/cookie',
    {
      config: { auth: true, rights: ['session'] },
      schema: {
        summary: 'Log in: start a session',
        description:
          'Starts a session and sets the cookie `ovmsapisession`. A session ends after `http.session_timeout` ' +
          'seconds without a request, on DELETE /api/cookie, or when the same client logs in again.',
        tags: ['session'],
        querystring: CredentialsQuery,
        response: { 200: text('`Login ok`'), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      if (auth.session) await deps.sessions.end(auth.session.id, 'replaced by a new login');
      const session = await deps.sessions.create({ id: auth.ownerId, name: auth.ownerName }, auth.permit);
      reply.header('set-cookie', `${SESSION_COOKIE}=${session.id}; ${attributes}`);
      return sendText(reply, 200, TEXT.loginOk);
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
      reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`);
      return sendText(reply, 200, TEXT.logoutOk);
    },
  );
}
