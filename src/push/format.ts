import type { Alert } from '../notify/notifier.js';
import type { PushMessage } from './types.js';
import { expandErrorAlert, type VeceTables } from './vece.js';

export interface FormatOptions {
  vece: VeceTables;
  /** Drop `E` alerts whose text contains `: DMC:` (debug codes), as the Perl server does. */
  suppressDebug: boolean;
}

/** The message every channel sends for an alert, or undefined when it is not pushed at all. */
export function formatAlert(alert: Alert, options: FormatOptions): PushMessage | undefined {
  const text = alert.type === 'E' ? expandErrorAlert(options.vece, alert.text) : alert.text;
  if (alert.type === 'E' && options.suppressDebug && text.includes(': DMC:')) return undefined;
  return {
    ownerId: alert.ownerId,
    ownerName: alert.ownerName,
    vehicleId: alert.vehicleId,
    type: alert.type,
    text,
    time: alert.time.toISOString(),
  };
}

/** The Perl server's timestamp form (`YYYY-MM-DD HH:MM:SS`, UTC) used in FCM data messages. */
export function perlTimestamp(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}
