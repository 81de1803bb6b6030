import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeMessage } from '../../protocol/messages/index.js';
import type { VehicleRef } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { callerOf, vehicleOf } from '../context.js';
import { canonicalJson } from '../json.js';
import { LiveViews } from '../live-views.js';
import { CredentialsQuery, errors, text, VehicleParams } from '../schemas.js';
import { READ_VEHICLE } from '../vehicle-access.js';
import { peerCounts } from './vehicles.js';

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

const StreamQuery = Type.Object({
  ...CredentialsQuery.properties,
  views: Type.Optional(
    Type.Literal('1', {
      description:
        '1: after `ready`, a `car` event with the car state and a `views` event; then a `views` event ' +
        'after each message that changes them (the dashboard lives off these, with no request per message)',
    }),
  ),
  app: Type.Optional(
    Type.Literal('1', {
      description: '1: the stream counts as an app of the car while it is open (the car reports faster)',
    }),
  ),
});

/** How one stream sends an event, whatever it rides on (SSE or WebSocket). */
type Send = (event: string, data: unknown) => void;

/**
 * Follows the vehicle for one stream: relayed messages, the car's connects and disconnects, and (with
 * `views`) the views they change. Returns what ends it: the unsubscribe, and the virtual app's removal.
 */
async function follow(
  deps: RouteDeps,
  vehicle: VehicleRef,
  query: { views?: string; app?: string },
  send: Send,
): Promise<{ stop: () => Promise<void>; live: LiveViews | undefined; carState: () => Promise<object> }> {
  const id = vehicle.vehicleId;
  const live = query.views === '1' ? new LiveViews(await deps.store.getMessages(vehicle)) : undefined;
  let pending = false;
  const sendViews = () => {
    pending = false;
    const views = live?.views(new Date());
    if (views) send('views', { event: 'views', vehicle: id, ...views });
  };
  const carState = async (): Promise<object> => {
    const counts = await peerCounts(deps.hub, vehicle);
    return {
      connected: counts.v_net_connected === 1,
      protocol: counts.v_car_protocol,
      apps: counts.v_apps_connected,
    };
  };
  const unwatch = await deps.hub.watch(vehicle, (line) => {
    const now = new Date();
    if (line.code === 'Z') {
      // The car came or went (the hub's car-up and car-down): said at once, with the counts then.
      void carState().then((state) =>
        send('car', { event: 'car', vehicle: id, time: now.toISOString(), ...state }),
      );
      return;
    }
    send('message', streamEvent(id, line, now));
    // Messages of one batch arrive together: one views event for them.
    if (live?.update(line.code, line.payload, now) && !pending) {
      pending = true;
      setImmediate(sendViews);
    }
  });
  const appId = query.app === '1' ? `stream:${randomUUID()}` : undefined;
  if (appId) await deps.hub.addVirtualApp(vehicle, appId);
  const stop = async () => {
    await unwatch();
    if (appId) await deps.hub.removeVirtualApp(vehicle, appId);
  };
  return { stop, live, carState };
}

/**
 * GET /api/stream/<id>: the vehicle's messages as they are relayed to its apps, decoded, as
 * Server-Sent Events, or over a WebSocket when the request is an upgrade. The first event is
 * `ready` (sent once the stream is attached); then one `message` event per message, and a `car`
 * event when the car connects or disconnects. With `views=1` the views too; with `app=1` the stream
 * counts as an app of the car until it closes (a closed tab no longer keeps the car reporting fast).
 */
export async function streamRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const pingEvery = keepaliveMs(deps.config.http.idleTimeout);
  /** Attaches a stream; `closed` says whether it went away meanwhile. */
  const attach = async (
    request: FastifyRequest,
    send: Send,
    onClose: (f: () => void) => void,
    end: () => void,
  ): Promise<void> => {
    const vehicle = vehicleOf(request);
    const query = request.query as { views?: string; app?: string };
    let closed = false;
    let stop: (() => Promise<void>) | undefined;
    // A stream opened with a session ends with it (logout, password change, expiry): the page then
    // reconnects and learns the session is over.
    const session = callerOf(request).session;
    const unregister = session ? deps.sessions.onEnd(session, end) : undefined;
    onClose(() => {
      closed = true;
      unregister?.();
      void stop?.();
    });
    const followed = await follow(deps, vehicle, query, (event, data) => {
      if (!closed) send(event, data);
    });
    stop = followed.stop;
    if (closed) return void stop();
    const id = vehicle.vehicleId;
    send('ready', { event: 'ready', vehicle: id });
    if (followed.live) {
      const state = await followed.carState();
      send('car', { event: 'car', vehicle: id, time: new Date().toISOString(), ...state });
      const views = followed.live.views(new Date());
      if (views) send('views', { event: 'views', vehicle: id, ...views });
    }
  };
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
        'message (the decoded message)}, and `car` {event, vehicle, time, connected, protocol, apps} when the ' +
        'car connects or disconnects. With `views=1`: a `car` and a `views` {event, vehicle, status, charge, ' +
        'location, tpms} event after `ready`, and `views` after each message that changes them.',
      tags: ['stream'],
      params: VehicleParams,
      querystring: StreamQuery,
      response: { 200: text('Server-Sent Events', 'text/event-stream'), ...errors(401, 403) },
    },
    handler: async (request, reply) => {
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      const keepalive = setInterval(() => res.write(': keep-alive\n\n'), pingEvery);
      await attach(
        request,
        (event, data) => res.write(`event: ${event}\ndata: ${canonicalJson(data)}\n\n`),
        (f) =>
          res.once('close', () => {
            clearInterval(keepalive);
            f();
          }),
        () => res.end(),
      );
    },
    wsHandler: async (socket, request) => {
      const keepalive = setInterval(() => socket.ping(), pingEvery);
      socket.on('message', () => {});
      await attach(
        request,
        (_event, data) => {
          if (socket.readyState === socket.OPEN) socket.send(canonicalJson(data));
        },
        (f) =>
          socket.once('close', () => {
            clearInterval(keepalive);
            f();
          }),
        () => socket.close(1000, 'session ended'),
      );
    },
  });
}
