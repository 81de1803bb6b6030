import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * JSON as the reference writes it (Perl JSON::XS `canonical`): object keys sorted, and the body ends
 * with a newline. Clients and tests compare bodies byte for byte, so key order is part of the contract.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function jsonBody(value: unknown): string {
  return `${canonicalJson(value)}\n`;
}

/** A response that does not match its declared schema: a server bug, answered 500 and logged. */
export class ResponseValidationError extends Error {
  readonly code = 'OVMS_ERR_RESPONSE_SCHEMA';
  constructor(message: string) {
    super(message);
    this.name = 'ResponseValidationError';
  }
}

/**
 * Fastify serialiser compiler: every JSON response is checked against its route's TypeBox schema
 * before it is written, then written canonically. (Fastify's own serialiser would silently drop or
 * coerce fields, which would hide a view that drifted from its documented shape.)
 */
export const validatingSerializerCompiler = ({
  schema,
  method,
  url,
  httpStatus,
}: {
  schema: unknown;
  method: string;
  url: string;
  httpStatus?: string;
}): ((data: unknown) => string) => {
  const check = TypeCompiler.Compile(schema as TSchema);
  return (data) => {
    if (!check.Check(data)) {
      const first = check.Errors(data).First();
      throw new ResponseValidationError(
        `${method} ${url} ${httpStatus}: response does not match its schema at "${first?.path ?? ''}": ${first?.message ?? 'invalid'}`,
      );
    }
    return jsonBody(data);
  };
};
