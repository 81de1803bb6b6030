/**
 * `V` capabilities: a comma-separated list mixing vehicle capability tokens with command support
 * as `C<n>` or `C<lo>-<hi>`, e.g. `V<vehicle caps>,C1-6,C40-41,C49`. Only legacy PIC modules send
 * it; v3 never does (WIRE.md §3).
 */

export type CapabilityItem =
  | { readonly kind: 'vehicle'; readonly value: string }
  | { readonly kind: 'commands'; readonly lo: number; readonly hi: number | undefined };

export interface CapabilitiesRecord {
  readonly code: 'V';
  readonly kind: 'capabilities';
  /** Every item in wire order. */
  readonly items: readonly CapabilityItem[];
}

/**
 * Only canonical forms (no leading zeros, at most 5 digits: commands are 0..65535) are read as
 * command ranges, so that re-encoding the numbers gives back the same token; anything else is kept
 * as a vehicle capability.
 */
const COMMAND_TOKEN = /^C(0|[1-9]\d{0,4})(?:-(0|[1-9]\d{0,4}))?$/;

function decodeItem(token: string): CapabilityItem {
  const match = COMMAND_TOKEN.exec(token);
  if (match === null) return { kind: 'vehicle', value: token };
  return {
    kind: 'commands',
    lo: Number(match[1]),
    hi: match[2] === undefined ? undefined : Number(match[2]),
  };
}

function encodeItem(item: CapabilityItem): string {
  if (item.kind === 'vehicle') return item.value;
  return item.hi === undefined ? `C${item.lo}` : `C${item.lo}-${item.hi}`;
}

export function decodeCapabilities(payload: string): CapabilitiesRecord {
  return { code: 'V', kind: 'capabilities', items: payload === '' ? [] : payload.split(',').map(decodeItem) };
}

export function encodeCapabilities(record: Pick<CapabilitiesRecord, 'items'>): string {
  return record.items.map(encodeItem).join(',');
}

/** The non-command capability tokens, in order. */
export function vehicleCapabilities(record: Pick<CapabilitiesRecord, 'items'>): string[] {
  return record.items.flatMap((item) => (item.kind === 'vehicle' ? [item.value] : []));
}

/** Whether the car announced support for command `n`, either alone or inside a range. */
export function supportsCommand(record: Pick<CapabilitiesRecord, 'items'>, n: number): boolean {
  return record.items.some(
    (item) =>
      item.kind === 'commands' && (item.hi === undefined ? n === item.lo : n >= item.lo && n <= item.hi),
  );
}
