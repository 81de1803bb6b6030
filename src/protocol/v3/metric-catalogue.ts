/**
 * The standard OVMS v3 metrics a server works with (V3.md §4): name, value type and native unit.
 * Every metric is published in its native unit (§3.3), whatever the user's display preferences.
 * Vehicle modules add their own metrics (`x<code>.…`); those are not listed and decode as text.
 */

/**
 * How a metric's text is written (V3.md §3.4):
 * - `bool`: `yes` / `no`;
 * - `int`: a decimal integer;
 * - `float`: C++ default formatting (6 significant digits, `nan`/`inf` possible);
 * - `time-of-day`: `HH:MM:SS`, seconds of the day (`v.c.timerstart`, `v.g.timerstart`);
 * - `date-utc`: `YYYY-MM-DD HH:MM:SS UTC`, or Unix seconds from firmware before 3.3.004;
 * - `date-local`: the same with the module's zone abbreviation instead of `UTC`;
 * - `string`: raw text;
 * - `float-vector`, `int-vector`: elements joined by `,`.
 */
export type MetricType =
  | 'bool'
  | 'int'
  | 'float'
  | 'time-of-day'
  | 'date-utc'
  | 'date-local'
  | 'string'
  | 'float-vector'
  | 'int-vector';

export interface MetricInfo {
  readonly name: string;
  readonly type: MetricType;
  /** Native unit as published, e.g. `km`, `kW`; empty when unitless. */
  readonly unit: string;
  /** Fixed decimals the firmware prints with, instead of 6 significant digits (latitude, longitude). */
  readonly decimals?: number;
}

function metrics(type: MetricType, unit: string, names: readonly string[]): MetricInfo[] {
  return names.map((name) => ({ name, type, unit }));
}

