import { ENVIRONMENT_FIELDS } from '../messages/environment.js';
import { FIRMWARE_FIELDS } from '../messages/firmware.js';
import { GENERATOR_FIELDS } from '../messages/generator.js';
import type { Message } from '../messages/index.js';
import { LOCATION_FIELDS } from '../messages/location.js';
import { STATUS_FIELDS } from '../messages/status.js';
import { TPMS_LEGACY_FIELDS, type TpmsGroup, type TpmsRecord } from '../messages/tpms.js';
import { STANDARD_METRICS } from './metric-catalogue.js';
import type { MetricUpdate } from './metric-state.js';
import { decodeNumber, encodeMetric, type MetricValue } from './metric-values.js';
import {
  CHARGE_SUBSTATE_KEYS,
  type DistanceUnit,
  DOOR_BITS,
  type DoorByte,
  MILES_PER_KM,
  PSI_PER_KPA,
  type V2Code,
} from './v2-field-map.js';

/**
 * The inverse of the v2 builders, for a v2 car shown to v3 consumers: from a decoded v2 message,
 * the metrics it really carries, as (name, payload text) pairs to publish as retained
 * `metric/…` topics. Fields that are constants, stale flags, server config or derived from other
 * fields give no metric; the tables below say which, and docs/v3-mapping.md is generated from them.
 */

export interface V3FromV2Context {
  /** The car's distance unit, for messages without one (S carries its own in field 2). */
  readonly units: DistanceUnit;
}

export interface InvalidV2Field {
  readonly code: V2Code;
  readonly field: string;
  readonly text: string;
  readonly reason: string;
}

export interface V3FromV2Result {
  /** Metric name and payload text, in field order; ready for `MetricState.apply` or publishing. */
  readonly metrics: readonly MetricUpdate[];
  /** Fields whose text could not be read; they give no metric. */
  readonly invalid: readonly InvalidV2Field[];
}

/** Metric values read from one field, no values (nothing to publish), or why it is unreadable. */
type FieldReading = readonly (readonly [string, MetricValue])[] | { readonly reason: string };

export interface InverseField {
  readonly index: number;
  readonly field: string;
  /** The metrics this field gives; empty when it gives none. */
  readonly metrics: readonly string[];
  /** How the value is obtained, or why the field gives no metric. */
  readonly how: string;
  readonly read?: (text: string, units: DistanceUnit) => FieldReading;
}

type Draft = Omit<InverseField, 'index'>;

const fromDistance = (value: number, units: DistanceUnit) => (units === 'M' ? value / MILES_PER_KM : value);

function readNumber(text: string): number | { reason: string } {
  const decoded = decodeNumber(text);
  return decoded.value === undefined ? { reason: decoded.reason } : decoded.value;
}

/**
 * A numeric field. `convert` turns the v2 number into the metric's unit; returning `undefined`
 * means "no value" (a sentinel such as -1 for "unknown").
 */
function numeric(
  field: string,
  metric: string,
  how = 'as is',
  convert: (value: number, units: DistanceUnit) => number | undefined = (value) => value,
): Draft {
  return {
    field,
    metrics: [metric],
    how,
    read: (text, units) => {
      const value = readNumber(text);
      if (typeof value !== 'number') return value;
      const converted = convert(value, units);
      return converted === undefined ? [] : [[metric, converted]];
    },
  };
}

const distance = (field: string, metric: string) =>
  numeric(field, metric, 'value in the car units → km', (value, units) => fromDistance(value, units));
const speed = (field: string, metric: string) =>
  numeric(field, metric, 'value in the car units per hour → km/h', (value, units) =>
    fromDistance(value, units),
  );
const tenthsDistance = (field: string, metric: string) =>
  numeric(field, metric, 'tenths of the car unit → km', (value, units) => fromDistance(value / 10, units));
const unixDate = (field: string, metric: string) =>
  numeric(field, metric, 'Unix seconds → date; -1 gives none', (value) => (value < 0 ? undefined : value));

function flag(field: string, metric: string): Draft {
  return {
    field,
    metrics: [metric],
    how: '1 → yes, 0 → no',
    read: (text) => {
      if (text === '1' || text === '0') return [[metric, text === '1']];
      return { reason: `not 0 or 1: ${JSON.stringify(text)}` };
    },
  };
}

