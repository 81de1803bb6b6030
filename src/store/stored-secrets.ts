import { isSealed } from './secret-box.js';
import type { SecretBox, StoredSecretsReport } from './store.js';

/** A vehicle's secret as the database holds it (sealed or plain). */
export interface StoredSecretRow {
  ownerId: number;
  vehicleId: string;
  stored: string;
}

/** One plain secret to replace with its sealed form, if it is still the same value. */
export interface SecretUpdate {
  ownerId: number;
  vehicleId: string;
  plain: string;
  sealed: string;
}

/**
 * Goes through the stored secrets once: plain ones are sealed (when the box has a key), sealed ones
 * must open. Pure: the back-ends read the rows and write the updates (each one guarded by the old
 * value, so a secret changed meanwhile is left as its writer stored it).
 */
export function reviewStoredSecrets(
  box: SecretBox,
  rows: StoredSecretRow[],
): { updates: SecretUpdate[]; report: StoredSecretsReport } {
  const updates: SecretUpdate[] = [];
  const report: StoredSecretsReport = { sealedNow: 0, sealedBefore: 0, unreadable: [] };
  for (const row of rows) {
    if (isSealed(row.stored)) {
      report.sealedBefore++;
      try {
        box.open(row.stored);
      } catch {
        report.unreadable.push(row.vehicleId);
      }
    } else if (box.encrypts) {
      updates.push({
        ownerId: row.ownerId,
        vehicleId: row.vehicleId,
        plain: row.stored,
        sealed: box.seal(row.stored),
      });
    }
  }
  report.sealedNow = updates.length;
  return { updates, report };
}

/** The SQL every back-end of our schema runs (the same in SQLite, PostgreSQL and MariaDB). */
export const STORED_SECRETS_SQL = {
  select: 'SELECT owner_id, vehicle_id, secret FROM vehicles',
  /** Guarded by the old value: a secret changed meanwhile is left as its writer stored it. */
  update: 'UPDATE vehicles SET secret = ? WHERE owner_id = ? AND vehicle_id = ? AND secret = ?',
  updateParams: (u: SecretUpdate): [string, number, string, string] => [
    u.sealed,
    u.ownerId,
    u.vehicleId,
    u.plain,
  ],
  toRow: (row: StoredSecretDbRow): StoredSecretRow => ({
    ownerId: Number(row.owner_id),
    vehicleId: row.vehicle_id,
    stored: row.secret,
  }),
};

export interface StoredSecretDbRow {
  owner_id: number | string;
  vehicle_id: string;
  secret: string;
}
