/**
 * Positional comma-separated records, the shape of most car messages (S, D, L, F, W, X).
 *
 * Firmware generations disagree on how many fields they send (WIRE.md §3.2: the 2013 guide has
 * 26 S fields, v3 sends 42), so a record keeps whatever arrives: known fields by name, missing
 * trailing ones as `undefined`, and anything beyond the known list in `extra`. Values stay the raw
 * strings from the wire, because the HTTP API hands them out verbatim and relaying must not alter a
 * byte. The guarantee is `encode(decode(p)) === p` for every string `p`.
 */

/** The named fields of a record: one optional raw string per known field name. */
export type RecordFields<Names extends readonly string[]> = { [K in Names[number]]: string | undefined };

/** A decoded positional record. */
export interface PositionalRecord<Code extends string, Names extends readonly string[]> {
  readonly code: Code;
  readonly fields: RecordFields<Names>;
  /** Fields after the known ones (newer firmware), in wire order. */
  readonly extra: readonly string[];
}

export interface RecordCodec<Code extends string, Names extends readonly string[]> {
  readonly code: Code;
  readonly fieldNames: Names;
  /** Splits a payload (the message without its code character). Never throws. */
  decode(payload: string): PositionalRecord<Code, Names>;
  /** Joins a record back into a payload; the inverse of `decode`. */
  encode(record: Pick<PositionalRecord<Code, Names>, 'fields' | 'extra'>): string;
  /** Builds a record from some named values, e.g. for tests or server-made messages. */
  create(fields: Partial<RecordFields<Names>>, extra?: readonly string[]): PositionalRecord<Code, Names>;
}

/**
 * Defines the codec for one positional message. Pass the field names `as const` (or inline) so
 * that `record.fields.<name>` is checked by the compiler.
 */
export function defineRecord<const Code extends string, const Names extends readonly string[]>(
  code: Code,
  fieldNames: Names,
): RecordCodec<Code, Names> {
  const names: readonly string[] = fieldNames;

  function build(values: readonly (string | undefined)[], extra: readonly string[]) {
    const fields: Record<string, string | undefined> = {};
    names.forEach((name, index) => {
      fields[name] = values[index];
    });
    return { code, fields: fields as RecordFields<Names>, extra };
  }

  return {
    code,
    fieldNames,
    decode(payload) {
      // An empty payload carries no fields at all (not one empty field); both encode to ''.
      const parts = payload === '' ? [] : payload.split(',');
      return build(parts.slice(0, names.length), parts.slice(names.length));
    },
    encode(record) {
      const fields = record.fields as Record<string, string | undefined>;
      const values = names.map((name) => fields[name]);
      let count = values.length;
      if (record.extra.length === 0) {
        // Stop after the last present field so short (older firmware) payloads come back unchanged.
        while (count > 0 && values[count - 1] === undefined) count--;
      }
      const known = values.slice(0, count).map((value) => value ?? '');
      return [...known, ...record.extra].join(',');
    },
    create(fields, extra = []) {
      const given = fields as Record<string, string | undefined>;
      return build(
        names.map((name) => given[name]),
        extra,
      );
    },
  };
}
