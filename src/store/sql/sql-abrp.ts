import {
  type AbrpRow,
  abrpConflicts,
  abrpSql,
  abrpStatusParams,
  abrpUpsertParams,
  freshAbrpLink,
  toAbrpLink,
} from '../abrp-links.js';
import type { AbrpLink, AbrpStatus, VehicleRef } from '../store.js';
import { refParams } from '../values.js';
import type { SqlContext } from './sql-context.js';
import { type SqlDialect, withSqlConflicts } from './sql-pool.js';

/** ABRP links in our own schema (PostgreSQL and MariaDB share the SQL). */
export function sqlAbrpLinks(dialect: SqlDialect) {
  const SQL = abrpSql(dialect.upsert);
  return {
    async setAbrpToken(ctx: SqlContext, ref: VehicleRef, token: string): Promise<AbrpLink> {
      const now = Date.now();
      await withSqlConflicts(
        dialect,
        () => ctx.pool.query(SQL.upsert, abrpUpsertParams(ctx.secretBox, ref, token, now)),
        abrpConflicts(ref),
      );
      return freshAbrpLink(ref, token, now);
    },
    async getAbrpLink(ctx: SqlContext, ref: VehicleRef): Promise<AbrpLink | undefined> {
      const { rows } = await ctx.pool.query<AbrpRow>(SQL.select, refParams(ref));
      return rows[0] && toAbrpLink(ctx.secretBox, rows[0]);
    },
    async listAbrpLinks(ctx: SqlContext): Promise<AbrpLink[]> {
      const { rows } = await ctx.pool.query<AbrpRow>(SQL.list);
      return rows.map((row) => toAbrpLink(ctx.secretBox, row));
    },
    async deleteAbrpLink(ctx: SqlContext, ref: VehicleRef): Promise<boolean> {
      return (await ctx.pool.query(SQL.delete, refParams(ref))).affected > 0;
    },
    async setAbrpStatus(
      ctx: SqlContext,
      ref: VehicleRef,
      tokenUpdatedAt: Date,
      status: AbrpStatus,
    ): Promise<boolean> {
      return (await ctx.pool.query(SQL.status, abrpStatusParams(ref, tokenUpdatedAt, status))).affected > 0;
    },
  };
}
