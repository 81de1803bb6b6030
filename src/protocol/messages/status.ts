import { defineRecord, type PositionalRecord } from './record.js';

/**
 * `S` status, 42 fields as v3 sends them (WIRE.md §3.2). The first 41 names are the ones the
 * reference server's HTTP API uses for this message; the 42nd (time of the last charge end, or -1)
 * is newer than that API and named here.
 *
 * Quirks worth knowing when reading values: `chargeduration` is seconds today (the 2013 guide said
 * minutes); `cooldown_active` is `0` while cooling and `-1` otherwise on v3; fields 38–41 carry one
 * decimal instead of two.
 */
export const STATUS_FIELDS = [
  'soc',
  'units',
  'linevoltage',
  'chargecurrent',
  'chargestate',
  'chargemode',
  'idealrange',
  'estimatedrange',
  'chargelimit',
  'chargeduration',
  'chargeb4',
  'chargekwh',
  'chargesubstate',
  'chargestateN',
  'chargemodeN',
  'chargetimer',
  'chargestarttime',
  'chargetimerstale',
  'cac100',
  'etr_full',
  'etr_limit',
  'limit_range',
  'limit_soc',
  'cooldown_active',
  'cooldown_tbattery',
  'cooldown_timelimit',
  'charge_estimate',
  'etr_range',
  'etr_soc',
  'idealrange_max',
  'chargetype',
  'chargepower',
  'battvoltage',
  'soh',
  'chargepowerinput',
  'chargerefficiency',
  'battcurrent',
  'battrangespeed',
  'chargekwhgrid',
  'chargekwhgridtotal',
  'batt_capacity',
  'charge_time_last_end',
] as const;

export const statusRecord = defineRecord('S', STATUS_FIELDS);

export type StatusRecord = PositionalRecord<'S', typeof STATUS_FIELDS>;
