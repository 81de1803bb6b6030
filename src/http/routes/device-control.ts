import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { commandRight } from '../../auth/command-rights.js';
import { environmentFlags, environmentRecord } from '../../protocol/messages/index.js';
import type { Vehicle } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { askCar, listValues, replyFromCar, singleReply } from '../car-command.js';
import { vehicleOf } from '../context.js';
import {
  CommandReply,
  CredentialsQuery,
  errors,
  FeatureBody,
  HomelinkBody,
  ListReply,
  LockState,
  ParameterBody,
  PinBody,
  text,
  ValetState,
  VehicleParams,
} from '../schemas.js';
import { sendText, TEXT } from '../text.js';
import { READ_VEHICLE, vehicleRoute } from '../vehicle-access.js';
import { latest, payloadText, timeFields } from '../views/common.js';

const CAR_ERRORS = errors(400, 401, 403, 409, 501, 502, 503, 504);
/** A control route needs the right of the command it sends (src/auth/command-rights.ts). */
const sends = (code: number) => vehicleRoute(commandRight(code));

/** How long PUT /api/reset waits for an objection before assuming the module is restarting. */
const RESET_GRACE_MS = 2000;

function schema(summary: string, response: TSchema, extra: { body?: TSchema; description?: string } = {}) {
  return {
    summary,
    tags: ['control'],
    params: VehicleParams,
    querystring: CredentialsQuery,
    ...extra,
    response: { 200: response, ...CAR_ERRORS },
  };
}

/** A flag of the stored D message (lock or valet) with its time; 502 when D is paranoid. */
async function doorFlag(
  deps: RouteDeps,
  reply: FastifyReply,
  vehicle: Vehicle,
  flag: 'carlocked' | 'valetmode',
): Promise<FastifyReply | Record<string, string | number>> {
  const d = latest(await deps.store.getMessages(vehicle), 'D');
  if (!d) return {};
  if (d.paranoid) return sendText(reply, 502, TEXT.paranoid);
  const flags = environmentFlags(environmentRecord.decode(payloadText(d)));
  return { ...timeFields(d, 'd', new Date()), [flag]: flags[flag] } as Record<string, string | number>;
}

/**
 * The routes the reference left as 501 stubs: lock (20/22), valet (21/23), features (1/2),
 * parameters (3/4), reset (5) and homelink (24). Each sends the v2 command and answers with the car's
 * `c` reply.
 */
export async function deviceControlRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  for (const [path, flag, on, off, what] of [
    ['/api/lock/:vehicleId', 'carlocked', 20, 22, 'lock'],
    ['/api/valet/:vehicleId', 'valetmode', 21, 23, 'valet mode'],
  ] as const) {
    r.get(
      path,
      {
        config: READ_VEHICLE,
        schema: {
          ...schema(
            `Whether ${what} is on (from the latest D message)`,
            flag === 'carlocked' ? LockState : ValetState,
          ),
          response: { 200: flag === 'carlocked' ? LockState : ValetState, ...errors(401, 403, 502) },
        },
      },
      async (request, reply) => doorFlag(deps, reply, vehicleOf(request), flag),
    );
    for (const [method, code, verb] of [
      ['PUT', on, what === 'lock' ? 'Lock' : 'Turn on valet mode'],
      ['DELETE', off, what === 'lock' ? 'Unlock' : 'Turn off valet mode'],
    ] as const) {
      r.route({
        method,
        url: path,
        config: sends(code),
        schema: schema(`${verb} (command ${code})`, CommandReply, {
          body: PinBody,
          description: 'Body (form or JSON): `pin`, when the vehicle needs one.',
        }),
        handler: async (request, reply) => {
          const pin = (request.body as Static<typeof PinBody> | undefined)?.pin;
          const answer = await askCar(deps, vehicleOf(request), code, pin === undefined ? [] : [pin]);
          return replyFromCar(reply, answer, singleReply);
        },
      });
    }
  }

  for (const [name, item, list, set, body] of [
    ['features', 'feature', 1, 2, FeatureBody],
    ['parameters', 'parameter', 3, 4, ParameterBody],
  ] as const) {
    r.get(
      `/api/${name}/:vehicleId`,
      { config: sends(list), schema: schema(`The ${item} list (command ${list})`, ListReply(name)) },
      async (request, reply) =>
        replyFromCar(reply, await askCar(deps, vehicleOf(request), list, []), (lines) => ({
          command: list,
          result: 0,
          [name]: listValues(lines),
        })),
    );
    r.put(
      `/api/${name}/:vehicleId`,
      {
        config: sends(set),
        schema: schema(`Set a ${item} (command ${set})`, CommandReply, {
          body,
          description: `Body: \`${item}\` (number) and \`value\`.`,
        }),
      },
      async (request, reply) => {
        const values = request.body as Record<string, string | number>;
        const answer = await askCar(deps, vehicleOf(request), set, [
          String(values[item]),
          String(values.value),
        ]);
        return replyFromCar(reply, answer, singleReply);
      },
    );
  }

  r.put(
    '/api/reset/:vehicleId',
    {
      config: sends(5),
      schema: {
        ...schema('Restart the module (command 5)', CommandReply, {
          description:
            'A module restarts without replying, so after a short wait with no objection from the car the ' +
            'answer is 202. If the car does reply (e.g. unsupported), that reply is returned as for the other routes.',
        }),
        response: {
          200: CommandReply,
          202: text('`Reset sent`: the module restarts without replying'),
          ...CAR_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const grace = Math.min(RESET_GRACE_MS, deps.config.http.commandTimeout);
      const answer = await askCar(deps, vehicleOf(request), 5, [], grace);
      if (!answer.ok && answer.status === 504) return sendText(reply, 202, 'Reset sent');
      return replyFromCar(reply, answer, singleReply);
    },
  );

  r.put(
    '/api/homelink/:vehicleId',
    {
      config: sends(24),
      schema: schema('Homelink (command 24)', CommandReply, {
        body: Type.Optional(HomelinkBody),
        description: 'Body (optional): `button` (0, 1, 2; default: the vehicle decides).',
      }),
    },
    async (request, reply) => {
      const button = (request.body as Static<typeof HomelinkBody> | undefined)?.button;
      const answer = await askCar(deps, vehicleOf(request), 24, button === undefined ? [] : [String(button)]);
      return replyFromCar(reply, answer, singleReply);
    },
  );
}
