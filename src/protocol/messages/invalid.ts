/**
 * The result of decoding a message whose code is known but whose payload does not have the shape
 * the code requires. Decoders return this instead of throwing (a bad line must only hurt the peer
 * that sent it), and keep the raw payload so the message can still be relayed or logged unchanged.
 */
export interface InvalidMessage<Code extends string = string> {
  readonly code: Code;
  readonly kind: 'invalid';
  /** Human-readable reason, e.g. `h: lifetime is not a non-negative integer ("x")`. */
  readonly error: string;
  readonly payload: string;
}

export function invalidMessage<Code extends string>(
  code: Code,
  error: string,
  payload: string,
): InvalidMessage<Code> {
  return { code, kind: 'invalid', error: `${code}: ${error}`, payload };
}