/** A text field; an empty text gives no metric (an empty payload would delete the topic). */
function text(field: string, metric: string, how = 'as is; empty gives none'): Draft {
  return { field, metrics: [metric], how, read: (value) => (value === '' ? [] : [[metric, value]]) };
}

function none(field: string, why: string): Draft {
  return { field, metrics: [], how: why };
}

function doorBits(field: DoorByte): Draft {
  const bits = DOOR_BITS[field];
  const metrics = bits.filter((bit): bit is string => bit !== undefined);
  return {
    field,
    metrics,
    how: 'one Bool per bit (D table); other bits are dropped',
    read: (value) => {
      if (!/^\d{1,3}$/.test(value) || Number(value) > 255)
        return { reason: `not a byte: ${JSON.stringify(value)}` };
      const byte = Number(value);
      return bits.flatMap((bit, n) => (bit === undefined ? [] : [[bit, (byte & (1 << n)) !== 0] as const]));
    },
  };
}

function table(code: V2Code, names: readonly string[], drafts: readonly Draft[]): readonly InverseField[] {
  const got = drafts.map((draft) => draft.field).join(',');
  if (got !== names.join(',')) throw new Error(`${code} inverse map does not match the codec: ${got}`);
  return drafts.map((draft, i) => ({ ...draft, index: i + 1 }));
}

const SUBSTATE_BY_KEY = new Map(Object.entries(CHARGE_SUBSTATE_KEYS).map(([name, key]) => [key, name]));

export const STATUS_INVERSE = table('S', STATUS_FIELDS, [
  numeric('soc', 'v.b.soc'),
  none('units', 'the distance unit of this message (config, not a metric)'),
  numeric('linevoltage', 'v.c.voltage'),
  numeric('chargecurrent', 'v.c.current'),
  text('chargestate', 'v.c.state'),
  text('chargemode', 'v.c.mode'),
  distance('idealrange', 'v.b.range.ideal'),
  distance('estimatedrange', 'v.b.range.est'),
  numeric('chargelimit', 'v.c.climit'),
  numeric('chargeduration', 'v.c.time'),
  none('chargeb4', 'constant'),
  numeric('chargekwh', 'v.c.kwh', 'tenths of kWh → kWh', (value) => value / 10),
  {
    field: 'chargesubstate',
    metrics: ['v.c.substate'],
    how: 'key → name (S13 table); 0 and unknown keys give none',
    read: (value) => {
      const name = SUBSTATE_BY_KEY.get(Number(value));
      return name === undefined || !/^\d+$/.test(value) ? [] : [['v.c.substate', name]];
    },
  },
  none('chargestateN', 'derived: the key of field 5'),
  none('chargemodeN', 'derived: the key of field 6'),
  flag('chargetimer', 'v.c.timermode'),
  numeric('chargestarttime', 'v.c.timerstart', 'seconds of day → HH:MM:SS'),
  none('chargetimerstale', 'constant'),
  numeric('cac100', 'v.b.cac'),
  numeric('etr_full', 'v.c.duration.full'),
  none('etr_limit', 'derived from fields 28 and 29'),
  distance('limit_range', 'v.c.limit.range'),
  numeric('limit_soc', 'v.c.limit.soc'),
  none('cooldown_active', 'ambiguous across firmware generations; v.e.cooling comes from D12 bit 1'),
  none('cooldown_tbattery', 'constant'),
  none('cooldown_timelimit', 'constant'),
  none('charge_estimate', 'constant'),
  numeric('etr_range', 'v.c.duration.range'),
  numeric('etr_soc', 'v.c.duration.soc'),
  distance('idealrange_max', 'v.b.range.full'),
  none('chargetype', 'constant'),
  none(
    'chargepower',
    'derived: −v.b.power while charging (v.b.power comes from L10, charging from D1 bit 4)',
  ),
  numeric('battvoltage', 'v.b.voltage'),
  numeric('soh', 'v.b.soh'),
  numeric('chargepowerinput', 'v.c.power'),
  numeric('chargerefficiency', 'v.c.efficiency'),
  numeric('battcurrent', 'v.b.current'),
  speed('battrangespeed', 'v.b.range.speed'),
  numeric('chargekwhgrid', 'v.c.kwh.grid'),
  numeric('chargekwhgridtotal', 'v.c.kwh.grid.total'),
  numeric('batt_capacity', 'v.b.capacity'),
  unixDate('charge_time_last_end', 'v.c.timestamp'),
]);

