import { locationRecord } from '../../protocol/messages/index.js';
import type { StoredMessage } from '../../store/store.js';
import { copyFields, latest, ParanoidVehicleError, payloadText, timeFields, type View } from './common.js';
import { LOCATION_L_FIELDS } from './fields.js';

/** GET /api/location: the first 14 fields of the latest L (SERVER-INVENTORY.md §4.3). */
export function locationView(messages: readonly StoredMessage[], now: Date): View {
  const l = latest(messages, 'L');
  if (!l) return {};
  if (l.paranoid) throw new ParanoidVehicleError();
  const f = locationRecord.decode(payloadText(l)).fields;
  return {
    ...timeFields(l, 'l', now),
    ...copyFields(f, LOCATION_L_FIELDS),
  };
}
