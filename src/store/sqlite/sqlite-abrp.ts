import {
  type AbrpRow,
  abrpConflicts,
  abrpSql,
  abrpStatusParams,
  abrpUpsertParams,
  freshAbrpLink,
  toAbrpLink,
} from '../abrp-links.js';
import { postgresDialect } from '../sql/sql-pool.js';
import type { AbrpLink, AbrpStatus, VehicleRef } from '../store.js';
import { refParams } from '../values.js';
import { type SqliteContext, withConflicts } from './sqlite-context.js';

// SQLite spells the upsert as PostgreSQL does (ON CONFLICT ... DO UPDATE, excluded.col).
const SQL = abrpSql(postgresDialect.upsert);

export function setAbrpToken(ctx: SqliteContext, ref: VehicleRef, token: string): AbrpLink {
  const now = Date.now();
  withConflicts(
    () => ctx.statement(SQL.upsert).run(...abrpUpsertParams(ctx.secretBox, ref, token, now)),
    abrpConflicts(ref),
  );
  return freshAbrpLink(ref, token, now);
}

export function getAbrpLink(ctx: SqliteContext, ref: VehicleRef): AbrpLink | undefined {
  const row = ctx.statement(SQL.select).get(...refParams(ref)) as AbrpRow | undefined;
  return row && toAbrpLink(ctx.secretBox, row);
}

export function listAbrpLinks(ctx: SqliteContext): AbrpLink[] {
  return (ctx.statement(SQL.list).all() as AbrpRow[]).map((row) => toAbrpLink(ctx.secretBox, row));
}

export function deleteAbrpLink(ctx: SqliteContext, ref: VehicleRef): boolean {
  return ctx.statement(SQL.delete).run(...refParams(ref)).changes > 0;
}

export function setAbrpStatus(
  ctx: SqliteContext,
  ref: VehicleRef,
  tokenUpdatedAt: Date,
  status: AbrpStatus,
): boolean {
  return ctx.statement(SQL.status).run(...abrpStatusParams(ref, tokenUpdatedAt, status)).changes > 0;
}
