import { type InvalidMessage, invalidMessage } from './invalid.js';
import { splitHead } from './parse.js';
import { defineRecord, type PositionalRecord } from './record.js';

/**
 * Location groups (WIRE.md §3): apps subscribe with `G<group>`, cars (PIC modules only; v3 never
 * sends `g`) publish `g<group>,<data>`, and the server fans that out to subscribers as
 * `g<vehicleid>,<GROUP>,<data>` with the group name upper-cased.
 */

export interface GroupSubscription {
  readonly code: 'G';
  readonly kind: 'group-subscribe';
  readonly group: string;
  /** Further fields, which the server ignores. */
  readonly extra: readonly string[];
}

/** Car → server form. */
export interface GroupUpdate {
  readonly code: 'g';
  readonly kind: 'group-update';
  readonly group: string;
  /** Everything after the group name: see `groupLocationRecord`. */
  readonly data: string;
}

/** Server → app form. */
export interface GroupRelay {
  readonly code: 'g';
  readonly kind: 'group-relay';
  readonly vehicleId: string;
  readonly group: string;
  readonly data: string;
}

/**
 * Group names are case-insensitive and canonically upper case. Only ASCII letters change: payloads
 * are bytes carried in latin1 strings (§1), and a full Unicode upper-casing would rewrite bytes of
 * UTF-8 sequences (or even produce characters above 0xFF).
 */
export function normalizeGroupName(name: string): string {
  return name.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

export function decodeGroupSubscription(payload: string): GroupSubscription {
  const [group = '', ...extra] = payload.split(',');
  return { code: 'G', kind: 'group-subscribe', group, extra };
}

export function encodeGroupSubscription(sub: Pick<GroupSubscription, 'group' | 'extra'>): string {
  return [sub.group, ...sub.extra].join(',');
}

export function decodeGroupUpdate(payload: string): GroupUpdate | InvalidMessage<'g'> {
  const parts = splitHead(payload, 1);
  const [group = '', data] = parts;
  if (data === undefined) return invalidMessage('g', 'expected <group>,<data>', payload);
  return { code: 'g', kind: 'group-update', group, data };
}

export function encodeGroupUpdate(update: Pick<GroupUpdate, 'group' | 'data'>): string {
  return `${update.group},${update.data}`;
}

export function decodeGroupRelay(payload: string): GroupRelay | InvalidMessage<'g'> {
  const [vehicleId = '', group, data] = splitHead(payload, 2);
  if (group === undefined || data === undefined) {
    return invalidMessage('g', 'expected <vehicleid>,<group>,<data>', payload);
  }
  return { code: 'g', kind: 'group-relay', vehicleId, group, data };
}

export function encodeGroupRelay(relay: Pick<GroupRelay, 'vehicleId' | 'group' | 'data'>): string {
  return `${relay.vehicleId},${relay.group},${relay.data}`;
}

/** What the server sends subscribers for a car's update: the vehicle id in front, the group upper-cased. */
export function relayGroupUpdate(vehicleId: string, update: Pick<GroupUpdate, 'group' | 'data'>): GroupRelay {
  return {
    code: 'g',
    kind: 'group-relay',
    vehicleId,
    group: normalizeGroupName(update.group),
    data: update.data,
  };
}

/** The fields of a group update's data, as the 2013 guide lists them. */
export const GROUP_LOCATION_FIELDS = [
  'soc',
  'speed',
  'direction',
  'altitude',
  'gpslock',
  'stalegps',
  'latitude',
  'longitude',
] as const;

export const groupLocationRecord = defineRecord('g', GROUP_LOCATION_FIELDS);

export type GroupLocationRecord = PositionalRecord<'g', typeof GROUP_LOCATION_FIELDS>;
