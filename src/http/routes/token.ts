import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { hashApiToken, newApiToken } from '../../auth/passwords.js';
import { missingRight, permitProblem } from '../../auth/permissions.js';
import { formatTimestamp } from '../../server/server-commands.js';
import type { ApiToken } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { callerOf } from '../context.js';
import {
  CredentialsQuery,
  errors,
  TokenCreateBody,
  TokenCreated,
  TokenDeleted,
  TokenList,
  text,
} from '../schemas.js';
import { sendText, TEXT } from '../text.js';

const RIGHTS = ['token.admin', 'admin'];

function tokenRow(ownerName: string, t: ApiToken) {
  const created = formatTimestamp(t.created);
  return {
    owner: ownerName,
    token: t.tokenHash,
    application: t.application,
    purpose: t.purpose,
    permit: t.permit,
    created,
    refreshed: created,
    lastused: t.lastUsed ? formatTimestamp(t.lastUsed) : created,
  };
}

/**
 * API tokens. Only the SHA-256 of a token is stored, so the list shows that hash where the reference
 * showed the token; DELETE takes either the token or that hash.
 */
export async function tokenRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/token',
    {
      config: { auth: true, rights: RIGHTS },
      schema: {
        summary: "List the caller's API tokens",
        tags: ['tokens'],
        querystring: CredentialsQuery,
        response: { 200: TokenList, ...errors(401, 403) },
      },
    },
    async (request) => {
      const auth = callerOf(request);
      const tokens = await deps.store.listApiTokens(auth.ownerId);
      return tokens.map((t) => tokenRow(auth.ownerName, t));
    },
  );

  r.post(
    '/api/token',
    {
      config: { auth: true, rights: RIGHTS },
      schema: {
        summary: 'Create an API token',
        description:
          'Form or JSON body: `application`, `purpose` (default `notspecified`), `permit` (default `auth`: ' +
          'reads the vehicles). The token is in the reply only: it is stored as a hash. Needs `token.admin` ' +
          'or `admin`; the new permit may hold only rights the caller has (403 otherwise), and only known ' +
          'rights (400).',
        tags: ['tokens'],
        querystring: CredentialsQuery,
        body: Type.Optional(TokenCreateBody),
        response: { 201: TokenCreated, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      const body = request.body ?? {};
      const permit = (body.permit ?? 'auth').trim();
      const problem = permitProblem(permit);
      if (problem) return sendText(reply, 400, `Bad request: ${problem}`);
      const missing = missingRight(auth.permit, permit);
      if (missing) {
        request.log.info({ owner: auth.ownerName, right: missing }, 'API token refused: right not held');
        return sendText(reply, 403, TEXT.insufficientRights);
      }
      const token = newApiToken();
      const created = await deps.store.createApiToken({
        ownerId: auth.ownerId,
        tokenHash: hashApiToken(token),
        // Only a Perl-schema store keeps it (that schema stores tokens in plain text).
        token,
        application: body.application ?? 'notspecified',
        purpose: body.purpose ?? 'notspecified',
        permit,
      });
      request.log.info({ owner: auth.ownerName, permit: created.permit }, 'API token created');
      return reply.code(201).send({
        owner: auth.ownerName,
        token,
        application: created.application,
        purpose: created.purpose,
        permit: created.permit,
      });
    },
  );

  r.delete(
    '/api/token/:token',
    {
      config: { auth: true, rights: RIGHTS },
      schema: {
        summary: 'Delete an API token',
        description: 'The path takes the token itself or the hash shown by GET /api/token.',
        tags: ['tokens'],
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: CredentialsQuery,
        response: { 200: TokenDeleted, ...errors(401, 403) },
      },
    },
    async (request) => {
      const auth = callerOf(request);
      const given = request.params.token;
      const deleted = await deps.store.deleteApiToken(auth.ownerId, hashApiToken(given));
      if (!deleted && /^[0-9a-f]{64}$/.test(given)) await deps.store.deleteApiToken(auth.ownerId, given);
      return { owner: auth.ownerName, token: given };
    },
  );

  r.delete(
    '/api/token',
    {
      config: { auth: true, rights: RIGHTS },
      schema: {
        summary: 'Delete an API token: the token is missing',
        tags: ['tokens'],
        querystring: CredentialsQuery,
        response: { 404: text('`Token not specified`'), ...errors(401, 403) },
      },
    },
    async (_request, reply) => sendText(reply, 404, TEXT.tokenMissing),
  );
}
