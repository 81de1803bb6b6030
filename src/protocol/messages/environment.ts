import { defineRecord, type PositionalRecord } from './record.js';

/**
 * `D` environment, 21 fields (WIRE.md §3.2; the 2013 guide had 18). Names are the reference HTTP
 * API's. `doors1`…`doors5` are decimal bit sets, decoded by `environmentFlags`.
 */
export const ENVIRONMENT_FIELDS = [
  'doors1',
  'doors2',
  'lockunlock',
  'tpem',
  'tmotor',
  'tbattery',
  'trip',
  'odometer',
  'speed',
  'parktimer',
  'ambient',
  'doors3',
  'staletemps',
  'staleambient',
  'v12',
  'doors4',
  'v12_ref',
  'doors5',
  'tcharger',
  'v12_current',
  'tcabin',
] as const;

export const environmentRecord = defineRecord('D', ENVIRONMENT_FIELDS);

export type EnvironmentRecord = PositionalRecord<'D', typeof ENVIRONMENT_FIELDS>;

/**
 * Door and state flags as the HTTP API reports them: each value is the field ANDed with its bit
 * mask (so `fr_dooropen` is 0 or 2, `caron` 0 or 128), never normalised to 0/1, because existing
 * API clients compare against those numbers.
 */
export interface EnvironmentFlags {
  fl_dooropen: number;
  fr_dooropen: number;
  cp_dooropen: number;
  pilotpresent: number;
  charging: number;
  handbrake: number;
  caron: number;
  carlocked: number;
  valetmode: number;
  headlights: number;
  bt_open: number;
  tr_open: number;
  carawake: number;
  alarmsounding: number;
  rl_dooropen: number;
  rr_dooropen: number;
  charging_12v: number;
  hvac: number;
}

/**
 * Reads a doors field the way a lenient numeric conversion would: leading integer digits count,
 * anything unparseable (or missing) is 0.
 */
function bits(value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number.parseInt(value.trim(), 10);
  return Number.isFinite(parsed) ? parsed : 0;
}

/**
 * Extracts the masked flag values from a `D` record.
 *
 * Two bits follow WIRE.md §3.2 (what v3 actually sends) rather than the 2013 guide and the
 * reference API: car awake is doors3 bit 0 (the reference API masks bit 1, which v3 uses for the
 * cooling pump), and alarm sounding is doors4 bit 1 (the guide says bit 2).
 */
export function environmentFlags(record: Pick<EnvironmentRecord, 'fields'>): EnvironmentFlags {
  const { fields } = record;
  const doors1 = bits(fields.doors1);
  const doors2 = bits(fields.doors2);
  const doors3 = bits(fields.doors3);
  const doors4 = bits(fields.doors4);
  const doors5 = bits(fields.doors5);
  return {
    fl_dooropen: doors1 & 0x01,
    fr_dooropen: doors1 & 0x02,
    cp_dooropen: doors1 & 0x04,
    pilotpresent: doors1 & 0x08,
    charging: doors1 & 0x10,
    handbrake: doors1 & 0x40,
    caron: doors1 & 0x80,
    carlocked: doors2 & 0x08,
    valetmode: doors2 & 0x10,
    headlights: doors2 & 0x20,
    bt_open: doors2 & 0x40,
    tr_open: doors2 & 0x80,
    carawake: doors3 & 0x01,
    alarmsounding: doors4 & 0x02,
    rl_dooropen: doors5 & 0x01,
    rr_dooropen: doors5 & 0x02,
    charging_12v: doors5 & 0x10,
    hvac: doors5 & 0x80,
  };
}
