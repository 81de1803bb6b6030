import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';
import { callerOf } from '../context.js';
import { errors, text } from '../schemas.js';
import { sendText, TEXT } from '../text.js';

/**
 * GET /metrics on the HTTP API ports (only with `metrics.enabled`; otherwise the route does not
 * exist and answers 404): the node's Prometheus metrics, for an admin owner (`ovms-server owner add
 * --admin`) calling with the `admin` right, i.e. an API token made with it (`Authorization: Bearer`,
 * what Prometheus sends) or the owner's password. 401 without credentials, 403 for anyone else.
 */
export async function metricsRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const metrics = deps.metrics;
  if (!metrics) return;
  app.get(
    '/metrics',
    {
      config: { auth: true, rights: ['admin'] },
      schema: {
        summary: "This node's Prometheus metrics (metrics.enabled; admin owners only)",
        description:
          'Prometheus text format. Needs an API token with the `admin` right of an owner made with `--admin`, as `Authorization: Bearer <token>`. `metrics.listen` serves the same without authentication on an address of its own.',
        tags: ['operations'],
        response: { 200: text('Prometheus text exposition format 0.0.4'), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const owner = await deps.store.getOwner(callerOf(request).ownerId);
      if (!owner?.admin) return sendText(reply, 403, TEXT.insufficientRights);
      const body = await metrics.scrape();
      return reply.type(metrics.contentType).send(body);
    },
  );
}
