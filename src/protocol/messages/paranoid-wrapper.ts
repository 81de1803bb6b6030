import { type InvalidMessage, invalidMessage } from './invalid.js';

/**
 * The structure of `E` paranoid-mode messages (WIRE.md §5), without any cryptography:
 * `ET<ptoken>` announces the car's paranoid token, `EM<code><payload>` carries a message whose
 * payload only car and apps can decrypt. The server stores and relays both opaquely; it only needs
 * the inner code to decide how to route and store.
 */

export interface ParanoidToken {
  readonly code: 'E';
  readonly kind: 'paranoid-token';
  /** 22 base64-alphabet characters from real cars; not checked here. */
  readonly token: string;
}

export interface ParanoidMessage {
  readonly code: 'E';
  readonly kind: 'paranoid-message';
  /** The wrapped message's code character, e.g. `S` or `C`. */
  readonly innerCode: string;
  /** Still encrypted and base64-encoded (and truncated, if it came from a v3 car). */
  readonly payload: string;
}

export function decodeParanoid(payload: string): ParanoidToken | ParanoidMessage | InvalidMessage<'E'> {
  const marker = payload.charAt(0);
  if (marker === 'T') return { code: 'E', kind: 'paranoid-token', token: payload.slice(1) };
  if (marker === 'M') {
    if (payload.length < 2) return invalidMessage('E', 'EM without an inner message code', payload);
    return { code: 'E', kind: 'paranoid-message', innerCode: payload.charAt(1), payload: payload.slice(2) };
  }
  return invalidMessage(
    'E',
    `expected ET<token> or EM<code><payload>, got marker ${JSON.stringify(marker)}`,
    payload,
  );
}

export function encodeParanoid(
  message: Pick<ParanoidToken, 'kind' | 'token'> | Pick<ParanoidMessage, 'kind' | 'innerCode' | 'payload'>,
): string {
  return message.kind === 'paranoid-token' ? `T${message.token}` : `M${message.innerCode}${message.payload}`;
}
