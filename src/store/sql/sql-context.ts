import type { SecretBox } from '../store.js';
import type { SqlPool } from './sql-pool.js';

/** The handle the direct operations of a network-database back-end get. */
export interface SqlContext {
  readonly pool: SqlPool;
  readonly secretBox: SecretBox;
}

/** Stands for "no lower bound" on a time, so one query text serves both cases. */
export const NO_SINCE_S = Number.MIN_SAFE_INTEGER;