export const STANDARD_METRICS: readonly MetricInfo[] = [
  // Module and server
  ...metrics('string', '', ['m.version', 'm.hardware', 'm.serial', 'm.net.type', 'm.net.provider']),
  ...metrics('string', '', ['m.net.mdm.mode', 'v.type', 'v.vin']),
  ...metrics('int', 's', ['m.monotonic']),
  ...metrics('date-utc', '', ['m.time.utc']),
  ...metrics('int', 'dBm', ['m.net.sq']),
  ...metrics('bool', '', [
    'm.net.connected',
    'm.net.ip',
    'm.net.good.sq',
    's.v3.connected',
    's.v2.connected',
  ]),
  ...metrics('int', '', ['s.v3.peers', 's.v2.peers']),
  // Battery
  ...metrics('float', '%', ['v.b.soc', 'v.b.soh']),
  ...metrics('float', 'Ah', ['v.b.cac']),
  ...metrics('float', 'kWh', ['v.b.capacity', 'v.b.energy.used', 'v.b.energy.recd']),
  ...metrics('string', '', ['v.b.health']),
  ...metrics('float', 'V', ['v.b.voltage', 'v.b.12v.voltage', 'v.b.12v.voltage.ref']),
  ...metrics('float', 'A', ['v.b.current', 'v.b.12v.current']),
  ...metrics('float', 'kW', ['v.b.power']),
  ...metrics('float', 'Wh/km', ['v.b.consumption']),
  ...metrics('float', 'km', ['v.b.range.full', 'v.b.range.ideal', 'v.b.range.est']),
  ...metrics('float', 'km/h', ['v.b.range.speed']),
  ...metrics('float', '°C', ['v.b.temp']),
  ...metrics('bool', '', ['v.b.12v.voltage.alert']),
  // Charging
  ...metrics('string', '', ['v.c.state', 'v.c.substate', 'v.c.mode', 'v.c.type']),
  ...metrics('bool', '', ['v.c.charging', 'v.c.pilot', 'v.c.timermode']),
  ...metrics('float', 'V', ['v.c.voltage']),
  ...metrics('float', 'A', ['v.c.current', 'v.c.climit']),
  ...metrics('float', 'kW', ['v.c.power']),
  ...metrics('float', '%', ['v.c.efficiency', 'v.c.limit.soc']),
  ...metrics('float', 'kWh', ['v.c.kwh', 'v.c.kwh.grid', 'v.c.kwh.grid.total']),
  ...metrics('int', 's', ['v.c.time']),
  ...metrics('time-of-day', '', ['v.c.timerstart']),
  ...metrics('float', 'km', ['v.c.limit.range']),
  ...metrics('int', 'min', ['v.c.duration.full', 'v.c.duration.range', 'v.c.duration.soc']),
  ...metrics('float', '°C', ['v.c.temp']),
  ...metrics('date-local', '', ['v.c.timestamp']),
  // Position
  { name: 'v.p.latitude', type: 'float', unit: '°', decimals: 6 },
  { name: 'v.p.longitude', type: 'float', unit: '°', decimals: 6 },
  ...metrics('float', '°', ['v.p.direction']),
  ...metrics('float', 'm', ['v.p.altitude']),
  ...metrics('bool', '', ['v.p.gpslock']),
  ...metrics('date-local', '', ['v.p.gpstime']),
  ...metrics('string', '', ['v.p.gpsmode', 'v.p.location']),
  ...metrics('int', '', ['v.p.satcount']),
  ...metrics('float', '', ['v.p.gpshdop']),
  ...metrics('int', '%', ['v.p.gpssq']),
  ...metrics('float', 'km/h', ['v.p.speed', 'v.p.gpsspeed']),
  ...metrics('float', 'km', ['v.p.odometer', 'v.p.trip']),
  // Doors and environment
  ...metrics('bool', '', ['v.d.fl', 'v.d.fr', 'v.d.rl', 'v.d.rr', 'v.d.cp', 'v.d.hood', 'v.d.trunk']),
  ...metrics('bool', '', ['v.e.on', 'v.e.awake', 'v.e.locked', 'v.e.valet', 'v.e.headlights', 'v.e.alarm']),
  ...metrics('bool', '', ['v.e.handbrake', 'v.e.cooling', 'v.e.heating', 'v.e.regenbrake']),
  ...metrics('bool', '', ['v.e.c.login', 'v.e.c.config', 'v.e.charging12v', 'v.e.aux12v', 'v.e.hvac']),
  ...metrics('int', '', ['v.e.drivemode', 'v.e.gear']),
  ...metrics('int', 's', ['v.e.parktime', 'v.e.drivetime']),
  ...metrics('float', '°C', ['v.e.temp', 'v.e.cabintemp']),
  ...metrics('int', 'km', ['v.e.serv.range']),
  ...metrics('date-local', '', ['v.e.serv.time']),
  // Drive train
  ...metrics('float', '°C', ['v.i.temp', 'v.m.temp']),
  ...metrics('float', 'kW', ['v.i.power']),
  ...metrics('float', '%', ['v.i.efficiency']),
  ...metrics('int', 'rpm', ['v.m.rpm']),
  // TPMS: element order is the wheel layout, by default FL, FR, RL, RR
  ...metrics('float-vector', 'kPa', ['v.t.pressure']),
  ...metrics('float-vector', '°C', ['v.t.temp']),
  ...metrics('float-vector', '%', ['v.t.health']),
  ...metrics('int-vector', '', ['v.t.alert']),
  // Generator / V2X
  ...metrics('bool', '', ['v.g.generating', 'v.g.pilot', 'v.g.timermode']),
  ...metrics('float', 'V', ['v.g.voltage']),
  ...metrics('float', 'A', ['v.g.current', 'v.g.climit']),
  ...metrics('float', 'kW', ['v.g.power']),
  ...metrics('float', '%', ['v.g.efficiency', 'v.g.limit.soc']),
  ...metrics('float', 'kWh', ['v.g.kwh', 'v.g.kwh.grid', 'v.g.kwh.grid.total']),
  ...metrics('float', 'km', ['v.g.limit.range']),
  ...metrics('float', '°C', ['v.g.temp']),
  ...metrics('string', '', ['v.g.type', 'v.g.state', 'v.g.substate', 'v.g.mode']),
  ...metrics('int', 's', ['v.g.time']),
  ...metrics('time-of-day', '', ['v.g.timerstart']),
  ...metrics('int', 'min', ['v.g.duration.empty', 'v.g.duration.range', 'v.g.duration.soc']),
  ...metrics('date-local', '', ['v.g.timestamp']),
];

const BY_NAME = new Map(STANDARD_METRICS.map((info) => [info.name, info]));

/** The catalogue entry of a standard metric, `undefined` for vehicle-specific or unknown names. */
export function metricInfo(name: string): MetricInfo | undefined {
  return BY_NAME.get(name);
}

/** The value type of a metric; names outside the catalogue are treated as text. */
export function metricType(name: string): MetricType {
  return BY_NAME.get(name)?.type ?? 'string';
}
