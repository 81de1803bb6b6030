import type { ApiToken } from '../store.js';
import { fromOptionalMs, type SqliteContext, toMs, withConflicts } from './sqlite-context.js';

interface ApiTokenRow {
  owner_id: number;
  token_hash: string;
  application: string;
  purpose: string;
  permit: string;
  created_ms: number;
  last_used_ms: number | null;
}

const COLUMNS = 'owner_id, token_hash, application, purpose, permit, created_ms, last_used_ms';

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    ownerId: row.owner_id,
    tokenHash: row.token_hash,
    application: row.application,
    purpose: row.purpose,
    permit: row.permit,
    created: new Date(row.created_ms),
    lastUsed: fromOptionalMs(row.last_used_ms),
  };
}

export function createApiToken(
  ctx: SqliteContext,
  token: Omit<ApiToken, 'created' | 'lastUsed'> & { created?: Date },
): ApiToken {
  const created = token.created ? toMs(token.created, 'created') : Date.now();
  const row = withConflicts(
    () =>
      ctx
        .statement(
          `INSERT INTO api_tokens (owner_id, token_hash, application, purpose, permit, created_ms)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        )
        .get(
          token.ownerId,
          token.tokenHash,
          token.application,
          token.purpose,
          token.permit,
          created,
        ) as ApiTokenRow,
    {
      unique: 'an API token with the same hash already exists',
      'foreign-key': `owner ${token.ownerId} does not exist`,
    },
  );
  return toApiToken(row);
}

export function listApiTokens(ctx: SqliteContext, ownerId: number): ApiToken[] {
  const rows = ctx
    .statement(`SELECT ${COLUMNS} FROM api_tokens WHERE owner_id = ? ORDER BY created_ms, token_hash`)
    .all(ownerId) as ApiTokenRow[];
  return rows.map(toApiToken);
}

export function findApiToken(ctx: SqliteContext, tokenHash: string): ApiToken | undefined {
  const row = ctx.statement(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`).get(tokenHash) as
    | ApiTokenRow
    | undefined;
  return row && toApiToken(row);
}

export function touchApiToken(ctx: SqliteContext, tokenHash: string, when: Date): void {
  ctx.statement('UPDATE api_tokens SET last_used_ms = ? WHERE token_hash = ?').run(toMs(when), tokenHash);
}

/** Only the owner's own token: the owner id is part of the key so one owner cannot drop another's. */
export function deleteApiToken(ctx: SqliteContext, ownerId: number, tokenHash: string): boolean {
  return (
    ctx.statement('DELETE FROM api_tokens WHERE owner_id = ? AND token_hash = ?').run(ownerId, tokenHash)
      .changes > 0
  );
}
