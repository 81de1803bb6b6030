import { ENVIRONMENT_FIELDS } from '../messages/environment.js';
import { FIRMWARE_FIELDS } from '../messages/firmware.js';
import { GENERATOR_FIELDS } from '../messages/generator.js';
import { LOCATION_FIELDS } from '../messages/location.js';
import { STATUS_FIELDS } from '../messages/status.js';
import { TPMS_LEGACY_FIELDS } from '../messages/tpms.js';
import { mpEncode } from '../mp-encoding.js';
import type { MetricValue } from './metric-values.js';
import { formatFixed, formatG6, formatHex, formatInt } from './number-format.js';

/**
 * How each field of the v2 messages S, D, L, F, W and X is made from v3 metrics, exactly as the
 * module's own v2 server does it (V3.md §5). Each field lists its source metrics, a short
 * description of the conversion, what is sent when the sources were never received, and the
 * function that formats it. The builders (`v2-builders.ts`), the "which messages does this metric
 * change" index (`metric-state.ts`) and docs/v3-mapping.md all come from these tables.
 */

/** Read access to a vehicle's latest metric values (`MetricState` implements it). */
export interface MetricReader {
  value(name: string): MetricValue | undefined;
}

/** `K` kilometres, `M` miles: config `vehicle units.distance` on the module, or the server's own. */
export type DistanceUnit = 'K' | 'M';

/**
 * The distance unit from the module's config `vehicle units.distance` (read with `request/config`
 * `vehicle/units.distance` on 3.3.006+): `M` means miles, anything else kilometres (§5.0).
 */
export function distanceUnitFromConfig(value: string | undefined): DistanceUnit {
  return value?.trim() === 'M' ? 'M' : 'K';
}

/** What the v2 messages need besides metrics. */
export interface V2BuildContext {
  readonly units: DistanceUnit;
  /**
   * Whether the module is online now (V3.md §1.5). Stands in for the firmware's stale flags, which
   * MQTT does not carry (§5.0): fresh while online, stale while offline.
   */
  readonly online: boolean;
  /** F4: the module's config `vehicle canwrite`; `0` when unknown. */
  readonly canwrite?: string;
  /** Y wheel names; MQTT does not carry the layout, so the default is FL, FR, RL, RR (§5.5). */
  readonly tpmsWheels?: readonly string[];
  /** `server.v2 workaround.ios_tpms_display` (default on): W temperatures ≤ 1 °C are sent as 1. */
  readonly iosTpmsWorkaround?: boolean;
}

/** The v2 car messages a bridge builds from metrics. */
export type V2Code = 'S' | 'D' | 'L' | 'F' | 'Y' | 'W' | 'X';
export const V2_CODES: readonly V2Code[] = ['S', 'D', 'L', 'F', 'Y', 'W', 'X'];

export interface V2FieldSpec {
  /** 1-based position in the message. */
  readonly index: number;
  /** The field's name in the v2 message codec (`STATUS_FIELDS` etc.). */
  readonly field: string;
  readonly sources: readonly string[];
  /** The conversion in V3.md's words (`fix1`, `dist, int`, …). */
  readonly format: string;
  /** The text sent when the sources were never received. */
  readonly missing: string;
  readonly build: (metrics: MetricReader, context: V2BuildContext) => string;
}

/** miles = km × 0.62137, as the firmware's unit conversion. */
export const MILES_PER_KM = 0.62137;
/** psi = kPa × 0.14503773773 (W pressures). */
export const PSI_PER_KPA = 0.14503773773;

export function toDistanceUnit(km: number, units: DistanceUnit): number {
  return units === 'M' ? km * MILES_PER_KM : km;
}

/** Reads a number metric; booleans, texts and vectors count as undefined. */
export function numberOf(metrics: MetricReader, name: string): number | undefined {
  const value = metrics.value(name);
  return typeof value === 'number' ? value : undefined;
}

/** Reads a Bool metric; an undefined Bool is false everywhere (§5.0). */
export function flagOf(metrics: MetricReader, name: string): boolean {
  return metrics.value(name) === true;
}

export function textOf(metrics: MetricReader, name: string): string | undefined {
  const value = metrics.value(name);
  return typeof value === 'string' ? value : undefined;
}

export function vectorOf(metrics: MetricReader, name: string): readonly number[] | undefined {
  const value = metrics.value(name);
  return Array.isArray(value) ? value : undefined;
}

