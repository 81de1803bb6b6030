import { type MetricType, metricInfo, metricType } from './metric-catalogue.js';
import { formatFixed, formatMetricFloat, truncateToInt } from './number-format.js';

/**
 * Metric value text ↔ typed values (V3.md §3.4). Decoding never throws: text that does not fit the
 * metric's type gives `value: undefined` and a `reason`.
 *
 * Typed values: `bool` → boolean; `int`, `float` → number (`nan`/`inf` kept as NaN/Infinity for
 * floats); `time-of-day` → seconds of the day; `date-utc`/`date-local` → Unix seconds;
 * vectors → number arrays (a `nan` element is NaN); `string` → the text.
 */
export type MetricValue = boolean | number | string | readonly number[];

export type Decoded<T> =
  | { readonly value: T; readonly reason?: undefined; readonly note?: string }
  | { readonly value: undefined; readonly reason: string };

function invalid(reason: string): { value: undefined; reason: string } {
  return { value: undefined, reason };
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_A_NUMBER = /^[+-]?nan$/i;
const INFINITE = /^([+-]?)inf(?:inity)?$/i;

/** A number as C++ streams print it: decimal or exponent form, `nan`, `inf`, `-inf`. */
export function decodeNumber(text: string): Decoded<number> {
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) return { value: Number(trimmed) };
  if (NOT_A_NUMBER.test(trimmed)) return { value: Number.NaN };
  const infinite = INFINITE.exec(trimmed);
  if (infinite) return { value: infinite[1] === '-' ? -Infinity : Infinity };
  return invalid(`not a number: ${quote(text)}`);
}

/** An integer metric; a fractional value is truncated toward zero (as the firmware's `AsInt`). */
export function decodeInteger(text: string): Decoded<number> {
  const decoded = decodeNumber(text);
  if (decoded.value === undefined) return decoded;
  if (!Number.isFinite(decoded.value)) return invalid(`not a finite integer: ${quote(text)}`);
  return { value: truncateToInt(decoded.value) };
}

const TRUE_WORDS = new Set(['yes', 'true', '1', 'on']);
const FALSE_WORDS = new Set(['no', 'false', '0', 'off']);

/** `yes`/`no` as the firmware prints; `true`/`false`, `1`/`0` and `on`/`off` are accepted too. */
export function decodeBool(text: string): Decoded<boolean> {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return { value: true };
  if (FALSE_WORDS.has(word)) return { value: false };
  return invalid(`not yes/no: ${quote(text)}`);
}

/** `HH:MM:SS` → seconds of the day; a plain integer is taken as seconds already. */
export function decodeTimeOfDay(text: string): Decoded<number> {
  const trimmed = text.trim();
  const match = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(trimmed);
  if (match) {
    const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (minutes > 59 || seconds > 59) return invalid(`not a time of day: ${quote(text)}`);
    return { value: hours * 3600 + minutes * 60 + seconds };
  }
  if (/^\d{1,6}$/.test(trimmed)) return { value: Number(trimmed) };
  return invalid(`not HH:MM:SS: ${quote(text)}`);
}

/**
 * Offsets (minutes east of UTC) of the zone abbreviations a module's `%Z` commonly prints.
 * Ambiguous abbreviations (IST, …) are left out; `CST` is read as US Central.
 */
const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  SAST: 120,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  AWST: 480,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
};

/** Minutes east of UTC for an abbreviation or a numeric zone (`+02`, `-0530`, `+05:30`). */
function zoneOffset(zone: string): number | undefined {
  const known = ZONE_OFFSETS[zone.toUpperCase()];
  if (known !== undefined) return known;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!numeric) return undefined;
  const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
  return numeric[1] === '-' ? -minutes : minutes;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: (\S{1,10}))?$/;

/**
 * A date metric → Unix seconds. Accepts `YYYY-MM-DD HH:MM:SS <zone>` (since 3.3.004) and plain Unix
 * seconds (older firmware). An unknown zone abbreviation is read as UTC and said in `note`.
 */
