import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Place } from '../../recording/geo.js';
import { StoreUnsupportedError } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { PlaceBody, PlaceSchema } from '../recording-schemas.js';
import { CredentialsQuery, errors, text } from '../schemas.js';
import { sendText } from '../text.js';

/** An owner has at most this many places. */
export const MAX_PLACES = 200;

const placeView = (p: Place) => ({ ...p, pricePerKwh: p.pricePerKwh ?? null });

/**
 * The owner's named places (home, work, a charger with its price): trips and charges within a
 * place's radius show its name, and a charge there costs its price per kWh. Reading needs the read
 * right; changing them full rights.
 */
export async function placeRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/places',
    {
      config: { auth: true, rights: ['vehicle.read'] },
      schema: {
        summary: "The owner's named places",
        tags: ['recording'],
        querystring: CredentialsQuery,
        response: { 200: Type.Array(PlaceSchema), ...errors(401, 403) },
      },
    },
    async (request) => (await deps.store.listPlaces(request.auth!.ownerId)).map(placeView),
  );

  r.put(
    '/api/places',
    {
      config: { auth: true, rights: ['admin'] },
      schema: {
        summary: 'Adds a place, or replaces the one whose id the body names',
        tags: ['recording'],
        querystring: CredentialsQuery,
        body: PlaceBody,
        response: {
          200: PlaceSchema,
          ...errors(400, 401, 403),
          404: text('No such place'),
          501: text('Not available with this database (Perl mode)'),
        },
      },
    },
    async (request, reply) => {
      const ownerId = request.auth!.ownerId;
      const { id, pricePerKwh, ...rest } = request.body;
      if (id === undefined && (await deps.store.listPlaces(ownerId)).length >= MAX_PLACES) {
        return sendText(reply, 400, `Bad request: at most ${MAX_PLACES} places`);
      }
      let place: Place | undefined;
      try {
        place = await deps.store.putPlace(
          ownerId,
          { ...rest, ...(pricePerKwh === null || pricePerKwh === undefined ? {} : { pricePerKwh }) },
          id,
        );
      } catch (err) {
        if (err instanceof StoreUnsupportedError) return sendText(reply, 501, err.message);
        throw err;
      }
      if (!place) return sendText(reply, 404, 'No such place');
      return placeView(place);
    },
  );

  r.delete(
    '/api/places/:placeId',
    {
      config: { auth: true, rights: ['admin'] },
      schema: {
        summary: 'Removes a place',
        tags: ['recording'],
        params: Type.Object({ placeId: Type.Integer({ minimum: 1 }) }),
        querystring: CredentialsQuery,
        response: { 200: text('`Place removed`'), ...errors(401, 403), 404: text('No such place') },
      },
    },
    async (request, reply) => {
      const removed = await deps.store.deletePlace(request.auth!.ownerId, request.params.placeId);
      return sendText(reply, removed ? 200 : 404, removed ? 'Place removed' : 'No such place');
    },
  );
}