/** A conversion from a number metric to field text. */
interface NumberConversion {
  readonly label: string;
  readonly apply: (value: number, context: V2BuildContext) => string;
}

const fix = (decimals: number): NumberConversion => ({
  label: `fix${decimals}`,
  apply: (value) => formatFixed(value, decimals),
});
const g6: NumberConversion = { label: 'g6', apply: formatG6 };
const int: NumberConversion = { label: 'int', apply: formatInt };
const hex: NumberConversion = { label: 'lower-case hex', apply: formatHex };
const distInt: NumberConversion = {
  label: 'dist, int',
  apply: (km, context) => formatInt(toDistanceUnit(km, context.units)),
};
const distFix1: NumberConversion = {
  label: 'dist, fix1',
  apply: (km, context) => formatFixed(toDistanceUnit(km, context.units), 1),
};
const distTenths: NumberConversion = {
  label: 'int(dist × 10)',
  apply: (km, context) => formatInt(toDistanceUnit(km, context.units) * 10),
};
const speedFix1: NumberConversion = {
  label: 'speed, fix1',
  apply: (kmh, context) => formatFixed(toDistanceUnit(kmh, context.units), 1),
};
const kwhTenths: NumberConversion = { label: 'int(kWh × 10)', apply: (kwh) => formatInt(kwh * 10) };
const unixSeconds: NumberConversion = { label: 'Unix seconds', apply: formatInt };

/** F3: dBm → GSM signal quality 0–31; 0 for signals stronger than −51 dBm. */
export function signalQuality(dbm: number): number {
  return dbm <= -51 ? Math.trunc((dbm + 113) / 2) || 0 : 0;
}
const sq: NumberConversion = {
  label: 'dBm ≤ −51: int((dBm + 113) / 2), else 0',
  apply: (dbm) => String(signalQuality(dbm)),
};

/** Specs before their position is known; `spec` numbers them. */
type Draft = Omit<V2FieldSpec, 'index'>;

function numberField(field: string, source: string, conversion: NumberConversion, missing: string): Draft {
  return {
    field,
    sources: [source],
    format: conversion.label,
    missing,
    build: (metrics, context) => {
      const value = numberOf(metrics, source);
      return value === undefined ? missing : conversion.apply(value, context);
    },
  };
}

/**
 * A text field. Commas and line breaks are MP-encoded in every text field, not only where the
 * firmware does it (`mp`), so that a stray comma cannot shift the fields after it.
 */
function textField(field: string, source: string, missing: string, format = 'text'): Draft {
  return {
    field,
    sources: [source],
    format,
    missing,
    build: (metrics) => mpEncode(textOf(metrics, source) ?? missing),
  };
}

function flagField(field: string, source: string): Draft {
  return {
    field,
    sources: [source],
    format: 'b01',
    missing: '0',
    build: (m) => (flagOf(m, source) ? '1' : '0'),
  };
}

function constant(field: string, value: string): Draft {
  return { field, sources: [], format: `constant ${value}`, missing: value, build: () => value };
}

function custom(
  field: string,
  sources: readonly string[],
  format: string,
  missing: string,
  build: V2FieldSpec['build'],
): Draft {
  return { field, sources, format, missing, build };
}

export type DoorByte = 'doors1' | 'doors2' | 'doors3' | 'doors4' | 'doors5';

/**
 * The D door bytes (§5.2): entry n is the Bool metric of bit n. `undefined` bits are never set: the
 * firmware leaves them uninitialised and a bridge sends 0. doors5 bit 2 (frunk) is always 0.
 */
export const DOOR_BITS: Readonly<Record<DoorByte, readonly (string | undefined)[]>> = {
  doors1: ['v.d.fl', 'v.d.fr', 'v.d.cp', 'v.c.pilot', 'v.c.charging', undefined, 'v.e.handbrake', 'v.e.on'],
  doors2: [
    undefined,
    undefined,
    undefined,
    'v.e.locked',
    'v.e.valet',
    'v.e.headlights',
    'v.d.hood',
    'v.d.trunk',
  ],
  doors3: [
    'v.e.awake',
    'v.e.cooling',
    undefined,
    undefined,
    undefined,
    undefined,
    'v.e.c.login',
    'v.e.c.config',
  ],
  doors4: [undefined, 'v.e.alarm'],
  doors5: ['v.d.rl', 'v.d.rr', undefined, undefined, 'v.e.charging12v', 'v.e.aux12v', undefined, 'v.e.hvac'],
};

