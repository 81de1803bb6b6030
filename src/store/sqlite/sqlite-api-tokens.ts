import { API_TOKEN_COLUMNS, type ApiTokenRow, toApiToken } from '../rows.js';
import type { ApiToken, NewApiToken } from '../store.js';
import { toMs } from '../values.js';
import { type SqliteContext, withConflicts } from './sqlite-context.js';

export function createApiToken(ctx: SqliteContext, token: NewApiToken): ApiToken {
  const created = token.created ? toMs(token.created, 'created') : Date.now();
  const row = withConflicts(
    () =>
      ctx
        .statement(
          `INSERT INTO api_tokens (owner_id, token_hash, application, purpose, permit, created_ms)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING ${API_TOKEN_COLUMNS}`,
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
    .statement(
      `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens WHERE owner_id = ? ORDER BY created_ms, token_hash`,
    )
    .all(ownerId) as ApiTokenRow[];
  return rows.map(toApiToken);
}

export function findApiToken(ctx: SqliteContext, tokenHash: string): ApiToken | undefined {
  const row = ctx
    .statement(`SELECT ${API_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?`)
    .get(tokenHash) as ApiTokenRow | undefined;
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
