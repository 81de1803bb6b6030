import {
  type EnvironmentFlags,
  environmentFlags,
  environmentRecord,
  statusRecord,
} from '../../protocol/messages/index.js';
import type { StoredMessage } from '../../store/store.js';
import { copyFields, latest, ParanoidVehicleError, payloadText, timeFields, type View } from './common.js';

type StatusField = keyof ReturnType<typeof statusRecord.decode>['fields'];
type EnvironmentField = keyof ReturnType<typeof environmentRecord.decode>['fields'];

/** Fields of the latest S, with its time; a paranoid S refuses the whole view (502). */
export function statusPart(
  messages: readonly StoredMessage[],
  now: Date,
  names: Record<string, StatusField>,
): View {
  const s = latest(messages, 'S');
  if (!s) return {};
  if (s.paranoid) throw new ParanoidVehicleError();
  return { ...timeFields(s, 's', now), ...copyFields(statusRecord.decode(payloadText(s)).fields, names) };
}

/** Flags (masked bit values) and fields of the latest D, with its time; a paranoid D is left out. */
export function environmentPart(
  messages: readonly StoredMessage[],
  now: Date,
  flagNames: readonly (keyof EnvironmentFlags)[],
  names: Record<string, EnvironmentField>,
): View {
  const d = latest(messages, 'D');
  if (!d || d.paranoid) return {};
  const record = environmentRecord.decode(payloadText(d));
  const flags = environmentFlags(record);
  const out: View = timeFields(d, 'd', now);
  for (const name of flagNames) out[name] = flags[name];
  return { ...out, ...copyFields(record.fields, names) };
}