/** A door byte: bit n is set when the Bool metric of bit n is yes. */
function doorByte(field: DoorByte): Draft {
  const bits = DOOR_BITS[field];
  const sources = bits.filter((bit): bit is string => bit !== undefined);
  const format = bits.flatMap((bit, n) => (bit === undefined ? [] : [`bit ${n} ${bit}`])).join(', ');
  return {
    field,
    sources,
    format,
    missing: '0',
    build: (metrics) =>
      String(
        bits.reduce(
          (byte, bit, n) => (bit !== undefined && flagOf(metrics, bit) ? byte | (1 << n) : byte),
          0,
        ),
      ),
  };
}

/** Checks the drafts against the message codec's field names and numbers them. */
function spec(code: V2Code, names: readonly string[], drafts: readonly Draft[]): readonly V2FieldSpec[] {
  const got = drafts.map((draft) => draft.field).join(',');
  if (got !== names.join(',')) throw new Error(`${code} field map does not match the codec: ${got}`);
  return drafts.map((draft, i) => ({ ...draft, index: i + 1 }));
}

/** S13: `v.c.substate` → key; anything else 0. */
export const CHARGE_SUBSTATE_KEYS: Readonly<Record<string, number>> = {
  scheduledstop: 1,
  scheduledstart: 2,
  onrequest: 3,
  timerwait: 5,
  powerwait: 7,
  stopped: 13,
  interrupted: 14,
};
/** S14: `v.c.state` → key; anything else 0. */
export const CHARGE_STATE_KEYS: Readonly<Record<string, number>> = {
  charging: 1,
  topoff: 2,
  done: 4,
  prepare: 13,
  timerwait: 14,
  heating: 15,
  stopped: 21,
};
/** S15: `v.c.mode` → key; anything else −1. Also the mode numbers of commands 10 and 16. */
export const CHARGE_MODE_KEYS: Readonly<Record<string, number>> = {
  standard: 0,
  storage: 1,
  range: 3,
  performance: 4,
};

function keyField(
  field: string,
  source: string,
  keys: Readonly<Record<string, number>>,
  other: string,
  missing: string,
): Draft {
  const list = Object.entries(keys)
    .map(([name, key]) => `${name} ${key}`)
    .join(', ');
  return custom(field, [source], `${list}, anything else ${other}`, missing, (metrics) => {
    const text = textOf(metrics, source);
    if (text === undefined) return missing;
    return Object.hasOwn(keys, text) ? String(keys[text]) : other;
  });
}

