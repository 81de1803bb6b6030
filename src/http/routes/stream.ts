import type { FastifyInstance } from 'fastify';
import { decodeMessage } from '../../protocol/messages/index.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import { canonicalJson } from '../json.js';
import { CredentialsQuery, errors, text, VehicleParams } from '../schemas.js';
import { READ_VEHICLE } from '../vehicle-access.js';

/**
 * How often an idle stream sends a keep-alive (SSE comment or WebSocket ping): every 25 s, or twice
 * per `http.idle_timeout` when that is shorter, so an idle stream is never closed as a dead connection.
 */
export function keepaliveMs(idleTimeoutMs: number): number {
  return idleTimeoutMs > 0 ? Math.min(25_000, idleTimeoutMs / 2) : 25_000;
}

/** One relayed message as the streams send it. */
export function streamEvent(vehicleId: string, line: { code: string; payload: Buffer }, now = new Date()) {
  const payload = line.payload.toString('utf8');
  return {
    event: 'message',
    vehicle: vehicleId,
    time: now.toISOString(),
    code: line.code,
    payload,
    message: decodeMessage(line.code + payload, 'car'),
  };
}

/**
 * GET /api/stream/<id>: the vehicle's messages as they are relayed to its apps, decoded, as
 * Server-Sent Events, or over a WebSocket when the request is an upgrade. The first event is
 * `ready` (sent once the stream is attached); then one `message` event per message. A stream does
 * not count as an app: GET /api/vehicle/<id> does that.
 */
export async function streamRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const pingEvery = keepaliveMs(deps.config.http.idleTimeout);
  app.route({
    method: 'GET',
    url: '/api/stream/:vehicleId',
    // The session cookie opens a stream only from the server's own pages (WebSocket and SSE alike).
    config: { ...READ_VEHICLE, originCheck: 'cookie' },
    schema: {
      summary: 'Live stream of the decoded messages (SSE or WebSocket)',
      description:
        'Server-Sent Events (`Accept: text/event-stream`), or JSON text frames after a WebSocket upgrade on the ' +
        'same URL. Events: `ready` {event, vehicle}, then `message` {event, vehicle, time, code, payload, ' +
        'message (the decoded message)}.',
      tags: ['stream'],
      params: VehicleParams,
      querystring: CredentialsQuery,
      response: { 200: text('Server-Sent Events', 'text/event-stream'), ...errors(401, 403) },
    },
    handler: async (request, reply) => {
      const vehicle = vehicleOf(request);
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      const send = (event: string, data: unknown) =>
        res.write(`event: ${event}\ndata: ${canonicalJson(data)}\n\n`);
      let closed = false;
      let unwatch: (() => Promise<void>) | undefined;
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), pingEvery);
      res.once('close', () => {
        closed = true;
        clearInterval(keepalive);
        void unwatch?.();
      });
      unwatch = await deps.hub.watch(vehicle, (line) =>
        send('message', streamEvent(vehicle.vehicleId, line)),
      );
      if (closed) return void unwatch();
      send('ready', { event: 'ready', vehicle: vehicle.vehicleId });
    },
    wsHandler: async (socket, request) => {
      const vehicle = vehicleOf(request);
      let closed = false;
      let unwatch: (() => Promise<void>) | undefined;
      const keepalive = setInterval(() => socket.ping(), pingEvery);
      socket.once('close', () => {
        closed = true;
        clearInterval(keepalive);
        void unwatch?.();
      });
      socket.on('message', () => {});
      unwatch = await deps.hub.watch(vehicle, (line) => {
        if (socket.readyState === socket.OPEN)
          socket.send(canonicalJson(streamEvent(vehicle.vehicleId, line)));
      });
      if (closed) return void unwatch();
      socket.send(canonicalJson({ event: 'ready', vehicle: vehicle.vehicleId }));
    },
  });
}
