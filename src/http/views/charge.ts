import type { StoredMessage } from '../../store/store.js';
import type { View } from './common.js';
import { CHARGE_D_FLAGS, CHARGE_D_VALUES, CHARGE_S_FIELDS } from './fields.js';
import { environmentPart, statusPart } from './vehicle-state.js';

/** GET /api/charge: the charge-related fields of the latest S and D (SERVER-INVENTORY.md §4.3). */
export function chargeView(messages: readonly StoredMessage[], now: Date): View {
  return {
    ...statusPart(messages, now, CHARGE_S_FIELDS),
    ...environmentPart(messages, now, CHARGE_D_FLAGS, CHARGE_D_VALUES),
  };
}
