import type { StoredMessage } from '../store/store.js';
import { chargeView } from './views/charge.js';
import { ParanoidVehicleError, type View } from './views/common.js';
import { locationView } from './views/location.js';
import { statusView } from './views/status.js';
import { tpmsView } from './views/tpms.js';

/** The messages the views read: a new one of these codes changes what the dashboard shows. */
const VIEW_CODES = new Set(['S', 'D', 'L', 'W', 'Y']);

export interface LiveViewSet {
  status: View;
  charge: View;
  location: View;
  tpms: View;
}

/**
 * The /api status, charge, location and tpms views of one vehicle, kept up to date from the messages
 * a stream relays (so a live page needs no request per message). Seeded with the stored messages;
 * each relayed message replaces the one of its code. Pure: no I/O.
 */
export class LiveViews {
  private readonly messages = new Map<string, StoredMessage>();

  constructor(stored: readonly StoredMessage[]) {
    for (const m of stored) if (!this.messages.has(m.code)) this.messages.set(m.code, m);
  }

  /** Takes a relayed message; true when the views changed. */
  update(code: string, payload: Buffer, time: Date): boolean {
    if (!VIEW_CODES.has(code)) return false;
    this.messages.set(code, { code, payload, time, paranoid: false, ptoken: '' });
    return true;
  }

  /** The four views now; undefined for a paranoid (encrypted) vehicle, which the API cannot read either. */
  views(now: Date): LiveViewSet | undefined {
    const list = [...this.messages.values()];
    try {
      return {
        status: statusView(list, now),
        charge: chargeView(list, now),
        location: locationView(list, now),
        tpms: tpmsView(list, now),
      };
    } catch (err) {
      if (err instanceof ParanoidVehicleError) return undefined;
      throw err;
    }
  }
}
