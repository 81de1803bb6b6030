import type { EnvironmentFlags } from '../../protocol/messages/index.js';

/**
 * The reference API's field names, mapped to the record fields they copy (src/protocol/messages).
 * The views and the response schemas are both built from these lists.
 */

export const STATUS_S_FIELDS = {
  soc: 'soc',
  units: 'units',
  idealrange: 'idealrange',
  idealrange_max: 'idealrange_max',
  estimatedrange: 'estimatedrange',
  mode: 'chargemode',
  chargestate: 'chargestate',
  cac100: 'cac100',
  soh: 'soh',
  cooldown_active: 'cooldown_active',
} as const;

export const CHARGE_S_FIELDS = {
  linevoltage: 'linevoltage',
  battvoltage: 'battvoltage',
  chargecurrent: 'chargecurrent',
  chargepower: 'chargepower',
  chargepowerinput: 'chargepowerinput',
  chargerefficiency: 'chargerefficiency',
  chargetype: 'chargetype',
  chargestate: 'chargestate',
  soc: 'soc',
  units: 'units',
  idealrange: 'idealrange',
  estimatedrange: 'estimatedrange',
  mode: 'chargemode',
  chargelimit: 'chargelimit',
  chargeduration: 'chargeduration',
  chargeb4: 'chargeb4',
  chargekwh: 'chargekwh',
  chargesubstate: 'chargesubstate',
  chargetimermode: 'chargetimer',
  chargestarttime: 'chargestarttime',
  chargetimerstale: 'chargetimerstale',
  cac100: 'cac100',
  soh: 'soh',
  charge_etr_full: 'etr_full',
  charge_etr_limit: 'etr_limit',
  charge_limit_range: 'limit_range',
  charge_limit_soc: 'limit_soc',
  cooldown_active: 'cooldown_active',
  cooldown_tbattery: 'cooldown_tbattery',
  cooldown_timelimit: 'cooldown_timelimit',
  charge_estimate: 'charge_estimate',
  charge_etr_range: 'etr_range',
  charge_etr_soc: 'etr_soc',
  idealrange_max: 'idealrange_max',
  batt_current: 'battcurrent',
  batt_range_speed: 'battrangespeed',
  charge_kwh_grid: 'chargekwhgrid',
  charge_kwh_grid_total: 'chargekwhgridtotal',
  batt_capacity: 'batt_capacity',
} as const;

const CHARGE_D_FLAG_NAMES = [
  'cp_dooropen',
  'pilotpresent',
  'charging',
  'caron',
  'carawake',
  'charging_12v',
] as const;

export const CHARGE_D_FLAGS: readonly (keyof EnvironmentFlags)[] = CHARGE_D_FLAG_NAMES;

export const STATUS_D_FLAGS: readonly (keyof EnvironmentFlags)[] = [
  ...CHARGE_D_FLAG_NAMES,
  'fl_dooropen',
  'fr_dooropen',
  'handbrake',
  'carlocked',
  'valetmode',
  'bt_open',
  'tr_open',
  'alarmsounding',
];

export const CHARGE_D_VALUES = {
  temperature_pem: 'tpem',
  temperature_motor: 'tmotor',
  temperature_battery: 'tbattery',
  temperature_charger: 'tcharger',
  temperature_ambient: 'ambient',
  temperature_cabin: 'tcabin',
  staletemps: 'staletemps',
  staleambient: 'staleambient',
  vehicle12v: 'v12',
  vehicle12v_ref: 'v12_ref',
  vehicle12v_current: 'v12_current',
} as const;

export const STATUS_D_VALUES = {
  ...CHARGE_D_VALUES,
  tripmeter: 'trip',
  odometer: 'odometer',
  speed: 'speed',
  parkingtimer: 'parktimer',
} as const;

export const LOCATION_L_FIELDS = {
  latitude: 'lat',
  longitude: 'lon',
  direction: 'direction',
  altitude: 'altitude',
  gpslock: 'gpslock',
  stalegps: 'stalegps',
  speed: 'speed',
  tripmeter: 'tripmeter',
  drivemode: 'drivemode',
  power: 'power',
  energyused: 'energyused',
  energyrecd: 'energyrecd',
  invpower: 'invpower',
  invefficiency: 'invefficiency',
} as const;

export const TPMS_W_FIELDS = {
  fr_pressure: 'fr_p',
  fr_temperature: 'fr_t',
  rr_pressure: 'rr_p',
  rr_temperature: 'rr_t',
  fl_pressure: 'fl_p',
  fl_temperature: 'fl_t',
  rl_pressure: 'rl_p',
  rl_temperature: 'rl_t',
  staletpms: 'stale',
} as const;

export const TPMS_STALE_FIELDS = [
  'stale_pressure',
  'stale_temperature',
  'stale_health',
  'stale_alert',
  'staletpms',
];
