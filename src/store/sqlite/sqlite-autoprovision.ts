import { AUTOPROVISION_COLUMNS, type AutoProvisionRow, toAutoProvision } from '../rows.js';
import type { AutoProvisionRecord } from '../store.js';
import { toMs } from '../values.js';
import { type SqliteContext, withConflicts } from './sqlite-context.js';

/** Creates or replaces the record for its apKey. */
export function putAutoProvision(ctx: SqliteContext, r: AutoProvisionRecord): void {
  const lastUsed = r.lastUsed ? toMs(r.lastUsed, 'lastUsed') : null;
  withConflicts(
    () =>
      ctx
        .statement(
          `INSERT INTO autoprovision (${AUTOPROVISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (ap_key) DO UPDATE SET token = excluded.token, digest = excluded.digest,
             record = excluded.record, owner_id = excluded.owner_id, last_used_ms = excluded.last_used_ms`,
        )
        .run(r.apKey, r.token, r.digest, r.record, r.ownerId ?? null, lastUsed),
    { 'foreign-key': `owner ${r.ownerId} does not exist (auto-provision key "${r.apKey}")` },
  );
}

export function getAutoProvision(ctx: SqliteContext, apKey: string): AutoProvisionRecord | undefined {
  const row = ctx
    .statement(`SELECT ${AUTOPROVISION_COLUMNS} FROM autoprovision WHERE ap_key = ?`)
    .get(apKey) as AutoProvisionRow | undefined;
  return row && toAutoProvision(row);
}

export function listAutoProvision(ctx: SqliteContext): AutoProvisionRecord[] {
  const rows = ctx
    .statement(`SELECT ${AUTOPROVISION_COLUMNS} FROM autoprovision ORDER BY ap_key`)
    .all() as AutoProvisionRow[];
  return rows.map(toAutoProvision);
}

export function deleteAutoProvision(ctx: SqliteContext, apKey: string): boolean {
  return ctx.statement('DELETE FROM autoprovision WHERE ap_key = ?').run(apKey).changes > 0;
}

export function markAutoProvisionUsed(ctx: SqliteContext, apKey: string, when: Date): void {
  ctx.statement('UPDATE autoprovision SET last_used_ms = ? WHERE ap_key = ?').run(toMs(when), apKey);
}
