import type { VehicleRight } from './permissions.js';

/**
 * The right a v2 command needs, the same over HTTP (`POST /api/command`, the control routes) and
 * from a scheme-1 app:
 * - `vehicle.read`: 1 (feature list) and 30–32 (data usage and history, answered by the server);
 * - `vehicle.control`: the car's everyday controls: 5 reboot, 6 charge alert, 10–12 and 15–17
 *   charging, 18–19 wake-up, 20–23 lock and valet, 24 homelink, 25 cooldown, 26 climate;
 * - `vehicle.shell`: everything else: 7 (module shell), 2 and 3–4 (module features and parameters,
 *   which hold its passwords and server address), 40, 41 and 49 (SMS, USSD, modem), and any code
 *   the catalogue does not know (vehicle-specific commands do whatever their firmware says).
 */
const READ = new Set([1, 30, 31, 32]);
const CONTROL = new Set([5, 6, 10, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26]);

export function commandRight(code: number): VehicleRight {
  if (READ.has(code)) return 'vehicle.read';
  if (CONTROL.has(code)) return 'vehicle.control';
  return 'vehicle.shell';
}
