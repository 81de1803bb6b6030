import { type ConnectionFlags, usageError } from '../app/connection.js';
import type { Phase } from './vehicle-state.js';

/** The flags of `ovms car`, and the checks both protocols share. */

export interface CarFlags extends ConnectionFlags {
  protocol: 'v2' | 'v3';
  user?: string;
  token?: string;
  prefix?: string;
  speedUp: string;
  seed: string;
  scenario: Phase;
  pin: string;
  intervalIdle: string;
  intervalConnected?: string;
  vin?: string;
  vehicleType?: string;
  jsonLog?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw usageError(`${name} must be a positive number, got "${text}"`);
  return value;
}

export function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw usageError(`--seed must be an integer, got "${text}"`);
  return seed;
}

export function identityOf(flags: CarFlags): { vin?: string; vehicleType?: string } {
  return {
    ...(flags.vin ? { vin: flags.vin } : {}),
    ...(flags.vehicleType ? { vehicleType: flags.vehicleType } : {}),
  };
}