export function decodeDate(text: string): Decoded<number> {
  const trimmed = text.trim();
  if (/^-?\d{1,12}$/.test(trimmed)) return { value: Number(trimmed) };
  const match = DATE_TIME.exec(trimmed);
  if (!match) return invalid(`not a date: ${quote(text)}`);
  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  const check = new Date(millis);
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hours > 23 ||
    minutes > 59 ||
    seconds > 59
  ) {
    return invalid(`not a valid date: ${quote(text)}`);
  }
  const zone = match[7] ?? 'UTC';
  const offset = zoneOffset(zone);
  const utcSeconds = millis / 1000 - (offset ?? 0) * 60;
  return offset === undefined
    ? { value: utcSeconds, note: `unknown time zone ${quote(zone)}, read as UTC` }
    : { value: utcSeconds };
}

function decodeVector(text: string, element: (part: string) => Decoded<number>): Decoded<readonly number[]> {
  if (text.trim() === '') return { value: [] };
  const values: number[] = [];
  for (const [index, part] of text.split(',').entries()) {
    const decoded = element(part);
    if (decoded.value === undefined) return invalid(`element ${index + 1}: ${decoded.reason}`);
    values.push(decoded.value);
  }
  return { value: values };
}

/** An int-vector element: an integer, or `nan` for an unknown element. */
function decodeVectorInteger(text: string): Decoded<number> {
  const decoded = decodeNumber(text);
  if (decoded.value === undefined || Number.isNaN(decoded.value)) return decoded;
  return decodeInteger(text);
}

/**
 * Decodes the text of a metric of the given type. An empty text is only valid for strings and
 * vectors (an empty payload on a metric topic means "cleared": see `MetricState.apply`).
 */
export function decodeMetricValue(type: MetricType, text: string): Decoded<MetricValue> {
  switch (type) {
    case 'bool':
      return decodeBool(text);
    case 'int':
      return decodeInteger(text);
    case 'float':
      return decodeNumber(text);
    case 'time-of-day':
      return decodeTimeOfDay(text);
    case 'date-utc':
    case 'date-local':
      return decodeDate(text);
    case 'float-vector':
      return decodeVector(text, decodeNumber);
    case 'int-vector':
      return decodeVector(text, decodeVectorInteger);
    case 'string':
      return { value: text };
  }
}

/** Decodes a metric by name, with its type from the catalogue (unknown names are text). */
export function decodeMetric(name: string, text: string): Decoded<MetricValue> {
  return decodeMetricValue(metricType(name), text);
}

const pad2 = (value: number) => String(value).padStart(2, '0');

function formatTimeOfDay(seconds: number): string {
  const total = ((truncateToInt(seconds) % 86400) + 86400) % 86400;
  return `${pad2(Math.floor(total / 3600))}:${pad2(Math.floor(total / 60) % 60)}:${pad2(total % 60)}`;
}

/** Unix seconds as a `date-utc` text, `YYYY-MM-DD HH:MM:SS UTC`. */
export function formatUtcDate(unixSeconds: number): string {
  const date = new Date(truncateToInt(unixSeconds) * 1000);
  if (Number.isNaN(date.getTime())) return String(truncateToInt(unixSeconds));
  const day = `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
  const time = `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
  return `${day} ${time} UTC`;
}

function formatNumber(type: MetricType, value: number, decimals: number | undefined): string {
  switch (type) {
    case 'int':
    case 'int-vector':
      return Number.isNaN(value) ? 'nan' : String(truncateToInt(value));
    case 'time-of-day':
      return formatTimeOfDay(value);
    case 'date-utc':
    case 'date-local':
      return formatUtcDate(value);
    default:
      return decimals === undefined ? formatMetricFloat(value) : formatFixed(value, decimals);
  }
}

/**
 * The payload text for a metric of the given type, the inverse of `decodeMetricValue`. Dates are
 * written in UTC (a server knows no module zone); floats with up to 12 significant digits.
 */
export function encodeMetricValue(type: MetricType, value: MetricValue, decimals?: number): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(type, value, decimals);
  return value.map((element) => formatNumber(type, element, decimals)).join(',');
}

/** `encodeMetricValue` with the type (and fixed decimals) of the named metric from the catalogue. */
export function encodeMetric(name: string, value: MetricValue): string {
  const info = metricInfo(name);
  return encodeMetricValue(info?.type ?? 'string', value, info?.decimals);
}