const STALE_FLAG = 'stale flag: the bridge knows the car connection itself';

export const ENVIRONMENT_INVERSE = table('D', ENVIRONMENT_FIELDS, [
  doorBits('doors1'),
  doorBits('doors2'),
  none('lockunlock', 'derived: the same as doors2 bit 3'),
  numeric('tpem', 'v.i.temp'),
  numeric('tmotor', 'v.m.temp'),
  numeric('tbattery', 'v.b.temp'),
  tenthsDistance('trip', 'v.p.trip'),
  tenthsDistance('odometer', 'v.p.odometer'),
  numeric('speed', 'v.p.speed', 'as is (always km/h)'),
  numeric('parktimer', 'v.e.parktime'),
  numeric('ambient', 'v.e.temp'),
  doorBits('doors3'),
  none('staletemps', STALE_FLAG),
  none('staleambient', STALE_FLAG),
  numeric('v12', 'v.b.12v.voltage'),
  doorBits('doors4'),
  numeric('v12_ref', 'v.b.12v.voltage.ref'),
  doorBits('doors5'),
  numeric('tcharger', 'v.c.temp'),
  numeric('v12_current', 'v.b.12v.current'),
  numeric('tcabin', 'v.e.cabintemp'),
]);

export const LOCATION_INVERSE = table('L', LOCATION_FIELDS, [
  numeric('lat', 'v.p.latitude'),
  numeric('lon', 'v.p.longitude'),
  numeric('direction', 'v.p.direction'),
  numeric('altitude', 'v.p.altitude', 'as is (always metres)'),
  flag('gpslock', 'v.p.gpslock'),
  none('stalegps', STALE_FLAG),
  speed('speed', 'v.p.speed'),
  tenthsDistance('tripmeter', 'v.p.trip'),
  {
    field: 'drivemode',
    metrics: ['v.e.drivemode'],
    how: 'hexadecimal → integer',
    read: (value) =>
      /^[0-9a-f]{1,8}$/i.test(value)
        ? [['v.e.drivemode', Number.parseInt(value, 16) | 0]]
        : { reason: `not hexadecimal: ${JSON.stringify(value)}` },
  },
  numeric('power', 'v.b.power'),
  numeric('energyused', 'v.b.energy.used'),
  numeric('energyrecd', 'v.b.energy.recd'),
  numeric('invpower', 'v.i.power'),
  numeric('invefficiency', 'v.i.efficiency'),
  text('gpsmode', 'v.p.gpsmode'),
  numeric('gpssats', 'v.p.satcount'),
  numeric('gpshdop', 'v.p.gpshdop'),
  speed('gpsspeed', 'v.p.gpsspeed'),
  numeric('gpssignal', 'v.p.gpssq'),
]);

const MP_TEXT = 'as is (MP-encoded: commas arrive as `;`); empty gives none';

export const FIRMWARE_INVERSE = table('F', FIRMWARE_FIELDS, [
  text('version', 'm.version', MP_TEXT),
  text('vin', 'v.vin'),
  numeric('signal', 'm.net.sq', 'SQ 1–31 → 2·SQ − 113 dBm; 0 and others give none', (sq) =>
    Number.isInteger(sq) && sq >= 1 && sq <= 31 ? 2 * sq - 113 : undefined,
  ),
  none('canwrite', 'module config, not a metric'),
  text('vehicletype', 'v.type'),
  text('provider', 'm.net.provider', MP_TEXT),
  numeric('service_range', 'v.e.serv.range', 'as is (km); -1 gives none', (km) => (km < 0 ? undefined : km)),
  unixDate('service_time', 'v.e.serv.time'),
  text('hardware', 'm.hardware', MP_TEXT),
  text('modem', 'm.net.mdm.mode', MP_TEXT),
]);

