import type { VehicleRight } from '../auth/permissions.js';
import type { RouteAuthConfig } from './context.js';

/** Route config of a per-vehicle route: the caller's vehicle, and the vehicle right it needs. */
export function vehicleRoute(right: VehicleRight): RouteAuthConfig {
  return { auth: true, vehicle: true, rights: [right] };
}

export const READ_VEHICLE = vehicleRoute('vehicle.read');
export const CONTROL_VEHICLE = vehicleRoute('vehicle.control');
export const SHELL_VEHICLE = vehicleRoute('vehicle.shell');
