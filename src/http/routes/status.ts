import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { StoredMessage } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import {
  ChargeView,
  CredentialsQuery,
  errors,
  LocationView,
  StatusView,
  TpmsView,
  VehicleParams,
} from '../schemas.js';
import { sendText, TEXT } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';
import { chargeView } from '../views/charge.js';
import { ParanoidVehicleError, type View } from '../views/common.js';
import { locationView } from '../views/location.js';
import { statusView } from '../views/status.js';
import { tpmsView } from '../views/tpms.js';

interface ViewRoute {
  path: string;
  summary: string;
  response: TSchema;
  view: (messages: readonly StoredMessage[], now: Date) => View;
}

const VIEWS: ViewRoute[] = [
  {
    path: '/api/status/:vehicleId',
    summary: 'Vehicle status (S and D)',
    response: StatusView,
    view: statusView,
  },
  {
    path: '/api/charge/:vehicleId',
    summary: 'Charge state (S and D)',
    response: ChargeView,
    view: chargeView,
  },
  { path: '/api/location/:vehicleId', summary: 'Location (L)', response: LocationView, view: locationView },
  { path: '/api/tpms/:vehicleId', summary: 'Tyre pressures (Y, else W)', response: TpmsView, view: tpmsView },
];

/** The decoded views of the stored messages: /api/status, /api/charge, /api/location, /api/tpms. */
export async function statusRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const v of VIEWS) {
    r.get(
      v.path,
      {
        config: READ_VEHICLE,
        schema: {
          summary: v.summary,
          description:
            'Values copied from messages are strings; ages, flags (masked bit values) and psi are numbers. ' +
            'A field the car did not send is null; a message never received leaves its fields out.',
          tags: ['data'],
          params: VehicleParams,
          querystring: CredentialsQuery,
          response: { 200: v.response, ...errors(401, 403, 502) },
        },
      },
      async (request, reply) => {
        const messages = await deps.store.getMessages(vehicleOf(request));
        try {
          return v.view(messages, new Date());
        } catch (err) {
          if (err instanceof ParanoidVehicleError) return sendText(reply, 502, TEXT.paranoid);
          throw err;
        }
      },
    );
  }
}