export const GENERATOR_INVERSE = table('X', GENERATOR_FIELDS, [
  flag('generating', 'v.g.generating'),
  flag('pilot', 'v.g.pilot'),
  numeric('voltage', 'v.g.voltage'),
  numeric('current', 'v.g.current'),
  numeric('power', 'v.g.power'),
  numeric('efficiency', 'v.g.efficiency'),
  text('type', 'v.g.type'),
  text('state', 'v.g.state'),
  text('substate', 'v.g.substate'),
  text('mode', 'v.g.mode'),
  numeric('limit_current', 'v.g.climit'),
  distance('limit_range', 'v.g.limit.range'),
  numeric('limit_soc', 'v.g.limit.soc'),
  numeric('kwh', 'v.g.kwh'),
  numeric('kwh_grid', 'v.g.kwh.grid'),
  numeric('kwh_grid_total', 'v.g.kwh.grid.total'),
  numeric('time', 'v.g.time'),
  flag('timermode', 'v.g.timermode'),
  numeric('timerstart', 'v.g.timerstart', 'seconds of day → HH:MM:SS'),
  numeric('etr_empty', 'v.g.duration.empty'),
  numeric('etr_range', 'v.g.duration.range'),
  numeric('etr_soc', 'v.g.duration.soc'),
  numeric('temperature', 'v.g.temp'),
  unixDate('time_last_end', 'v.g.timestamp'),
]);

/** W wheels in field order, each with its index in the FL, FR, RL, RR vectors. */
const W_WHEELS: readonly (readonly [name: string, index: number])[] = [
  ['fr', 1],
  ['rr', 3],
  ['fl', 0],
  ['rl', 2],
];

/** W documents per field; the values are read for all four wheels at once (`metricsFromTpmsLegacy`). */
export const TPMS_LEGACY_INVERSE: readonly InverseField[] = table('W', TPMS_LEGACY_FIELDS, [
  ...W_WHEELS.flatMap(([name, index]) => [
    { field: `${name}_p`, metrics: ['v.t.pressure'], how: `psi → kPa, element ${index}` },
    { field: `${name}_t`, metrics: ['v.t.temp'], how: `°C, element ${index} (1 may be the iOS stand-in)` },
  ]),
  none('stale', STALE_FLAG),
]);

/** Y groups and the metric each gives (a vector in the car's wheel order). */
export const TPMS_INVERSE: readonly { readonly group: string; readonly metric: string | undefined }[] = [
  { group: 'wheel names', metric: undefined },
  { group: 'pressures (kPa)', metric: 'v.t.pressure' },
  { group: 'temperatures (°C)', metric: 'v.t.temp' },
  { group: 'health (%)', metric: 'v.t.health' },
  { group: 'alert levels', metric: 'v.t.alert' },
  { group: 'sensor map', metric: undefined },
];

export const V2_INVERSE_MAPS: Readonly<Record<Exclude<V2Code, 'Y'>, readonly InverseField[]>> = {
  S: STATUS_INVERSE,
  D: ENVIRONMENT_INVERSE,
  L: LOCATION_INVERSE,
  F: FIRMWARE_INVERSE,
  W: TPMS_LEGACY_INVERSE,
  X: GENERATOR_INVERSE,
};

class Collector {
  readonly metrics: MetricUpdate[] = [];
  readonly invalid: InvalidV2Field[] = [];
  constructor(private readonly code: V2Code) {}

  add(metric: string, value: MetricValue): void {
    this.metrics.push([metric, encodeMetric(metric, value)]);
  }

  reject(field: string, text: string, reason: string): void {
    this.invalid.push({ code: this.code, field, text, reason });
  }

  result(): V3FromV2Result {
    return { metrics: this.metrics, invalid: this.invalid };
  }
}

function fromRecord(
  code: V2Code,
  map: readonly InverseField[],
  fields: Readonly<Record<string, string | undefined>>,
  units: DistanceUnit,
): V3FromV2Result {
  const out = new Collector(code);
  for (const spec of map) {
    const value = fields[spec.field];
    if (value === undefined || spec.read === undefined) continue;
    const reading = spec.read(value, units);
    if ('reason' in reading) out.reject(spec.field, value, reading.reason);
    else for (const [metric, metricValue] of reading) out.add(metric, metricValue);
  }
  return out.result();
}

