import type { Logger } from 'pino';
import { isTopicSafeName, isUsableVehicleId, printable } from '../auth/account-names.js';
import type { Store } from '../store/store.js';

/** How many names one log line lists at most. */
const LISTED = 10;

/**
 * Owners and vehicles stored before the name rules (or put in by hand) whose names cannot be MQTT
 * topic segments: they keep working for logins, but MQTT refuses them. Logged once, at start.
 */
export async function warnUnsafeStoredNames(store: Store, log: Logger): Promise<void> {
  const owners = (await store.listOwners()).map((o) => o.name).filter((n) => !isTopicSafeName(n));
  if (owners.length > 0) {
    log.warn(
      { count: owners.length, owners: listed(owners) },
      'owner names holding "/", "+", "#" or control characters: their logins keep working, but MQTT ' +
        '(/mqapi) refuses them; give these owners new names',
    );
  }
  let vehicles: string[];
  try {
    vehicles = (await store.listVehicles()).map((v) => v.vehicleId).filter((id) => !isUsableVehicleId(id));
  } catch {
    return; // a secret that does not open: sealSecretsAtStart has said so already
  }
  if (vehicles.length > 0) {
    log.warn(
      { count: vehicles.length, vehicles: listed(vehicles) },
      'vehicle ids holding spaces, "/", "+", "#" or control characters: they cannot be MQTT topic ' +
        'segments; re-register these vehicles under valid ids',
    );
  }
}

function listed(names: string[]): string {
  return names.slice(0, LISTED).map(printable).join(', ') + (names.length > LISTED ? ', …' : '');
}
