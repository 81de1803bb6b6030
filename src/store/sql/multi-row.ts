import type { PreparedHistory } from '../prepared-writes.js';

/**
 * Splitting a run of upserts into multi-row INSERTs. One statement may not name the same key twice
 * (PostgreSQL refuses "ON CONFLICT DO UPDATE command cannot affect row a second time"), so only the
 * last write of each key is kept, which is what running them one by one would leave behind. Chunks
 * keep each statement well under PostgreSQL's 65,535 parameters.
 */
export function uniqueRowChunks<T>(rows: T[], keyOf: (row: T) => string, chunkSize = 1000): T[][] {
  const last = new Map<string, T>();
  for (const row of rows) {
    const key = keyOf(row);
    last.delete(key); // re-inserting moves the key to the end: the survivors keep their write order
    last.set(key, row);
  }
  const unique = [...last.values()];
  const chunks: T[][] = [];
  for (let i = 0; i < unique.length; i += chunkSize) chunks.push(unique.slice(i, i + chunkSize));
  return chunks;
}

/** The history upsert key: vehicle, type, record number and second. */
export function historyKey(h: PreparedHistory): string {
  return JSON.stringify([h.ownerId, h.vehicleId, h.type, h.recno, h.timestampS]);
}
