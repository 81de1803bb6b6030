import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { daysLeft } from '../../server/tls-certificates.js';
import type { RouteDeps } from '../app.js';

const Listener = Type.Union([
  Type.Object({ state: Type.Literal('listening'), port: Type.Integer() }, { additionalProperties: false }),
  Type.Object({ state: Type.Literal('off') }, { additionalProperties: false }),
  Type.Object(
    { state: Type.Literal('failed'), error: Type.String({ description: 'Why, and the setting to change' }) },
    { additionalProperties: false },
  ),
]);

const Listeners = Type.Object(
  {
    v2: Listener,
    v2_tls: Listener,
    http: Listener,
    https: Listener,
    mqtt: Listener,
    mqtt_tls: Listener,
    metrics: Listener,
  },
  {
    additionalProperties: false,
    description:
      'Each port of the node: listening (with its port), off (not configured) or failed (e.g. the port is taken; the node runs on without it)',
  },
);

const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    node: Type.String(),
    version: Type.String(),
    uptime_s: Type.Integer(),
    cars: Type.Integer(),
    apps: Type.Integer(),
    batch: Type.Integer(),
    connections: Type.Integer(),
    history_refused: Type.Integer({
      description: 'History records cars wrote that this node refused (quota or write rate) since it started',
    }),
    database: Type.String({ description: '"ok" or the error' }),
    bus: Type.String({ description: '"ok" or the error' }),
    tls_expires: Type.Optional(
      Type.String({
        description: 'When the TLS certificate in use expires, ISO 8601 UTC (with the TLS listeners only)',
      }),
    ),
    tls_days_left: Type.Optional(
      Type.Integer({ description: 'Whole days until then (negative once expired)' }),
    ),
    listeners: Listeners,
  },
  { additionalProperties: false },
);

const started = Date.now();

/** Bounds a check so a hung database or bus answers "degraded" instead of hanging the probe. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

async function check(work: () => Promise<unknown>): Promise<string> {
  try {
    await within(2000, work());
    return 'ok';
  } catch (err) {
    return (err as Error).message || 'failed';
  }
}

/**
 * GET /health: this node's state for load balancers and monitoring. No authentication, no
 * personal data: counts only. 200 when the database and the bus answer, 503 otherwise.
 */
export async function healthRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/health',
    {
      config: { auth: false },
      schema: { summary: "This node's health", tags: ['operations'], response: { 200: Health, 503: Health } },
    },
    async (_request, reply) => {
      const hub = deps.hub;
      const [database, bus] = await Promise.all([
        check(() => hub.store.migrationStatus()),
        check(() => hub.bus.presence.getAppCount('health/probe')),
      ]);
      const ok = database === 'ok' && bus === 'ok';
      const stats = hub.stats();
      const certificate = deps.certificates?.details;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        node: hub.bus.nodeId,
        version: hub.version,
        uptime_s: Math.floor((Date.now() - started) / 1000),
        ...stats,
        history_refused: hub.historyLimits.refused(),
        database,
        bus,
        ...(certificate
          ? {
              tls_expires: certificate.expires.toISOString(),
              tls_days_left: daysLeft(certificate.expires, Date.now()),
            }
          : {}),
        listeners: deps.listeners(),
      });
    },
  );
}
