import { defineRecord, type PositionalRecord } from './record.js';

/**
 * `F` firmware and identity, 10 fields (WIRE.md §3.2; the guide had 6). Field 6 used to be the
 * "GSM lock" and is now the network provider or Wi-Fi SSID. `version`, `hardware` and `modem` are
 * MP-encoded by v3 (§3.1), which is why `modem` reads like `LTE;Online`. `canwrite` is whatever the
 * car's config holds, normally `0` or `1`.
 */
export const FIRMWARE_FIELDS = [
  'version',
  'vin',
  'signal',
  'canwrite',
  'vehicletype',
  'provider',
  'service_range',
  'service_time',
  'hardware',
  'modem',
] as const;

export const firmwareRecord = defineRecord('F', FIRMWARE_FIELDS);

export type FirmwareRecord = PositionalRecord<'F', typeof FIRMWARE_FIELDS>;