export const STATUS_MAP = spec('S', STATUS_FIELDS, [
  numberField('soc', 'v.b.soc', fix(1), '0'),
  custom('units', [], 'K or M from the vehicle units', 'K', (_, context) => context.units),
  numberField('linevoltage', 'v.c.voltage', int, '0'),
  numberField('chargecurrent', 'v.c.current', fix(2), '0.00'),
  textField('chargestate', 'v.c.state', 'stopped'),
  textField('chargemode', 'v.c.mode', 'standard'),
  numberField('idealrange', 'v.b.range.ideal', distInt, '0'),
  numberField('estimatedrange', 'v.b.range.est', distInt, '0'),
  numberField('chargelimit', 'v.c.climit', int, '0'),
  numberField('chargeduration', 'v.c.time', int, '0'),
  constant('chargeb4', '0'),
  numberField('chargekwh', 'v.c.kwh', kwhTenths, '0'),
  keyField('chargesubstate', 'v.c.substate', CHARGE_SUBSTATE_KEYS, '0', '0'),
  keyField('chargestateN', 'v.c.state', CHARGE_STATE_KEYS, '0', '21'),
  keyField('chargemodeN', 'v.c.mode', CHARGE_MODE_KEYS, '-1', '0'),
  flagField('chargetimer', 'v.c.timermode'),
  numberField('chargestarttime', 'v.c.timerstart', { label: 'int, seconds of day', apply: formatInt }, '0'),
  constant('chargetimerstale', '0'),
  numberField('cac100', 'v.b.cac', fix(2), '0.00'),
  numberField('etr_full', 'v.c.duration.full', int, '0'),
  custom(
    'etr_limit',
    ['v.c.duration.range', 'v.c.duration.soc'],
    'R = range, C = soc (undefined = 0): R if 0 ≤ R < C, else C',
    '0',
    (metrics) => {
      const range = numberOf(metrics, 'v.c.duration.range') ?? 0;
      const soc = numberOf(metrics, 'v.c.duration.soc') ?? 0;
      return formatInt(range >= 0 && range < soc ? range : soc);
    },
  ),
  numberField('limit_range', 'v.c.limit.range', distInt, '0'),
  numberField('limit_soc', 'v.c.limit.soc', int, '0'),
  custom('cooldown_active', ['v.e.cooling'], '0 if cooling, else -1', '-1', (m) =>
    flagOf(m, 'v.e.cooling') ? '0' : '-1',
  ),
  constant('cooldown_tbattery', '0'),
  constant('cooldown_timelimit', '0'),
  constant('charge_estimate', '0'),
  numberField('etr_range', 'v.c.duration.range', int, '0'),
  numberField('etr_soc', 'v.c.duration.soc', int, '0'),
  numberField('idealrange_max', 'v.b.range.full', distInt, '0'),
  constant('chargetype', '0'),
  custom(
    'chargepower',
    ['v.b.power', 'v.c.charging'],
    'if charging: −v.b.power, fix2; else 0.00',
    '0.00',
    (metrics) => {
      if (!flagOf(metrics, 'v.c.charging')) return '0.00';
      return formatFixed(-(numberOf(metrics, 'v.b.power') ?? 0) + 0, 2);
    },
  ),
  numberField('battvoltage', 'v.b.voltage', fix(2), '0.00'),
  numberField('soh', 'v.b.soh', fix(2), '0.00'),
  numberField('chargepowerinput', 'v.c.power', fix(2), '0.00'),
  numberField('chargerefficiency', 'v.c.efficiency', fix(2), '0.00'),
  numberField('battcurrent', 'v.b.current', fix(2), '0.00'),
  numberField('battrangespeed', 'v.b.range.speed', speedFix1, '0.0'),
  numberField('chargekwhgrid', 'v.c.kwh.grid', fix(1), '0.0'),
  numberField('chargekwhgridtotal', 'v.c.kwh.grid.total', fix(1), '0.0'),
  numberField('batt_capacity', 'v.b.capacity', fix(1), '0.0'),
  numberField('charge_time_last_end', 'v.c.timestamp', unixSeconds, '-1'),
]);

/** Stale-flag stand-in (§5.0): −1 when no source was ever received, else 1 online, 0 offline. */
function freshness(metrics: MetricReader, context: V2BuildContext, sources: readonly string[]): string {
  if (sources.every((name) => metrics.value(name) === undefined)) return '-1';
  return context.online ? '1' : '0';
}

const TEMPERATURES = ['v.i.temp', 'v.m.temp', 'v.b.temp', 'v.c.temp', 'v.e.temp', 'v.e.cabintemp'];
const FRESHNESS = '-1 if never received, else 1 while the module is online, 0 offline';

export const ENVIRONMENT_MAP = spec('D', ENVIRONMENT_FIELDS, [
  doorByte('doors1'),
  doorByte('doors2'),
  custom('lockunlock', ['v.e.locked'], '4 if locked, else 5', '5', (m) =>
    flagOf(m, 'v.e.locked') ? '4' : '5',
  ),
  numberField('tpem', 'v.i.temp', g6, '0'),
  numberField('tmotor', 'v.m.temp', g6, '0'),
  numberField('tbattery', 'v.b.temp', g6, '0'),
  numberField('trip', 'v.p.trip', distTenths, '0'),
  numberField('odometer', 'v.p.odometer', distTenths, '0'),
  numberField('speed', 'v.p.speed', { label: 'g6, always km/h', apply: formatG6 }, '0'),
  numberField('parktimer', 'v.e.parktime', int, '0'),
  numberField('ambient', 'v.e.temp', g6, '0'),
  doorByte('doors3'),
  custom('staletemps', TEMPERATURES, `any of the six: ${FRESHNESS}`, '-1', (m, c) =>
    freshness(m, c, TEMPERATURES),
  ),
  custom('staleambient', ['v.e.temp'], FRESHNESS, '-1', (m, c) => freshness(m, c, ['v.e.temp'])),
  numberField('v12', 'v.b.12v.voltage', g6, '0'),
  doorByte('doors4'),
  numberField('v12_ref', 'v.b.12v.voltage.ref', g6, '0'),
  doorByte('doors5'),
  numberField('tcharger', 'v.c.temp', g6, '0'),
  numberField('v12_current', 'v.b.12v.current', g6, '0'),
  numberField('tcabin', 'v.e.cabintemp', g6, '0'),
]);

