import { hashApiToken } from '../../auth/passwords.js';
import type { SqlContext } from '../sql/sql-context.js';
import type { ApiToken, AutoProvisionRecord, NewApiToken, PushSubscription, VehicleRef } from '../store.js';
import { StoreConflictError } from '../store.js';
import { refParams } from '../values.js';
import { ACTIVE_OWNER, perlTime } from './perl-values.js';

/**
 * Push subscriptions (`ovms_notifies`), auto-provisioning (`ovms_autoprovision`) and API tokens
 * (`ovms_apitokens`) of a Perl-server database. Tokens are stored there in plain text; the Store
 * addresses them by SHA-256, which MariaDB computes (SHA2) so the token never has to be read out.
 */

interface NotifyRow {
  owner: number;
  vehicleid: string;
  appid: string;
  pushtype: string;
  pushkeytype: string;
  pushkeyvalue: string;
  lastupdated: Date | null;
}

interface AutoProvisionRow {
  ap_key: string;
  ap_stoken: string;
  ap_sdigest: string;
  ap_msg: string;
  owner: number;
  v_lastused: Date | null;
}

interface TokenRow {
  owner: number;
  token_hash: string;
  application: string;
  purpose: string;
  permit: string;
  created: Date | null;
  lastused: Date | null;
}

function toToken(row: TokenRow): ApiToken {
  const created = perlTime(row.created) ?? new Date(0);
  const lastUsed = perlTime(row.lastused);
  return {
    ownerId: Number(row.owner),
    tokenHash: row.token_hash,
    application: row.application,
    purpose: row.purpose,
    permit: row.permit,
    created,
    // The reference sets `lastused` to the creation time and never touches it again.
    lastUsed: lastUsed && lastUsed.getTime() > created.getTime() ? lastUsed : undefined,
  };
}

function toAutoProvision(row: AutoProvisionRow): AutoProvisionRecord {
  return {
    apKey: row.ap_key,
    token: row.ap_stoken,
    digest: row.ap_sdigest,
    record: row.ap_msg,
    ownerId: Number(row.owner) === 0 ? undefined : Number(row.owner),
    lastUsed: perlTime(row.v_lastused),
  };
}

const SELECT_TOKENS = `SELECT owner, LOWER(SHA2(token, 256)) AS token_hash, application, purpose, permit, created, lastused
  FROM ovms_apitokens`;
const SELECT_AUTOPROVISION =
  'SELECT ap_key, ap_stoken, ap_sdigest, ap_msg, owner, v_lastused FROM ovms_autoprovision WHERE deleted = 0';

async function ownerExists(ctx: SqlContext, id: number): Promise<boolean> {
  const { rows } = await ctx.pool.query(`SELECT 1 FROM ovms_owners o WHERE o.owner = ? AND ${ACTIVE_OWNER}`, [
    id,
  ]);
  return rows.length > 0;
}

async function tokensWhere(ctx: SqlContext, where: string, params: (string | number)[]) {
  const { rows } = await ctx.pool.query<TokenRow>(`${SELECT_TOKENS} ${where}`, params);
  return rows.map(toToken);
}

