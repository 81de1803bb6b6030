import type { CommandAction } from './topics.js';

/**
 * The entities every vehicle gets in Home Assistant, as data. Metric values arrive in their native
 * units whatever the car shows (V3.md: km, km/h, °C, kPa, kWh, kW, V, A), so the units here are
 * fixed; Home Assistant converts distances and speeds to miles when its unit system says so.
 * Bool metrics are `yes`/`no`.
 */

/** A sensor reading one metric (`element`: one value of a vector metric, e.g. a tyre). */
export interface MetricSensor {
  readonly component: 'sensor';
  readonly key: string;
  readonly name: string;
  readonly metric: string;
  readonly unit?: string;
  readonly deviceClass?: string;
  readonly stateClass?: 'measurement' | 'total' | 'total_increasing';
  readonly element?: number;
  /** Negative values mean "unknown" (durations: −1 by convention). */
  readonly negativeUnknown?: boolean;
  readonly precision?: number;
  readonly icon?: string;
  readonly diagnostic?: boolean;
}

export interface MetricBinarySensor {
  readonly component: 'binary_sensor';
  readonly key: string;
  readonly name: string;
  readonly metric: string;
  readonly deviceClass?: string;
  readonly diagnostic?: boolean;
}

export const SENSORS: readonly MetricSensor[] = [
  s('soc', 'State of charge', 'v.b.soc', '%', 'battery', 'measurement', { precision: 1 }),
  s('range_est', 'Estimated range', 'v.b.range.est', 'km', 'distance', 'measurement', { precision: 0 }),
  s('range_ideal', 'Ideal range', 'v.b.range.ideal', 'km', 'distance', 'measurement', { precision: 0 }),
  t('charge_state', 'Charge state', 'v.c.state', 'mdi:ev-station'),
  t('charge_mode', 'Charge mode', 'v.c.mode', 'mdi:ev-plug-type2'),
  s('charge_power', 'Charge power', 'v.c.power', 'kW', 'power', 'measurement', { precision: 2 }),
  // Battery power: negative while charging (V3.md); many v2 cars report it but not v.c.power.
  s('battery_power', 'Battery power', 'v.b.power', 'kW', 'power', 'measurement', { precision: 2 }),
  s('charge_current', 'Charge current', 'v.c.current', 'A', 'current', 'measurement'),
  s('charge_voltage', 'Charge voltage', 'v.c.voltage', 'V', 'voltage', 'measurement', { precision: 0 }),
  s('charged_energy', 'Charged energy', 'v.c.kwh', 'kWh', 'energy', 'total_increasing', { precision: 1 }),
  s('charge_time_full', 'Time to full', 'v.c.duration.full', 'min', 'duration', 'measurement', {
    negativeUnknown: true,
  }),
  s('odometer', 'Odometer', 'v.p.odometer', 'km', 'distance', 'total_increasing', { precision: 1 }),
  s('speed', 'Speed', 'v.p.speed', 'km/h', 'speed', 'measurement', { precision: 0 }),
  s('battery_12v', '12 V battery', 'v.b.12v.voltage', 'V', 'voltage', 'measurement', { precision: 2 }),
  s('soh', 'State of health', 'v.b.soh', '%', undefined, 'measurement', { icon: 'mdi:battery-heart' }),
  s('temp_battery', 'Battery temperature', 'v.b.temp', '°C', 'temperature', 'measurement'),
  s('temp_motor', 'Motor temperature', 'v.m.temp', '°C', 'temperature', 'measurement'),
  s('temp_inverter', 'Inverter temperature', 'v.i.temp', '°C', 'temperature', 'measurement'),
  s('temp_charger', 'Charger temperature', 'v.c.temp', '°C', 'temperature', 'measurement'),
  s('temp_ambient', 'Ambient temperature', 'v.e.temp', '°C', 'temperature', 'measurement'),
  s('temp_cabin', 'Cabin temperature', 'v.e.cabintemp', '°C', 'temperature', 'measurement'),
  // v.t.pressure is a vector in the wheel order FL, FR, RL, RR (V3.md, TPMS).
  ...(['front left', 'front right', 'rear left', 'rear right'] as const).map((wheel, element) =>
    s(
      `tyre_${wheel.replace(' ', '_')}`,
      `Tyre pressure ${wheel}`,
      'v.t.pressure',
      'kPa',
      'pressure',
      'measurement',
      {
        element,
        precision: 0,
      },
    ),
  ),
];

export const BINARY_SENSORS: readonly MetricBinarySensor[] = [
  b('charging', 'Charging', 'v.c.charging', 'battery_charging'),
  b('plugged_in', 'Plugged in', 'v.c.pilot', 'plug'),
  b('car_on', 'Car on', 'v.e.on', 'power'),
  b('door_front_left', 'Door front left', 'v.d.fl', 'door'),
  b('door_front_right', 'Door front right', 'v.d.fr', 'door'),
  b('door_rear_left', 'Door rear left', 'v.d.rl', 'door'),
  b('door_rear_right', 'Door rear right', 'v.d.rr', 'door'),
  b('trunk', 'Trunk', 'v.d.trunk', 'opening'),
  b('hood', 'Hood', 'v.d.hood', 'opening'),
  b('charge_port', 'Charge port', 'v.d.cp', 'opening'),
  b('online', 'Online', 's.v3.connected', 'connectivity', true),
];

/** A switch: one metric for its state, commands ON/OFF. */
export interface SwitchEntity {
  readonly key: string;
  readonly name: string;
  readonly metric: string;
  readonly action: CommandAction;
  readonly icon: string;
}

export const SWITCHES: readonly SwitchEntity[] = [
  {
    key: 'charging_switch',
    name: 'Charging',
    metric: 'v.c.charging',
    action: 'charge',
    icon: 'mdi:ev-station',
  },
  { key: 'climate', name: 'Climate control', metric: 'v.e.hvac', action: 'climate', icon: 'mdi:fan' },
];

export interface ButtonEntity {
  readonly key: string;
  readonly name: string;
  readonly action: CommandAction;
  readonly icon: string;
}

export const BUTTONS: readonly ButtonEntity[] = [
  { key: 'wakeup', name: 'Wake up', action: 'wakeup', icon: 'mdi:sleep-off' },
  { key: 'homelink1', name: 'Homelink 1', action: 'homelink1', icon: 'mdi:garage' },
  { key: 'homelink2', name: 'Homelink 2', action: 'homelink2', icon: 'mdi:garage' },
  { key: 'homelink3', name: 'Homelink 3', action: 'homelink3', icon: 'mdi:garage' },
];

/** The charge current number's range (A): v2 command 15 takes whole amperes. */
export const CHARGE_CURRENT_MIN = 1;
export const CHARGE_CURRENT_MAX = 32;

function s(
  key: string,
  name: string,
  metric: string,
  unit: string | undefined,
  deviceClass: string | undefined,
  stateClass: MetricSensor['stateClass'],
  extra: Partial<MetricSensor> = {},
): MetricSensor {
  return { component: 'sensor', key, name, metric, unit, deviceClass, stateClass, ...extra };
}

function t(key: string, name: string, metric: string, icon: string): MetricSensor {
  return { component: 'sensor', key, name, metric, icon };
}

function b(
  key: string,
  name: string,
  metric: string,
  deviceClass: string,
  diagnostic = false,
): MetricBinarySensor {
  return { component: 'binary_sensor', key, name, metric, deviceClass, diagnostic };
}
