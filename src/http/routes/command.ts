import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { commandRight } from '../../auth/command-rights.js';
import { isPermitted } from '../../auth/permissions.js';
import { buildCommand } from '../../protocol/commands.js';
import type { RouteDeps } from '../app.js';
import { askCar } from '../car-command.js';
import { callerOf, vehicleOf } from '../context.js';
import { CommandBody, CommandLines, CredentialsQuery, errors, VehicleParams } from '../schemas.js';
import { sendText, TEXT } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';

/** The parameters as a list: a string is split at commas, except into a known command's last free-text one. */
export function commandParams(params: string | readonly string[] | undefined): string[] {
  if (params === undefined) return [];
  if (typeof params !== 'string') return [...params];
  return params === '' ? [] : params.split(',');
}

/**
 * POST /api/command/<id>: any v2 command. The reply lines are returned as they came, whatever their
 * result (a failure is data here, not an HTTP error); 409 and 504 as for the control routes.
 */
export async function commandRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/api/command/:vehicleId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: 'Send any v2 command and return its reply lines',
        description:
          'JSON or form body: `command` (0..65535) and `params` (a list, or one comma-separated string). ' +
          'Known commands have their parameters checked. Commands 30, 31 and 32 are answered by the server. ' +
          'Rights by command: `vehicle.read` for 1, 30-32; `vehicle.control` for 5, 6, 10-12, 15-26; ' +
          '`vehicle.shell` for 7 and every other command (403 `Insufficient rights` otherwise).',
        tags: ['control'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        body: CommandBody,
        response: { 200: CommandLines, ...errors(400, 401, 403, 409, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const code = request.body.command;
      const params = commandParams(request.body.params);
      try {
        buildCommand(code, params);
      } catch (err) {
        return sendText(reply, 400, `Bad request: ${(err as Error).message}`);
      }
      if (!isPermitted(callerOf(request).permit, commandRight(code)))
        return sendText(reply, 403, TEXT.insufficientRights);
      const answer = await askCar(deps, vehicleOf(request), code, params);
      if (!answer.ok) return sendText(reply, answer.status, answer.text);
      const lines = answer.lines.map((l) => ({ result: l.result, text: l.text, params: [...l.params] }));
      return { command: code, result: lines.at(-1)?.result ?? 0, lines };
    },
  );
}
