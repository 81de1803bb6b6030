import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';
import { askCar, replyFromCar, singleReply } from '../car-command.js';
import { vehicleOf } from '../context.js';
import { ChargeBody, CommandReply, CredentialsQuery, errors, VehicleParams } from '../schemas.js';
import { CONTROL_VEHICLE } from '../vehicle-access.js';

/** v2 charge mode numbers (the S message's field 15). */
export const CHARGE_MODES: Record<string, number> = { standard: 0, storage: 1, range: 3, performance: 4 };

/** The command for PUT /api/charge: start (11), mode (10), current (15) or both (16). */
export function chargeCommand(body: { mode?: string | number; current?: number }): {
  code: number;
  params: string[];
} {
  const mode = body.mode === undefined ? undefined : String(CHARGE_MODES[body.mode] ?? body.mode);
  const amps = body.current === undefined ? undefined : String(body.current);
  if (mode !== undefined && amps !== undefined) return { code: 16, params: [mode, amps] };
  if (mode !== undefined) return { code: 10, params: [mode] };
  if (amps !== undefined) return { code: 15, params: [amps] };
  return { code: 11, params: [] };
}

const CAR_ERRORS = errors(400, 401, 403, 409, 501, 502, 503, 504);

/** PUT /api/charge (start, mode, current) and DELETE /api/charge (stop). */
export async function chargeControlRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = CONTROL_VEHICLE;

  r.put(
    '/api/charge/:vehicleId',
    {
      config,
      schema: {
        summary: 'Start charging, or set the charge mode and/or current',
        description:
          'No body: start charging (command 11). `mode` (standard, storage, range, performance or a number): ' +
          'command 10. `current` (A): command 15. Both: command 16. Form or JSON body.',
        tags: ['control'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        body: ChargeBody,
        response: { 200: CommandReply, ...CAR_ERRORS },
      },
    },
    async (request, reply) => {
      const { code, params } = chargeCommand(request.body ?? {});
      return replyFromCar(reply, await askCar(deps, vehicleOf(request), code, params), singleReply);
    },
  );

  r.delete(
    '/api/charge/:vehicleId',
    {
      config,
      schema: {
        summary: 'Stop charging (command 12)',
        tags: ['control'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: CommandReply, ...CAR_ERRORS },
      },
    },
    async (request, reply) =>
      replyFromCar(reply, await askCar(deps, vehicleOf(request), 12, []), singleReply),
  );
}
