import type { AutoProvisionRecord } from '../store.js';
import { fromOptionalMs, type SqliteContext, toMs, withConflicts } from './sqlite-context.js';

interface AutoProvisionRow {
  ap_key: string;
  token: string;
  digest: string;
  record: string;
  owner_id: number | null;
  last_used_ms: number | null;
}

const COLUMNS = 'ap_key, token, digest, record, owner_id, last_used_ms';

function toRecord(row: AutoProvisionRow): AutoProvisionRecord {
  return {
    apKey: row.ap_key,
    token: row.token,
    digest: row.digest,
    record: row.record,
    ownerId: row.owner_id ?? undefined,
    lastUsed: fromOptionalMs(row.last_used_ms),
  };
}

/** Creates or replaces the record for its apKey. */
export function putAutoProvision(ctx: SqliteContext, r: AutoProvisionRecord): void {
  const lastUsed = r.lastUsed ? toMs(r.lastUsed, 'lastUsed') : null;
  withConflicts(
    () =>
      ctx
        .statement(
          `INSERT INTO autoprovision (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (ap_key) DO UPDATE SET token = excluded.token, digest = excluded.digest,
             record = excluded.record, owner_id = excluded.owner_id, last_used_ms = excluded.last_used_ms`,
        )
        .run(r.apKey, r.token, r.digest, r.record, r.ownerId ?? null, lastUsed),
    { 'foreign-key': `owner ${r.ownerId} does not exist (auto-provision key "${r.apKey}")` },
  );
}

export function getAutoProvision(ctx: SqliteContext, apKey: string): AutoProvisionRecord | undefined {
  const row = ctx.statement(`SELECT ${COLUMNS} FROM autoprovision WHERE ap_key = ?`).get(apKey) as
    | AutoProvisionRow
    | undefined;
  return row && toRecord(row);
}

export function listAutoProvision(ctx: SqliteContext): AutoProvisionRecord[] {
  const rows = ctx
    .statement(`SELECT ${COLUMNS} FROM autoprovision ORDER BY ap_key`)
    .all() as AutoProvisionRow[];
  return rows.map(toRecord);
}

export function deleteAutoProvision(ctx: SqliteContext, apKey: string): boolean {
  return ctx.statement('DELETE FROM autoprovision WHERE ap_key = ?').run(apKey).changes > 0;
}

export function markAutoProvisionUsed(ctx: SqliteContext, apKey: string, when: Date): void {
  ctx.statement('UPDATE autoprovision SET last_used_ms = ? WHERE ap_key = ?').run(toMs(when), apKey);
}