export const LOCATION_MAP = spec('L', LOCATION_FIELDS, [
  numberField('lat', 'v.p.latitude', fix(6), '0'),
  numberField('lon', 'v.p.longitude', fix(6), '0'),
  numberField('direction', 'v.p.direction', g6, '0'),
  numberField('altitude', 'v.p.altitude', { label: 'g6, always metres', apply: formatG6 }, '0'),
  flagField('gpslock', 'v.p.gpslock'),
  custom(
    'stalegps',
    ['v.p.gpslock'],
    '1 (fresh) if GPS lock and the module is online, else 0',
    '0',
    (m, c) => (c.online && flagOf(m, 'v.p.gpslock') ? '1' : '0'),
  ),
  numberField('speed', 'v.p.speed', speedFix1, '0'),
  numberField('tripmeter', 'v.p.trip', distTenths, '0'),
  numberField('drivemode', 'v.e.drivemode', hex, '0'),
  numberField('power', 'v.b.power', fix(3), '0'),
  numberField('energyused', 'v.b.energy.used', fix(3), '0'),
  numberField('energyrecd', 'v.b.energy.recd', fix(3), '0'),
  numberField('invpower', 'v.i.power', g6, '0'),
  numberField('invefficiency', 'v.i.efficiency', g6, '0'),
  textField('gpsmode', 'v.p.gpsmode', ''),
  numberField('gpssats', 'v.p.satcount', int, '0'),
  numberField('gpshdop', 'v.p.gpshdop', fix(1), '0'),
  numberField('gpsspeed', 'v.p.gpsspeed', speedFix1, '0'),
  numberField('gpssignal', 'v.p.gpssq', int, '0'),
]);

export const FIRMWARE_MAP = spec('F', FIRMWARE_FIELDS, [
  textField('version', 'm.version', '', 'mp'),
  textField('vin', 'v.vin', '', 'mp'),
  numberField('signal', 'm.net.sq', sq, '0'),
  custom('canwrite', [], 'config vehicle canwrite', '0', (_, context) => mpEncode(context.canwrite ?? '0')),
  textField('vehicletype', 'v.type', ''),
  textField('provider', 'm.net.provider', '', 'mp'),
  numberField('service_range', 'v.e.serv.range', { label: 'integer km', apply: formatInt }, '-1'),
  numberField('service_time', 'v.e.serv.time', unixSeconds, '-1'),
  textField('hardware', 'm.hardware', '', 'mp'),
  textField('modem', 'm.net.mdm.mode', '', 'mp'),
]);

const TPMS_METRICS = ['v.t.pressure', 'v.t.temp', 'v.t.health', 'v.t.alert'];

