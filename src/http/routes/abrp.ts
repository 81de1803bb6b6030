import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { abrpTokenProblem } from '../../integrations/abrp/abrp-token.js';
import { StoreUnsupportedError } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import { CredentialsQuery, errors, text, VehicleParams } from '../schemas.js';
import { sendText } from '../text.js';
import { READ_VEHICLE, SHELL_VEHICLE } from '../vehicle-access.js';

/**
 * Storing or removing the token decides where the car's position goes: it needs the highest vehicle
 * right, `vehicle.shell` (a password login, a session, a `*` token), which can already reconfigure the
 * module itself; a read-only or control token cannot.
 */
const OWNER_ONLY = SHELL_VEHICLE;

const TokenBody = Type.Object({
  token: Type.String({
    maxLength: 1024,
    description: "The owner's ABRP user token (ABRP: car settings, Live data)",
  }),
});
const AbrpState = Type.Object({
  enabled: Type.Boolean({ description: 'The server sends to ABRP at all (the operator set abrp.api_key)' }),
  linked: Type.Boolean({
    description: 'A token is stored for the vehicle (the token itself is never shown)',
  }),
  refused: Type.Boolean({ description: 'ABRP refused the token: nothing is sent until a new one is stored' }),
  error: Type.String({ description: 'What went wrong last, "" when the last send succeeded' }),
  error_time: Type.String({ description: 'When, ISO 8601 UTC; "" without an error' }),
  updated: Type.String({ description: 'When the token was stored, ISO 8601 UTC; "" when not linked' }),
});

/** The vehicle's link to A Better Route Planner (docs/integrations.md). */
export async function abrpRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const enabled = deps.config.abrp.apiKey !== '';

  r.get(
    '/api/vehicle/:vehicleId/abrp',
    {
      config: READ_VEHICLE,
      schema: {
        summary: "The vehicle's ABRP live-data link: whether a token is stored, and ABRP's last error",
        tags: ['abrp'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: AbrpState, ...errors(401, 403) },
      },
    },
    async (request) => {
      const link = await deps.store.getAbrpLink(vehicleOf(request));
      return {
        enabled,
        linked: link !== undefined,
        refused: link?.refused ?? false,
        error: link?.error ?? '',
        error_time: link?.errorAt?.toISOString() ?? '',
        updated: link?.updatedAt.toISOString() ?? '',
      };
    },
  );

  r.put(
    '/api/vehicle/:vehicleId/abrp',
    {
      config: OWNER_ONLY,
      schema: {
        summary: "Store the owner's ABRP token: the server then sends the car's live data to ABRP",
        description:
          'Form or JSON body: `token`. Replaces a stored token and clears its error. Needs `vehicle.shell` ' +
          '(password, session, or a `*` or shell token). Sent only while the operator has set `abrp.api_key`.',
        tags: ['abrp'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        body: TokenBody,
        response: {
          200: text('`ABRP token stored`, with a note when the server does not send to ABRP'),
          ...errors(400, 401, 403),
          501: text('Not available with this database (Perl mode)'),
        },
      },
    },
    async (request, reply) => {
      const vehicle = vehicleOf(request);
      const token = request.body.token.trim();
      const problem = abrpTokenProblem(token);
      if (problem) return sendText(reply, 400, `Bad request: ${problem}`);
      try {
        await deps.store.setAbrpToken(vehicle, token);
      } catch (err) {
        if (err instanceof StoreUnsupportedError) return sendText(reply, 501, err.message);
        throw err;
      }
      await deps.abrp?.linkChanged(vehicle);
      request.log.info({ vehicle: vehicle.vehicleId }, 'ABRP token stored');
      return sendText(
        reply,
        200,
        enabled
          ? 'ABRP token stored'
          : 'ABRP token stored; this server does not send to ABRP (abrp.api_key is not set)',
      );
    },
  );

  r.delete(
    '/api/vehicle/:vehicleId/abrp',
    {
      config: OWNER_ONLY,
      schema: {
        summary: "Remove the vehicle's ABRP token: nothing more is sent to ABRP",
        tags: ['abrp'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: text('`ABRP token removed`'), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const vehicle = vehicleOf(request);
      const removed = await deps.store.deleteAbrpLink(vehicle);
      await deps.abrp?.linkChanged(vehicle);
      if (!removed) return sendText(reply, 404, 'No ABRP token is stored for this vehicle');
      request.log.info({ vehicle: vehicle.vehicleId }, 'ABRP token removed');
      return sendText(reply, 200, 'ABRP token removed');
    },
  );
}
