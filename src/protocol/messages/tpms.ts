import { defineRecord, type PositionalRecord } from './record.js';

/**
 * `W` old four-wheel TPMS, 9 fields: pressure (psi) and temperature pairs in the order FR, RR, FL,
 * RL, then a stale flag (WIRE.md §3.2). Deprecated in favour of `Y`, but v3 still sends it right
 * after each `Y`. v3 puts `1` where a temperature is unknown (an iOS workaround).
 */
export const TPMS_LEGACY_FIELDS = [
  'fr_p',
  'fr_t',
  'rr_p',
  'rr_t',
  'fl_p',
  'fl_t',
  'rl_p',
  'rl_t',
  'stale',
] as const;

export const tpmsLegacyRecord = defineRecord('W', TPMS_LEGACY_FIELDS);

export type TpmsLegacyRecord = PositionalRecord<'W', typeof TPMS_LEGACY_FIELDS>;

/**
 * One count-prefixed group of `Y`: `<count>,<value>×count,<validity>`. `count` stays the raw token
 * so that an odd or truncated group re-encodes byte for byte; `values` may be shorter than the count
 * (and `stale` missing) when the line was cut short.
 */
export interface TpmsGroup {
  readonly count: string;
  readonly values: readonly string[];
  /** Validity: -1 undefined, 0 stale, 1 valid. */
  readonly stale: string | undefined;
}

/**
 * `Y` TPMS for any number of wheels (WIRE.md §3.2): the wheel names (count-prefixed, no validity
 * value), then pressures (kPa), temperatures (°C), health (%), alert levels and the sensor map, each
 * a `TpmsGroup`. An undefined section is sent as `0,-1`. A group is `undefined` when the payload
 * ended before it; tokens after the sensor map are kept in `extra`.
 */
export interface TpmsRecord {
  readonly code: 'Y';
  readonly kind: 'tpms';
  /** Raw wheel-count token, `undefined` for an empty payload. */
  readonly wheelCount: string | undefined;
  readonly wheels: readonly string[];
  readonly pressures: TpmsGroup | undefined;
  readonly temperatures: TpmsGroup | undefined;
  readonly health: TpmsGroup | undefined;
  readonly alerts: TpmsGroup | undefined;
  readonly sensorMap: TpmsGroup | undefined;
  readonly extra: readonly string[];
}

/** A count token is a plain decimal; anything else counts as 0 values (so the next token is read as validity). */
function countOf(token: string): number {
  return /^\d{1,6}$/.test(token) ? Number(token) : 0;
}

class TokenReader {
  private index = 0;
  constructor(private readonly tokens: readonly string[]) {}

  next(): string | undefined {
    return this.tokens[this.index++];
  }

  take(count: number): string[] {
    const taken = this.tokens.slice(this.index, this.index + count);
    this.index += taken.length;
    return taken;
  }

  rest(): string[] {
    return this.tokens.slice(this.index);
  }
}

function readGroup(reader: TokenReader): TpmsGroup | undefined {
  const count = reader.next();
  if (count === undefined) return undefined;
  const values = reader.take(countOf(count));
  return { count, values, stale: reader.next() };
}

export function decodeTpms(payload: string): TpmsRecord {
  const reader = new TokenReader(payload === '' ? [] : payload.split(','));
  const wheelCount = reader.next();
  const wheels = wheelCount === undefined ? [] : reader.take(countOf(wheelCount));
  const pressures = readGroup(reader);
  const temperatures = readGroup(reader);
  const health = readGroup(reader);
  const alerts = readGroup(reader);
  const sensorMap = readGroup(reader);
  return {
    code: 'Y',
    kind: 'tpms',
    wheelCount,
    wheels,
    pressures,
    temperatures,
    health,
    alerts,
    sensorMap,
    extra: reader.rest(),
  };
}

function groupTokens(group: TpmsGroup | undefined): string[] {
  if (group === undefined) return [];
  return group.stale === undefined
    ? [group.count, ...group.values]
    : [group.count, ...group.values, group.stale];
}

export function encodeTpms(record: Omit<TpmsRecord, 'code' | 'kind'>): string {
  const tokens = [
    ...(record.wheelCount === undefined ? [] : [record.wheelCount, ...record.wheels]),
    ...groupTokens(record.pressures),
    ...groupTokens(record.temperatures),
    ...groupTokens(record.health),
    ...groupTokens(record.alerts),
    ...groupTokens(record.sensorMap),
    ...record.extra,
  ];
  return tokens.join(',');
}

/** Builds a well-formed group; an absent section is `tpmsGroup([], '-1')`, i.e. `0,-1`. */
export function tpmsGroup(values: readonly string[], stale: string): TpmsGroup {
  return { count: String(values.length), values, stale };
}

/** Per-wheel view of a `Y` record, e.g. for the HTTP API's `<wheel>_pressure_kpa` fields. */
export interface TpmsWheel {
  readonly name: string;
  readonly pressure: string | undefined;
  readonly temperature: string | undefined;
  readonly health: string | undefined;
  readonly alert: string | undefined;
}

export function tpmsWheels(record: TpmsRecord): TpmsWheel[] {
  return record.wheels.map((name, index) => ({
    name,
    pressure: record.pressures?.values[index],
    temperature: record.temperatures?.values[index],
    health: record.health?.values[index],
    alert: record.alerts?.values[index],
  }));
}
