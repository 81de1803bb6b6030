import { Readable } from 'node:stream';
import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';

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

function checked<T>(check: TypeCheck<TSchema>, row: T, what: string): T {
  if (check.Check(row)) return row;
  const first = check.Errors(row).First();
  throw new ResponseValidationError(
    `${what}: a row does not match its schema at "${first?.path ?? ''}": ${first?.message ?? 'invalid'}`,
  );
}

/**
 * A JSON array written a page at a time: the same bytes as `jsonBody(all rows)`, without ever
 * holding all rows. Every row is checked against `rowSchema` as it is written. The first page is read
 * (and checked) before anything is sent, so a failure there is still an error answer; a later one
 * can only cut the response short, and is logged by the caller's stream error.
 *
 * The stream pulls the next page only when the client has taken the last one (stream backpressure).
 */
export async function jsonArrayStream<T>(
  pages: AsyncIterator<T[]>,
  rowSchema: TSchema,
  what: string,
): Promise<Readable> {
  const check = TypeCompiler.Compile(rowSchema);
  const text = (page: T[], first: boolean) =>
    page.map((row, i) => (first && i === 0 ? '' : ',') + canonicalJson(checked(check, row, what))).join('');
  const head = await pages.next();
  let opening: string;
  try {
    opening = head.done ? '' : text(head.value, true);
  } catch (err) {
    await pages.return?.(undefined);
    throw err;
  }
  async function* chunks(): AsyncGenerator<string> {
    try {
      yield `[${opening}`;
      if (!head.done)
        for (let next = await pages.next(); !next.done; next = await pages.next())
          yield text(next.value, false);
      yield ']\n';
    } finally {
      await pages.return?.(undefined);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
