import { defineRecord, type PositionalRecord } from './record.js';

/**
 * `X` generator / export power, 24 fields (WIRE.md §3.2). New in firmware 3.3.005; older v3
 * firmware sent the same data as `G`, which collides with the app's group subscription.
 */
export const GENERATOR_FIELDS = [
  'generating',
  'pilot',
  'voltage',
  'current',
  'power',
  'efficiency',
  'type',
  'state',
  'substate',
  'mode',
  'limit_current',
  'limit_range',
  'limit_soc',
  'kwh',
  'kwh_grid',
  'kwh_grid_total',
  'time',
  'timermode',
  'timerstart',
  'etr_empty',
  'etr_range',
  'etr_soc',
  'temperature',
  'time_last_end',
] as const;

export const generatorRecord = defineRecord('X', GENERATOR_FIELDS);

export type GeneratorRecord = PositionalRecord<'X', typeof GENERATOR_FIELDS>;
