import { environmentRecord } from '../messages/environment.js';
import { firmwareRecord } from '../messages/firmware.js';
import { generatorRecord } from '../messages/generator.js';
import { locationRecord } from '../messages/location.js';
import type { RecordCodec } from '../messages/record.js';
import { statusRecord } from '../messages/status.js';
import { encodeTpms, type TpmsGroup, tpmsGroup, tpmsLegacyRecord } from '../messages/tpms.js';
import { mpEncode } from '../mp-encoding.js';
import { formatFixed, formatInt } from './number-format.js';
import {
  ENVIRONMENT_MAP,
  FIRMWARE_MAP,
  GENERATOR_MAP,
  LOCATION_MAP,
  type MetricReader,
  numberOf,
  STATUS_MAP,
  TPMS_LEGACY_MAP,
  V2_CODES,
  type V2BuildContext,
  type V2Code,
  type V2FieldSpec,
  vectorOf,
} from './v2-field-map.js';

/**
 * Builds the v2 car messages S, D, L, F, Y, W and X from a vehicle's v3 metrics, as the module's
 * own v2 server does (V3.md §5), through the v2 message codecs of `../messages`. Each builder
 * returns the payload (the message without its code character); the existing decoders parse it.
 */

/** Default TPMS wheel layout; MQTT does not carry the vehicle's own (§5.5). */
export const DEFAULT_TPMS_WHEELS: readonly string[] = ['FL', 'FR', 'RL', 'RR'];

function buildRecord<Names extends readonly string[]>(
  codec: RecordCodec<string, Names>,
  map: readonly V2FieldSpec[],
  metrics: MetricReader,
  context: V2BuildContext,
): string {
  const fields = Object.fromEntries(map.map((spec) => [spec.field, spec.build(metrics, context)]));
  return codec.encode(codec.create(fields as Parameters<typeof codec.create>[0]));
}

/** `S` status, 42 fields (§5.1). */
export function buildStatus(metrics: MetricReader, context: V2BuildContext): string {
  return buildRecord(statusRecord, STATUS_MAP, metrics, context);
}

/** `D` environment, 21 fields (§5.2). */
export function buildEnvironment(metrics: MetricReader, context: V2BuildContext): string {
  return buildRecord(environmentRecord, ENVIRONMENT_MAP, metrics, context);
}

/** `L` location, 19 fields (§5.3). */
export function buildLocation(metrics: MetricReader, context: V2BuildContext): string {
  return buildRecord(locationRecord, LOCATION_MAP, metrics, context);
}

/** `F` firmware and identity, 10 fields (§5.4). */
export function buildFirmware(metrics: MetricReader, context: V2BuildContext): string {
  return buildRecord(firmwareRecord, FIRMWARE_MAP, metrics, context);
}

/** `W` legacy four-wheel TPMS, 9 fields (§5.6); always sent right after a `Y`. */
export function buildTpmsLegacy(metrics: MetricReader, context: V2BuildContext): string {
  return buildRecord(tpmsLegacyRecord, TPMS_LEGACY_MAP, metrics, context);
}

/** `X` generator / export power, 24 fields (§5.7). */
export function buildGenerator(metrics: MetricReader, context: V2BuildContext): string {
  return buildRecord(generatorRecord, GENERATOR_MAP, metrics, context);
}

/**
 * One Y group from a TPMS vector: `0,-1` when undefined, else the element count, each element
 * formatted (`nan` → empty field), and validity 1 while the module is online, 0 offline.
 */
function tpmsVectorGroup(
  metrics: MetricReader,
  name: string,
  format: (value: number) => string,
  context: V2BuildContext,
): TpmsGroup {
  const vector = vectorOf(metrics, name);
  if (vector === undefined) return tpmsGroup([], '-1');
  const values = vector.map((value) => (Number.isNaN(value) ? '' : format(value)));
  return tpmsGroup(values, context.online ? '1' : '0');
}

/**
 * `Y` TPMS (§5.5): wheel names, then pressure (kPa), temperature (°C) and health (%) with one
 * decimal, alert levels as integers, and the sensor map, which a bridge cannot know (`0,-1`).
 */
export function buildTpms(metrics: MetricReader, context: V2BuildContext): string {
  const wheels = (context.tpmsWheels ?? DEFAULT_TPMS_WHEELS).map(mpEncode);
  const fix1 = (value: number) => formatFixed(value, 1);
  return encodeTpms({
    wheelCount: String(wheels.length),
    wheels,
    pressures: tpmsVectorGroup(metrics, 'v.t.pressure', fix1, context),
    temperatures: tpmsVectorGroup(metrics, 'v.t.temp', fix1, context),
    health: tpmsVectorGroup(metrics, 'v.t.health', fix1, context),
    alerts: tpmsVectorGroup(metrics, 'v.t.alert', formatInt, context),
    sensorMap: tpmsGroup([], '-1'),
    extra: [],
  });
}

const BUILDERS: Readonly<Record<V2Code, (metrics: MetricReader, context: V2BuildContext) => string>> = {
  S: buildStatus,
  D: buildEnvironment,
  L: buildLocation,
  F: buildFirmware,
  Y: buildTpms,
  W: buildTpmsLegacy,
  X: buildGenerator,
};

/** One built message: the line is `code + payload` (before the `MP-0 ` prefix). */
export interface V2Message {
  readonly code: V2Code;
  readonly payload: string;
}

/** Builds one message. */
export function buildV2Payload(code: V2Code, metrics: MetricReader, context: V2BuildContext): string {
  return BUILDERS[code](metrics, context);
}

/**
 * Builds the requested messages in `V2_CODES` order. `Y` and `W` always go together, `W` right
 * after `Y`, as the firmware sends them (§5.6).
 */
export function buildV2Messages(
  codes: Iterable<V2Code>,
  metrics: MetricReader,
  context: V2BuildContext,
): V2Message[] {
  const wanted = new Set(codes);
  if (wanted.has('Y') || wanted.has('W')) {
    wanted.add('Y');
    wanted.add('W');
  }
  return V2_CODES.filter((code) => wanted.has(code)).map((code) => ({
    code,
    payload: buildV2Payload(code, metrics, context),
  }));
}

/**
 * Whether the firmware would send `X` periodically now: only while `v.g.current` > 0 (§5.7). It
 * also sends `X` when the generator state changes while apps are connected.
 */
export function generatorActive(metrics: MetricReader): boolean {
  return (numberOf(metrics, 'v.g.current') ?? 0) > 0;
}
