import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { vehicleIdProblem } from '../../auth/account-names.js';
import { verifyOwnerPassword } from '../../auth/owner-login.js';
import { changeOwnerPassword } from '../../auth/password-change.js';
import { checkSecret } from '../../protocol/handshake.js';
import { vehicleKey } from '../../server/hub.js';
import type { RouteDeps } from '../app.js';
import { callerOf, vehicleOf } from '../context.js';
import { CredentialsQuery, errors, text, VehicleParams } from '../schemas.js';
import { sendText } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';
import { peerCounts } from './vehicles.js';

/** Writes need the full rights of a password login or session ('*'), not a read-only token. */
const WRITE = ['admin'];
const MIN_PASSWORD = 8;

const PasswordBody = Type.Object({
  current: Type.String({ maxLength: 1024, description: 'The current password' }),
  password: Type.String({ maxLength: 1024, description: 'The new password (at least 8 characters)' }),
  keep_tokens: Type.Optional(
    Type.Boolean({ description: "Keep the owner's API tokens (default false: they are revoked)" }),
  ),
});
const VehicleCreateBody = Type.Object({
  vehicleid: Type.String({ maxLength: 64, description: 'Vehicle id: 1-32 letters, digits, "-", "_" or "."' }),
  secret: Type.String({
    maxLength: 256,
    description: 'The shared secret (module password), at most 64 bytes',
  }),
});
const VehicleCreated = Type.Object({ vehicleid: Type.String(), owner: Type.String() });
const Account = Type.Object({
  owner: Type.String(),
  admin: Type.Boolean(),
  vehicles: Type.Array(
    Type.Object({
      id: Type.String(),
      /** Seconds since the car last sent a message, -1 when it never did. */
      age_s: Type.Integer(),
    }),
  ),
});
const PushList = Type.Array(
  Type.Object({
    appid: Type.String(),
    pushtype: Type.String(),
    pushkeytype: Type.String(),
    /** Only the start of the key: it is a credential of the phone. */
    pushkey: Type.String(),
    updated: Type.String(),
  }),
);
const PushParams = Type.Object({
  vehicleId: Type.String({ minLength: 1, maxLength: 32 }),
  appId: Type.String({ minLength: 1, maxLength: 256 }),
});
const Overview = Type.Object({
  server: Type.Object({
    cars: Type.Integer(),
    apps: Type.Integer(),
    batch: Type.Integer(),
    connections: Type.Integer(),
    uptime_s: Type.Integer(),
    memory_mb: Type.Number(),
    history_refused: Type.Integer({ description: 'History records this node refused (quota or write rate)' }),
  }),
  owners: Type.Array(
    Type.Object({
      name: Type.String(),
      admin: Type.Boolean(),
      vehicles: Type.Integer(),
      created: Type.String(),
    }),
  ),
  vehicles: Type.Array(
    Type.Object({
      id: Type.String(),
      owner: Type.String(),
      v_net_connected: Type.Integer(),
      v_apps_connected: Type.Integer(),
      v_btcs_connected: Type.Integer(),
      v_car_protocol: Type.String({ description: "'v2', 'v3' (MQTT) or '' (not connected)" }),
      history_refused: Type.Integer({
        description: "The vehicle's history records this node refused (quota or write rate) since it started",
      }),
    }),
  ),
});

/**
 * Account routes for the web dashboard: who am I, change password, add a vehicle, see and remove push
 * subscriptions, and (admins) an overview of owners, vehicles and connections.
 */
