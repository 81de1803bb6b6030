import {
  API_TOKEN_COLUMNS,
  type ApiTokenRow,
  AUTOPROVISION_COLUMNS,
  type AutoProvisionRow,
  PUSH_COLUMNS,
  type PushRow,
  toApiToken,
  toAutoProvision,
  toPushSubscription,
} from '../rows.js';
import type { ApiToken, AutoProvisionRecord, NewApiToken, PushSubscription, VehicleRef } from '../store.js';
import { refParams, toMs } from '../values.js';
import type { SqlContext } from './sql-context.js';
import { type SqlDialect, withSqlConflicts } from './sql-pool.js';

type NewPushSubscription = Omit<PushSubscription, 'lastUpdated'> & { lastUpdated?: Date };

/** Push subscriptions, auto-provisioning records and API tokens in our own schema. */
export function accounts(dialect: SqlDialect) {
  const upsertPush = `INSERT INTO push_subscriptions (${PUSH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
    ${dialect.upsert(
      'owner_id, vehicle_id, app_id',
      `push_type = excluded.push_type, push_key_type = excluded.push_key_type,
       push_key_value = excluded.push_key_value, last_updated_ms = excluded.last_updated_ms`,
    )}`;
  const upsertAutoProvision = `INSERT INTO autoprovision (${AUTOPROVISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
    ${dialect.upsert(
      'ap_key',
      `token = excluded.token, digest = excluded.digest, record = excluded.record,
       owner_id = excluded.owner_id, last_used_ms = excluded.last_used_ms`,
    )}`;

  async function tokenWhere(ctx: SqlContext, where: string, params: (string | number)[]) {
    const { rows } = await ctx.pool.query<ApiTokenRow>(
      `SELECT ${API_TOKEN_COLUMNS} FROM api_tokens ${where}`,
      params,
    );
    return rows.map(toApiToken);
  }

  async function autoProvisionWhere(ctx: SqlContext, where: string, params: string[]) {
    const { rows } = await ctx.pool.query<AutoProvisionRow>(
      `SELECT ${AUTOPROVISION_COLUMNS} FROM autoprovision ${where}`,
      params,
    );
    return rows.map(toAutoProvision);
  }

  return {
    /** An app re-registers on every connect (`p`); the row for its appId is updated in place. */
    async upsertPushSubscription(ctx: SqlContext, sub: NewPushSubscription): Promise<void> {
      const lastUpdated = sub.lastUpdated ? toMs(sub.lastUpdated, 'lastUpdated') : Date.now();
      await ctx.pool.query(upsertPush, [
        ...refParams(sub),
        sub.appId,
        sub.pushType,
        sub.pushKeyType,
        sub.pushKeyValue,
        lastUpdated,
      ]);
    },
    async listPushSubscriptions(ctx: SqlContext, ref: VehicleRef): Promise<PushSubscription[]> {
      const { rows } = await ctx.pool.query<PushRow>(
        `SELECT ${PUSH_COLUMNS} FROM push_subscriptions WHERE owner_id = ? AND vehicle_id = ? ORDER BY app_id`,
        refParams(ref),
      );
      return rows.map(toPushSubscription);
    },
    async deletePushSubscription(ctx: SqlContext, ref: VehicleRef, appId: string): Promise<boolean> {
      const result = await ctx.pool.query(
        'DELETE FROM push_subscriptions WHERE owner_id = ? AND vehicle_id = ? AND app_id = ?',
        [...refParams(ref), appId],
      );
      return result.affected > 0;
    },

    /** Creates or replaces the record for its apKey. */
    async putAutoProvision(ctx: SqlContext, r: AutoProvisionRecord): Promise<void> {
      const lastUsed = r.lastUsed ? toMs(r.lastUsed, 'lastUsed') : null;
      await withSqlConflicts(
        dialect,
        () =>
          ctx.pool.query(upsertAutoProvision, [
            r.apKey,
            r.token,
            r.digest,
            r.record,
            r.ownerId ?? null,
            lastUsed,
          ]),
        { 'foreign-key': `owner ${r.ownerId} does not exist (auto-provision key "${r.apKey}")` },
      );
    },
    getAutoProvision: async (ctx: SqlContext, apKey: string): Promise<AutoProvisionRecord | undefined> =>
      (await autoProvisionWhere(ctx, 'WHERE ap_key = ?', [apKey]))[0],
    listAutoProvision: (ctx: SqlContext): Promise<AutoProvisionRecord[]> =>
      autoProvisionWhere(ctx, 'ORDER BY ap_key', []),
    async deleteAutoProvision(ctx: SqlContext, apKey: string): Promise<boolean> {
      return (await ctx.pool.query('DELETE FROM autoprovision WHERE ap_key = ?', [apKey])).affected > 0;
    },
    async markAutoProvisionUsed(ctx: SqlContext, apKey: string, when: Date): Promise<void> {
      await ctx.pool.query('UPDATE autoprovision SET last_used_ms = ? WHERE ap_key = ?', [toMs(when), apKey]);
    },

    /** Only the hash is kept; `token.token` (the plain text) is ignored on purpose. */
    async createApiToken(ctx: SqlContext, token: NewApiToken): Promise<ApiToken> {
      const created = token.created ? toMs(token.created, 'created') : Date.now();
      await withSqlConflicts(
        dialect,
        () =>
          ctx.pool.query(
            `INSERT INTO api_tokens (owner_id, token_hash, application, purpose, permit, created_ms)
             VALUES (?, ?, ?, ?, ?, ?)`,
            [token.ownerId, token.tokenHash, token.application, token.purpose, token.permit, created],
          ),
        {
          unique: 'an API token with the same hash already exists',
          'foreign-key': `owner ${token.ownerId} does not exist`,
        },
      );
      const [stored] = await tokenWhere(ctx, 'WHERE token_hash = ?', [token.tokenHash]);
      if (!stored) throw new Error('an API token vanished right after it was created');
      return stored;
    },
    listApiTokens: (ctx: SqlContext, ownerId: number): Promise<ApiToken[]> =>
      tokenWhere(ctx, 'WHERE owner_id = ? ORDER BY created_ms, token_hash', [ownerId]),
    findApiToken: async (ctx: SqlContext, tokenHash: string): Promise<ApiToken | undefined> =>
      (await tokenWhere(ctx, 'WHERE token_hash = ?', [tokenHash]))[0],
    async touchApiToken(ctx: SqlContext, tokenHash: string, when: Date): Promise<void> {
      await ctx.pool.query('UPDATE api_tokens SET last_used_ms = ? WHERE token_hash = ?', [
        toMs(when),
        tokenHash,
      ]);
    },
    /** Only the owner's own token: the owner id is part of the key so one owner cannot drop another's. */
    async deleteApiToken(ctx: SqlContext, ownerId: number, tokenHash: string): Promise<boolean> {
      const result = await ctx.pool.query('DELETE FROM api_tokens WHERE owner_id = ? AND token_hash = ?', [
        ownerId,
        tokenHash,
      ]);
      return result.affected > 0;
    },
  };
}