function vectorFromGroup(
  group: TpmsGroup | undefined,
  metric: string,
  out: Collector,
): readonly number[] | undefined {
  if (group === undefined || group.stale === undefined || group.stale === '-1' || group.values.length === 0) {
    return undefined;
  }
  const values: number[] = [];
  for (const element of group.values) {
    if (element === '') {
      values.push(Number.NaN);
      continue;
    }
    const value = readNumber(element);
    if (typeof value !== 'number') {
      out.reject(metric, group.values.join(','), value.reason);
      return undefined;
    }
    values.push(value);
  }
  return values;
}

/** Y → the four TPMS vectors; undefined groups (`0,-1`) and the wheel names and sensor map give none. */
export function metricsFromTpms(
  record: Pick<TpmsRecord, 'pressures' | 'temperatures' | 'health' | 'alerts'>,
) {
  const out = new Collector('Y');
  const groups = [record.pressures, record.temperatures, record.health, record.alerts];
  groups.forEach((group, i) => {
    const metric = TPMS_INVERSE[i + 1]!.metric!;
    const vector = vectorFromGroup(group, metric, out);
    if (vector !== undefined) out.add(metric, vector);
  });
  return out.result();
}

/**
 * W → `v.t.pressure` and `v.t.temp` for FL, FR, RL, RR. Only for cars that never send Y: Y has the
 * same data in full precision, plus health and alerts. A stale flag of -1 means "no data".
 */
export function metricsFromTpmsLegacy(fields: Readonly<Record<string, string | undefined>>): V3FromV2Result {
  const out = new Collector('W');
  if (fields.stale === '-1') return out.result();
  const pressures: number[] = [];
  const temperatures: number[] = [];
  for (const [name, index] of W_WHEELS) {
    for (const [suffix, into, factor] of [
      ['_p', pressures, 1 / PSI_PER_KPA],
      ['_t', temperatures, 1],
    ] as const) {
      const field = `${name}${suffix}`;
      const value = fields[field];
      const number = value === undefined ? { reason: 'missing' } : readNumber(value);
      if (typeof number === 'number') into[index] = number * factor;
      else out.reject(field, value ?? '', number.reason);
    }
  }
  if (out.invalid.length > 0) return out.result();
  out.add('v.t.pressure', pressures);
  out.add('v.t.temp', temperatures);
  return out.result();
}

function unitsOf(value: string | undefined, fallback: DistanceUnit): DistanceUnit {
  return value === 'M' || value === 'K' ? value : fallback;
}

/**
 * The metrics a decoded v2 car message carries: S, D, L, F, W, X and Y; every other message
 * gives none. Never throws; unreadable fields are listed in `invalid`.
 */
export function metricsFromV2(message: Message, context: V3FromV2Context): V3FromV2Result {
  const { units } = context;
  switch (message.kind) {
    case 'status':
      return fromRecord('S', STATUS_INVERSE, message.fields, unitsOf(message.fields.units, units));
    case 'environment':
      return fromRecord('D', ENVIRONMENT_INVERSE, message.fields, units);
    case 'location':
      return fromRecord('L', LOCATION_INVERSE, message.fields, units);
    case 'firmware':
      return fromRecord('F', FIRMWARE_INVERSE, message.fields, units);
    case 'generator':
      return fromRecord('X', GENERATOR_INVERSE, message.fields, units);
    case 'tpms-legacy':
      return metricsFromTpmsLegacy(message.fields);
    case 'tpms':
      return metricsFromTpms(message);
    default:
      return { metrics: [], invalid: [] };
  }
}

/** Every metric some v2 message gives. */
export const V2_PROVIDED_METRICS: readonly string[] = [
  ...new Set([
    ...Object.values(V2_INVERSE_MAPS).flatMap((map) => map.flatMap((field) => field.metrics)),
    ...TPMS_INVERSE.flatMap((group) => (group.metric === undefined ? [] : [group.metric])),
  ]),
];

/**
 * Metrics the bridge publishes for a v2 car from its own knowledge rather than from a message.
 */
export const BRIDGE_PROVIDED_METRICS: Readonly<Record<string, string>> = {
  's.v3.connected': '`yes` while the car is connected over v2, else `no`',
};

/** Standard metrics a v2 car cannot provide: no v2 message carries them. */
export const V2_UNAVAILABLE_METRICS: readonly string[] = STANDARD_METRICS.map((info) => info.name).filter(
  (name) => !V2_PROVIDED_METRICS.includes(name) && !Object.hasOwn(BRIDGE_PROVIDED_METRICS, name),
);