export async function accountRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/account',
    {
      config: { auth: true },
      schema: {
        summary: 'The caller: owner name, admin flag and vehicles with the age of their data',
        tags: ['account'],
        querystring: CredentialsQuery,
        response: { 200: Account, ...errors(401) },
      },
    },
    async (request) => {
      const auth = callerOf(request);
      const owner = await deps.store.getOwner(auth.ownerId);
      const vehicles = await deps.store.listVehicles(auth.ownerId);
      const now = Date.now();
      return {
        owner: auth.ownerName,
        admin: owner?.admin ?? false,
        vehicles: vehicles.map((v) => ({
          id: v.vehicleId,
          age_s: v.lastUpdate ? Math.max(0, Math.round((now - v.lastUpdate.getTime()) / 1000)) : -1,
        })),
      };
    },
  );

  r.put(
    '/api/account/password',
    {
      config: { auth: true, rights: WRITE },
      schema: {
        summary: "Change the caller's password",
        description:
          'Form or JSON body: `current` and `password` (at least 8 characters). Every other session of the ' +
          "owner ends (the caller's own session carries on), and the owner's API tokens are revoked unless " +
          '`keep_tokens` is true. The answer says how many tokens were revoked.',
        tags: ['account'],
        querystring: CredentialsQuery,
        body: PasswordBody,
        response: {
          200: text('`Password changed`, or `Password changed; <n> API token(s) revoked`'),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      const owner = await deps.store.getOwner(auth.ownerId);
      if (!owner || !(await verifyOwnerPassword(deps.store, owner, request.body.current)))
        return sendText(reply, 403, 'The current password is wrong');
      if (request.body.password.length < MIN_PASSWORD)
        return sendText(
          reply,
          400,
          `Bad request: the new password needs at least ${MIN_PASSWORD} characters`,
        );
      const change = await changeOwnerPassword(deps.store, owner, request.body.password, {
        keepTokens: request.body.keep_tokens === true,
      });
      const ended = await deps.sessions.passwordChanged(owner.id, change.passwordHash, auth.session);
      request.log.info(
        { owner: auth.ownerName, sessionsEnded: ended, tokensRevoked: change.revokedTokens },
        'password changed',
      );
      const revoked = change.revokedTokens;
      return sendText(
        reply,
        200,
        revoked === 0 ? 'Password changed' : `Password changed; ${revoked} API token(s) revoked`,
      );
    },
  );

  r.post(
    '/api/vehicles',
    {
      config: { auth: true, rights: WRITE },
      schema: {
        summary: 'Add a vehicle to the caller',
        description:
          'Form or JSON body: `vehicleid` (1-32 letters, digits, "-", "_" or "."; stored upper-case) and ' +
          '`secret` (the module password, at most 64 bytes). 409 when the id is taken.',
        tags: ['vehicles'],
        querystring: CredentialsQuery,
        body: VehicleCreateBody,
        response: { 201: VehicleCreated, ...errors(400, 401, 403), 409: text('The vehicle id is taken') },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      const vehicleId = request.body.vehicleid.trim().toUpperCase();
      const idProblem = vehicleIdProblem(vehicleId);
      if (idProblem) return sendText(reply, 400, `Bad request: ${idProblem}`);
      const problem = checkSecret(request.body.secret);
      if (problem) return sendText(reply, 400, `Bad request: ${problem}`);
      if (await deps.store.findVehicle(vehicleId)) return sendText(reply, 409, 'The vehicle id is taken');
      await deps.store.createVehicle({ ownerId: auth.ownerId, vehicleId, secret: request.body.secret });
      request.log.info({ owner: auth.ownerName, vehicle: vehicleId }, 'vehicle added over HTTP');
      return reply.code(201).send({ vehicleid: vehicleId, owner: auth.ownerName });
    },
  );

  r.get(
    '/api/push/:vehicleId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: "The vehicle's push subscriptions (phones that get its notifications)",
        tags: ['account'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: PushList, ...errors(401, 403) },
      },
    },
    async (request) => {
      const subs = await deps.store.listPushSubscriptions(vehicleOf(request));
      return subs.map((s) => ({
        appid: s.appId,
        pushtype: s.pushType,
        pushkeytype: s.pushKeyType,
        pushkey: s.pushKeyValue.length > 12 ? `${s.pushKeyValue.slice(0, 12)}…` : s.pushKeyValue,
        updated: s.lastUpdated.toISOString(),
      }));
    },
  );

  r.delete(
    '/api/push/:vehicleId/:appId',
    {
      config: { auth: true, vehicle: true, rights: WRITE },
      schema: {
        summary: 'Remove a push subscription',
        tags: ['account'],
        params: PushParams,
        querystring: CredentialsQuery,
        response: { 200: text('`Subscription removed`'), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ok = await deps.store.deletePushSubscription(vehicleOf(request), request.params.appId);
      return ok ? sendText(reply, 200, 'Subscription removed') : sendText(reply, 404, 'No such subscription');
    },
  );

  r.get(
    '/api/admin/overview',
    {
      config: { auth: true, rights: WRITE },
      schema: {
        summary: 'Operators: owners, vehicles with live connection counts, server figures',
        description: 'Only for owners with admin rights (`ovms-server owner add --admin`).',
        tags: ['account'],
        querystring: CredentialsQuery,
        response: { 200: Overview, ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const auth = callerOf(request);
      const me = await deps.store.getOwner(auth.ownerId);
      if (!me?.admin) return sendText(reply, 403, 'Insufficient rights');
      const [owners, vehicles] = await Promise.all([deps.store.listOwners(), deps.store.listVehicles()]);
      const names = new Map(owners.map((o) => [o.id, o.name]));
      const count = new Map<number, number>();
      for (const v of vehicles) count.set(v.ownerId, (count.get(v.ownerId) ?? 0) + 1);
      return {
        server: {
          ...deps.hub.stats(),
          uptime_s: Math.round(process.uptime()),
          memory_mb: Math.round(process.memoryUsage().rss / 1048576),
          history_refused: deps.hub.historyLimits.refused(),
        },
        owners: owners.map((o) => ({
          name: o.name,
          admin: o.admin,
          vehicles: count.get(o.id) ?? 0,
          created: o.createdAt.toISOString(),
        })),
        vehicles: await Promise.all(
          vehicles.map(async (v) => ({
            id: v.vehicleId,
            owner: names.get(v.ownerId) ?? '?',
            ...(await peerCounts(deps.hub, v)),
            history_refused: deps.hub.historyLimits.refused(vehicleKey(v)),
          })),
        ),
      };
    },
  );
}
