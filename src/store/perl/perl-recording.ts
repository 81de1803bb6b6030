import { StoreUnsupportedError } from '../store.js';

/**
 * Perl mode records no trips, charges or series: the Perl server's schema is never altered, and it
 * has no place for them. Reads find nothing; writes are refused clearly (the server does not start
 * the recorder in Perl mode, so only a direct call meets the refusal).
 */
const REFUSAL =
  'Trips, charges and the long-term series are not available in Perl mode (the Perl server database ' +
  "is used as it is); move to ovms-server's own schema (ovms-server import) to record them";

function refuse(): never {
  throw new StoreUnsupportedError(REFUSAL);
}

export const perlRecording = {
  saveRecording: (): void => refuse(),
  getRecordingVehicle: () => undefined,
  setRecordingSettings: (): void => refuse(),
  markBackfilled: (): void => refuse(),
  // Perl mode has no recording: nothing to back-fill, nothing to mark.
  markBackfilledWithoutHistory: (): void => {},
  vehiclesNotBackfilled: () => [],
  listSamples: () => [],
  sampleBuckets: () => [],
  listPeriods: () => [],
  getPeriod: () => undefined,
  listPlaces: () => [],
  putPlace: () => refuse(),
  deletePlace: () => false,
  purgeRecording: () => 0,
};
