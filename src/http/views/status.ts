import type { StoredMessage } from '../../store/store.js';
import type { View } from './common.js';
import { STATUS_D_FLAGS, STATUS_D_VALUES, STATUS_S_FIELDS } from './fields.js';
import { environmentPart, statusPart } from './vehicle-state.js';

/**
 * GET /api/status: the reference's view of the latest S and D messages (SERVER-INVENTORY.md §4.3).
 * A paranoid S refuses the whole view; a paranoid D is left out.
 */
export function statusView(messages: readonly StoredMessage[], now: Date): View {
  return {
    ...statusPart(messages, now, STATUS_S_FIELDS),
    ...environmentPart(messages, now, STATUS_D_FLAGS, STATUS_D_VALUES),
  };
}
