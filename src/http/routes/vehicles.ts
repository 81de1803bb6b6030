import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Hub, vehicleKey } from '../../server/hub.js';
import type { VehicleRef } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { callerOf, vehicleOf } from '../context.js';
import {
  CredentialsQuery,
  errors,
  ProtocolList,
  text,
  VehicleConnected,
  VehicleList,
  VehicleListQuery,
  VehicleParams,
} from '../schemas.js';
import { sendText, TEXT } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';
import { latest, timeFields } from '../views/common.js';
import { protocolView } from '../views/records.js';

/**
 * Live peer counts: car (0/1), apps (v2 apps and HTTP sessions, every node) and batch clients, and
 * how the car is connected (`v_car_protocol`: `v2`, `v3` or `''`).
 */
export async function peerCounts(hub: Hub, ref: VehicleRef) {
  const key = vehicleKey(ref);
  const [protocol, apps] = await Promise.all([hub.carProtocol(key), hub.bus.presence.getAppCount(key)]);
  return {
    v_net_connected: protocol ? 1 : 0,
    v_apps_connected: apps,
    v_btcs_connected: hub.localBatchCount(key),
    v_car_protocol: protocol,
  };
}

/** /api/vehicles, /api/vehicle/<id> (connect and disconnect as an app) and /api/protocol/<id>. */
export async function vehicleRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const perVehicle = READ_VEHICLE;

  r.get(
    '/api/vehicles',
    {
      config: { auth: true, rights: ['vehicle.read'] },
      schema: {
        summary: "The caller's vehicles with live connection counts",
        tags: ['vehicles'],
        querystring: VehicleListQuery,
        response: { 200: VehicleList, ...errors(401, 400) },
      },
    },
    async (request) => {
      const auth = callerOf(request);
      const withProtocol = request.query.include === 'protocol';
      const vehicles = await deps.store.listVehicles(auth.ownerId);
      return Promise.all(
        vehicles.map(async (v) => {
          const { v_car_protocol, ...counts } = await peerCounts(deps.hub, v);
          return { id: v.vehicleId, ...counts, ...(withProtocol ? { v_car_protocol } : {}) };
        }),
      );
    },
  );

  r.get(
    '/api/vehicle/:vehicleId',
    {
      config: perVehicle,
      schema: {
        summary: 'Connect to a vehicle as an app',
        description:
          'With a session cookie, the session counts as an app of the vehicle (the car is sent its new `Z`, and ' +
          'cars report more often while an app is connected) until DELETE, logout or session expiry. ' +
          'Without a session nothing is registered (the reference left a phantom app behind).',
        tags: ['vehicles'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: VehicleConnected, ...errors(401, 403) },
      },
    },
    async (request) => {
      const auth = callerOf(request);
      const vehicle = vehicleOf(request);
      let firstPeer: boolean;
      if (auth.session) {
        firstPeer = (await deps.sessions.connect(auth.session, vehicle)).firstPeer;
      } else {
        firstPeer = (await deps.hub.bus.presence.getAppCount(vehicleKey(vehicle))) === 0;
      }
      const counts = await peerCounts(deps.hub, vehicle);
      const s = latest(await deps.store.getMessages(vehicle), 'S');
      return { ...counts, v_first_peer: firstPeer ? 1 : 0, ...(s ? timeFields(s, 's', new Date()) : {}) };
    },
  );

  r.delete(
    '/api/vehicle/:vehicleId',
    {
      config: perVehicle,
      schema: {
        summary: 'Disconnect from a vehicle',
        tags: ['vehicles'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: text('`Disconnect OK`'), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      if (auth.session) await deps.sessions.disconnect(auth.session, vehicleOf(request));
      return sendText(reply, 200, TEXT.disconnectOk);
    },
  );

  r.get(
    '/api/protocol/:vehicleId',
    {
      config: perVehicle,
      schema: {
        summary: 'The stored messages, as received',
        description: 'Every valid stored message (F, S, then the others). Does not connect to the vehicle.',
        tags: ['vehicles'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: ProtocolList, ...errors(401, 403) },
      },
    },
    async (request) => protocolView(await deps.store.getMessages(vehicleOf(request))),
  );
}