/** An element of a TPMS vector, `undefined` when the vector is undefined, too short or `nan` there. */
function wheelValue(metrics: MetricReader, name: string, index: number): number | undefined {
  const value = vectorOf(metrics, name)?.[index];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

/** Whether the Y before this W printed any value, which leaves the firmware's stream in fixed mode. */
function tpmsPrintedValues(metrics: MetricReader): boolean {
  return ['v.t.pressure', 'v.t.temp', 'v.t.health'].some((name) =>
    (vectorOf(metrics, name) ?? []).some((value) => !Number.isNaN(value)),
  );
}

function wheelPressure(field: string, index: number): Draft {
  return custom(
    field,
    ['v.t.pressure'],
    `v.t.pressure[${index}] kPa × ${PSI_PER_KPA} → psi, g6`,
    '0',
    (m) => {
      const kpa = wheelValue(m, 'v.t.pressure', index);
      return kpa === undefined ? '0' : formatG6(kpa * PSI_PER_KPA);
    },
  );
}

function wheelTemperature(field: string, index: number): Draft {
  const format = `v.t.temp[${index}] °C; iOS workaround: missing or ≤ 1 → 1; fix1 after a Y with values, else g6`;
  return custom(field, ['v.t.temp'], format, '1', (metrics, context) => {
    const celsius = wheelValue(metrics, 'v.t.temp', index);
    if (context.iosTpmsWorkaround !== false && (celsius === undefined || celsius <= 1)) return '1';
    const value = celsius ?? 0;
    return tpmsPrintedValues(metrics) ? formatFixed(value, 1) : formatG6(value);
  });
}

export const TPMS_LEGACY_MAP = spec('W', TPMS_LEGACY_FIELDS, [
  wheelPressure('fr_p', 1),
  wheelTemperature('fr_t', 1),
  wheelPressure('rr_p', 3),
  wheelTemperature('rr_t', 3),
  wheelPressure('fl_p', 0),
  wheelTemperature('fl_t', 0),
  wheelPressure('rl_p', 2),
  wheelTemperature('rl_t', 2),
  custom(
    'stale',
    TPMS_METRICS,
    '-1 if none of the four is defined; 1 if all four are and the module is online; else 0',
    '-1',
    (metrics, context) => {
      const defined = TPMS_METRICS.filter((name) => metrics.value(name) !== undefined).length;
      if (defined === 0) return '-1';
      return defined === TPMS_METRICS.length && context.online ? '1' : '0';
    },
  ),
]);

export const GENERATOR_MAP = spec('X', GENERATOR_FIELDS, [
  flagField('generating', 'v.g.generating'),
  flagField('pilot', 'v.g.pilot'),
  numberField('voltage', 'v.g.voltage', int, '0'),
  numberField('current', 'v.g.current', fix(1), '0.0'),
  numberField('power', 'v.g.power', fix(1), '0.0'),
  numberField('efficiency', 'v.g.efficiency', fix(1), '0.0'),
  textField('type', 'v.g.type', ''),
  textField('state', 'v.g.state', 'stopped'),
  textField('substate', 'v.g.substate', ''),
  textField('mode', 'v.g.mode', 'standard'),
  numberField('limit_current', 'v.g.climit', fix(1), '0.0'),
  numberField('limit_range', 'v.g.limit.range', distFix1, '0.0'),
  numberField('limit_soc', 'v.g.limit.soc', int, '0'),
  numberField('kwh', 'v.g.kwh', fix(1), '0.0'),
  numberField('kwh_grid', 'v.g.kwh.grid', fix(1), '0.0'),
  numberField('kwh_grid_total', 'v.g.kwh.grid.total', fix(1), '0.0'),
  numberField('time', 'v.g.time', int, '0'),
  flagField('timermode', 'v.g.timermode'),
  numberField('timerstart', 'v.g.timerstart', { label: 'int, seconds of day', apply: formatInt }, '0'),
  numberField('etr_empty', 'v.g.duration.empty', int, '0'),
  numberField('etr_range', 'v.g.duration.range', int, '0'),
  numberField('etr_soc', 'v.g.duration.soc', int, '0'),
  numberField('temperature', 'v.g.temp', fix(1), '0.0'),
  numberField('time_last_end', 'v.g.timestamp', unixSeconds, '-1'),
]);

/** Y is made of groups, not positional fields; its sources are the four TPMS vectors (§5.5). */
export const TPMS_SOURCES: readonly string[] = TPMS_METRICS;

/** The positional field maps, by message code (Y has no positional map). */
export const V2_FIELD_MAPS: Readonly<Record<Exclude<V2Code, 'Y'>, readonly V2FieldSpec[]>> = {
  S: STATUS_MAP,
  D: ENVIRONMENT_MAP,
  L: LOCATION_MAP,
  F: FIRMWARE_MAP,
  W: TPMS_LEGACY_MAP,
  X: GENERATOR_MAP,
};

function sourcesOf(code: V2Code): readonly string[] {
  return code === 'Y' ? TPMS_SOURCES : V2_FIELD_MAPS[code].flatMap((field) => field.sources);
}

const DEPENDENTS = new Map<string, V2Code[]>();
for (const code of V2_CODES) {
  for (const source of new Set(sourcesOf(code))) {
    const codes = DEPENDENTS.get(source) ?? [];
    codes.push(code);
    DEPENDENTS.set(source, codes);
  }
}

/** The v2 messages whose content depends on this metric, in `V2_CODES` order (empty if none). */
export function v2CodesForMetric(name: string): readonly V2Code[] {
  return DEPENDENTS.get(name) ?? [];
}

/** Every metric some v2 message is built from. */
export function v2SourceMetrics(): readonly string[] {
  return [...DEPENDENTS.keys()];
}
