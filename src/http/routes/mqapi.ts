import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { isTopicSafeName, printable } from '../../auth/account-names.js';
import { hasMqttRight, ownsTopic } from '../../mqtt/access-rules.js';
import type { RouteDeps } from '../app.js';
import { checkPassword, LoginThrottled } from '../authenticate.js';
import { MqapiBody, text } from '../schemas.js';
import { sendText } from '../text.js';

type Body = { username?: string | number; password?: string | number; topic?: string | number };

function schema(summary: string, response: Record<number, ReturnType<typeof text>>, description?: string) {
  return { summary, ...(description ? { description } : {}), tags: ['mqapi'], body: MqapiBody, response };
}

const YES_NO = { 200: text('Allowed (empty body)'), 403: text('Refused (empty body)') };

const str = (v: string | number | undefined): string | undefined => (v === undefined ? undefined : String(v));

/**
 * The Mosquitto auth-plugin / mosquitto-go-auth HTTP back-end (SERVER-INVENTORY.md §4.4): POST only,
 * form or JSON body; the status code is the answer.
 */
export async function mqapiRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const superuser = deps.config.mqtt.superuser;
  const isSuperuser = (name: string | undefined) => superuser !== '' && name === superuser;

  r.post(
    '/mqapi/auth',
    {
      schema: schema(
        'MQTT broker: check a user name and password (or API token)',
        YES_NO,
        'Allowed when the password or token is right and carries the `v3` or `mqtt` right.',
      ),
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      const username = str(body.username);
      const password = str(body.password);
      if (username !== undefined && !isTopicSafeName(username) && !isSuperuser(username)) {
        request.log.info(
          { user: printable(username) },
          'mqapi auth: refused, the name cannot be an MQTT topic segment (it holds "/", "+", "#" or a control character)',
        );
        return sendText(reply, 403, '');
      }
      if (username !== undefined && password !== undefined) {
        // The caller is the broker, not the user: its address proves nothing (no `from`).
        const c = await checkPassword(deps, username, password, undefined, 'mqtt').catch((err: unknown) => {
          if (err instanceof LoginThrottled) return 'throttled' as const;
          throw err;
        });
        if (c === 'throttled') {
          request.log.info(
            { user: username },
            'mqapi auth: refused, too many failed logins for this account',
          );
          return sendText(reply, 403, '');
        }
        if (c && hasMqttRight(c.permit)) {
          request.log.info({ user: username }, 'mqapi auth: allowed');
          return sendText(reply, 200, '');
        }
      }
      request.log.info({ user: username }, 'mqapi auth: refused');
      return sendText(reply, 403, '');
    },
  );

  r.post(
    '/mqapi/superuser',
    {
      schema: schema('MQTT broker: is this user the superuser (`mqtt.superuser`)?', {
        200: text('Superuser (empty body)'),
        403: text('Not the superuser (empty body)'),
        404: text('`Username required`'),
      }),
    },
    async (request, reply) => {
      const username = str(((request.body ?? {}) as Body).username);
      if (username === undefined || username === '') return sendText(reply, 404, 'Username required');
      return sendText(reply, isSuperuser(username) ? 200 : 403, '');
    },
  );

  r.post(
    '/mqapi/acl',
    {
      schema: schema(
        'MQTT broker: may this user use this topic?',
        YES_NO,
        'The superuser may use any topic; everyone else the topics under `ovms/<username>/`, compared ' +
          'literally: a user name holding `/`, `+` or `#` gets no topic, and a wildcard in the owner segment ' +
          'of the topic is not the user.',
      ),
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      const username = str(body.username);
      const topic = str(body.topic);
      const allowed = isSuperuser(username) || ownsTopic(username, topic);
      return sendText(reply, allowed ? 200 : 403, '');
    },
  );
}