export const perlAccounts = {
  async upsertPushSubscription(
    ctx: SqlContext,
    sub: Omit<PushSubscription, 'lastUpdated'> & { lastUpdated?: Date },
  ): Promise<void> {
    await ctx.pool.query(
      `INSERT INTO ovms_notifies (owner, vehicleid, appid, pushtype, pushkeytype, pushkeyvalue, lastupdated, active)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1)
       ON DUPLICATE KEY UPDATE pushtype = VALUES(pushtype), pushkeytype = VALUES(pushkeytype),
         pushkeyvalue = VALUES(pushkeyvalue), lastupdated = VALUES(lastupdated)`,
      [
        ...refParams(sub),
        sub.appId,
        sub.pushType,
        sub.pushKeyType,
        sub.pushKeyValue,
        sub.lastUpdated ?? new Date(),
      ],
    );
  },
  async listPushSubscriptions(ctx: SqlContext, ref: VehicleRef): Promise<PushSubscription[]> {
    const { rows } = await ctx.pool.query<NotifyRow>(
      `SELECT owner, vehicleid, appid, pushtype, pushkeytype, pushkeyvalue, lastupdated FROM ovms_notifies
       WHERE owner = ? AND vehicleid = ? AND active = 1 ORDER BY BINARY appid`,
      refParams(ref),
    );
    return rows.map((row) => ({
      ownerId: Number(row.owner),
      vehicleId: row.vehicleid,
      appId: row.appid,
      pushType: row.pushtype,
      pushKeyType: row.pushkeytype,
      pushKeyValue: row.pushkeyvalue,
      lastUpdated: perlTime(row.lastupdated) ?? new Date(0),
    }));
  },
  async deletePushSubscription(ctx: SqlContext, ref: VehicleRef, appId: string): Promise<boolean> {
    const { affected } = await ctx.pool.query(
      'DELETE FROM ovms_notifies WHERE owner = ? AND vehicleid = ? AND appid = ?',
      [...refParams(ref), appId],
    );
    return affected > 0;
  },

  async putAutoProvision(ctx: SqlContext, r: AutoProvisionRecord): Promise<void> {
    if (r.ownerId !== undefined && !(await ownerExists(ctx, r.ownerId))) {
      throw new StoreConflictError(`owner ${r.ownerId} does not exist (auto-provision key "${r.apKey}")`);
    }
    // An unset v_lastused keeps the column's default (the zero date) rather than writing NULL into it.
    const lastUsed = r.lastUsed ? ', v_lastused' : '';
    await ctx.pool.query(`DELETE FROM ovms_autoprovision WHERE ap_key = ?`, [r.apKey]);
    await ctx.pool.query(
      `INSERT INTO ovms_autoprovision (ap_key, ap_stoken, ap_sdigest, ap_msg, deleted, changed, owner${lastUsed})
       VALUES (?, ?, ?, ?, 0, UTC_TIMESTAMP(), ?${r.lastUsed ? ', ?' : ''})`,
      [r.apKey, r.token, r.digest, r.record, r.ownerId ?? 0, ...(r.lastUsed ? [r.lastUsed] : [])],
    );
  },
  getAutoProvision: async (ctx: SqlContext, apKey: string): Promise<AutoProvisionRecord | undefined> => {
    const { rows } = await ctx.pool.query<AutoProvisionRow>(`${SELECT_AUTOPROVISION} AND ap_key = ?`, [
      apKey,
    ]);
    return rows[0] && toAutoProvision(rows[0]);
  },
  async listAutoProvision(ctx: SqlContext): Promise<AutoProvisionRecord[]> {
    const { rows } = await ctx.pool.query<AutoProvisionRow>(`${SELECT_AUTOPROVISION} ORDER BY BINARY ap_key`);
    return rows.map(toAutoProvision);
  },
  async deleteAutoProvision(ctx: SqlContext, apKey: string): Promise<boolean> {
    return (await ctx.pool.query('DELETE FROM ovms_autoprovision WHERE ap_key = ?', [apKey])).affected > 0;
  },
  async markAutoProvisionUsed(ctx: SqlContext, apKey: string, when: Date): Promise<void> {
    await ctx.pool.query('UPDATE ovms_autoprovision SET v_lastused = ? WHERE ap_key = ? AND deleted = 0', [
      when,
      apKey,
    ]);
  },

  /** The reference keeps the token itself, so the caller must hand it over (NewApiToken.token). */
  async createApiToken(ctx: SqlContext, token: NewApiToken): Promise<ApiToken> {
    if (token.token === undefined || hashApiToken(token.token) !== token.tokenHash) {
      throw new Error(
        'a Perl-server database stores API tokens in plain text: createApiToken needs the token itself ' +
          '(NewApiToken.token) whose SHA-256 is tokenHash',
      );
    }
    if (!(await ownerExists(ctx, token.ownerId)))
      throw new StoreConflictError(`owner ${token.ownerId} does not exist`);
    if ((await tokensWhere(ctx, 'WHERE SHA2(token, 256) = ?', [token.tokenHash])).length > 0) {
      throw new StoreConflictError('an API token with the same hash already exists');
    }
    const created = token.created ?? new Date();
    await ctx.pool.query(
      `INSERT INTO ovms_apitokens (owner, token, application, purpose, permit, created, refreshed, lastused)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [token.ownerId, token.token, token.application, token.purpose, token.permit, created, created, created],
    );
    const [stored] = await tokensWhere(ctx, 'WHERE SHA2(token, 256) = ?', [token.tokenHash]);
    if (!stored) throw new Error('an API token vanished right after it was created');
    return stored;
  },
  listApiTokens: (ctx: SqlContext, ownerId: number): Promise<ApiToken[]> =>
    tokensWhere(ctx, 'WHERE owner = ? ORDER BY created, token_hash', [ownerId]),
  findApiToken: async (ctx: SqlContext, tokenHash: string): Promise<ApiToken | undefined> =>
    (await tokensWhere(ctx, 'WHERE SHA2(token, 256) = ?', [tokenHash.toLowerCase()]))[0],
  async touchApiToken(ctx: SqlContext, tokenHash: string, when: Date): Promise<void> {
    await ctx.pool.query('UPDATE ovms_apitokens SET lastused = ? WHERE SHA2(token, 256) = ?', [
      when,
      tokenHash,
    ]);
  },
  async deleteApiToken(ctx: SqlContext, ownerId: number, tokenHash: string): Promise<boolean> {
    const { affected } = await ctx.pool.query(
      'DELETE FROM ovms_apitokens WHERE owner = ? AND SHA2(token, 256) = ?',
      [ownerId, tokenHash],
    );
    return affected > 0;
  },
};
