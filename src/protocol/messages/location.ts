import { defineRecord, type PositionalRecord } from './record.js';

/**
 * `L` location, 19 fields (WIRE.md §3.2; the 2013 guide had 6). The first 14 names are the
 * reference HTTP API's; 15–19 (GPS details) are newer and named here. `drivemode` is hex and
 * `energyused`/`energyrecd` are kWh despite the docs saying Wh.
 */
export const LOCATION_FIELDS = [
  'lat',
  'lon',
  'direction',
  'altitude',
  'gpslock',
  'stalegps',
  'speed',
  'tripmeter',
  'drivemode',
  'power',
  'energyused',
  'energyrecd',
  'invpower',
  'invefficiency',
  'gpsmode',
  'gpssats',
  'gpshdop',
  'gpsspeed',
  'gpssignal',
] as const;

export const locationRecord = defineRecord('L', LOCATION_FIELDS);

export type LocationRecord = PositionalRecord<'L', typeof LOCATION_FIELDS>;
