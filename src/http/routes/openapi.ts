import { Type } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteDeps } from '../app.js';
import { buildOpenApi, renderOpenApiHtml } from '../openapi-doc.js';
import { text } from '../schemas.js';
import { inlineStyleCsp } from '../security-headers.js';

/** GET /api/openapi.json (the OpenAPI document) and GET /api/docs (the same as an HTML page). No auth. */
export async function openapiRoutes(
  app: FastifyInstance,
  deps: RouteDeps & { routes: readonly RouteOptions[] },
): Promise<void> {
  let doc: Record<string, unknown> | undefined;
  let html: string | undefined;
  let csp: string | undefined;
  const document = () => {
    doc ??= buildOpenApi(deps.routes, deps.hub.version.split('/')[1] ?? deps.hub.version);
    return doc;
  };

  app.get(
    '/api/openapi.json',
    {
      schema: {
        summary: 'This OpenAPI document',
        tags: ['docs'],
        response: {
          200: Type.Object({}, { additionalProperties: true, description: 'OpenAPI 3.1 document' }),
        },
      },
    },
    async () => document(),
  );

  app.get(
    '/api/docs',
    {
      schema: {
        summary: 'The API reference as an HTML page (works offline)',
        tags: ['docs'],
        response: { 200: text('HTML page', 'text/html') },
      },
    },
    async (_request, reply) => {
      html ??= renderOpenApiHtml(document());
      csp ??= inlineStyleCsp(html);
      return reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(html);
    },
  );
}
