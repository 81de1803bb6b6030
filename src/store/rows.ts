import type {
  ApiToken,
  AutoProvisionRecord,
  HistoryRecord,
  HistorySummary,
  Owner,
  PushSubscription,
  SecretBox,
  StoredMessage,
  UtilisationDay,
  Vehicle,
} from './store.js';
import { fromOptionalMs, fromSeconds } from './values.js';

/**
 * Rows of our own schema (the same tables and columns in SQLite, PostgreSQL and MariaDB) and their
 * conversion to the Store's types. Integers go through Number(): PostgreSQL sends BIGINT and SUM()
 * as text, MariaDB sends SUM() as a decimal.
 */

type Int = number | string;

export const OWNER_COLUMNS = 'id, name, mail, password_hash, admin, created_ms';

export interface OwnerRow {
  id: Int;
  name: string;
  mail: string;
  password_hash: string;
  admin: Int;
  created_ms: Int;
}

export function toOwner(row: OwnerRow): Owner {
  return {
    id: Number(row.id),
    name: row.name,
    mail: row.mail,
    passwordHash: row.password_hash,
    admin: Number(row.admin) === 1,
    createdAt: new Date(Number(row.created_ms)),
  };
}

export const SELECT_VEHICLES = `SELECT v.owner_id, o.name AS owner_name, v.vehicle_id, v.secret, v.name, v.ptoken,
  v.last_update_s, v.created_ms FROM vehicles v JOIN owners o ON o.id = v.owner_id`;

export interface VehicleRow {
  owner_id: Int;
  owner_name: string;
  vehicle_id: string;
  secret: string;
  name: string;
  ptoken: string;
  last_update_s: Int | null;
  created_ms: Int;
}

export function toVehicle(secretBox: SecretBox, row: VehicleRow): Vehicle {
  return {
    ownerId: Number(row.owner_id),
    vehicleId: row.vehicle_id,
    ownerName: row.owner_name,
    secret: secretBox.open(row.secret),
    name: row.name,
    ptoken: row.ptoken,
    lastUpdate: row.last_update_s === null ? undefined : fromSeconds(row.last_update_s),
    createdAt: new Date(Number(row.created_ms)),
  };
}

export interface MessageRow {
  code: string;
  payload: Buffer;
  time_s: Int;
  paranoid: Int;
  ptoken: string;
}

export function toMessage(row: MessageRow): StoredMessage {
  return {
    code: row.code,
    payload: row.payload,
    time: fromSeconds(row.time_s),
    paranoid: Number(row.paranoid) === 1,
    ptoken: row.ptoken,
  };
}

export interface SummaryRow {
  type: string;
  distinct_recnos: Int;
  total_records: Int;
  approx_bytes: Int;
  first_s: Int;
  last_s: Int;
}

export function toSummary(row: SummaryRow): HistorySummary {
  return {
    type: row.type,
    distinctRecnos: Number(row.distinct_recnos),
    totalRecords: Number(row.total_records),
    approxBytes: Number(row.approx_bytes),
    first: fromSeconds(row.first_s),
    last: fromSeconds(row.last_s),
  };
}

export interface HistoryRow {
  type: string;
  recno: Int;
  ts_s: Int;
  data: Buffer;
  expires_s: Int;
}

export function toHistory(row: HistoryRow): HistoryRecord {
  return {
    type: row.type,
    recno: Number(row.recno),
    timestamp: fromSeconds(row.ts_s),
    data: row.data,
    expires: fromSeconds(row.expires_s),
  };
}

export interface UtilisationRow {
  day: string;
  car_rx: Int;
  car_tx: Int;
  app_rx: Int;
  app_tx: Int;
}

export function toUtilisation(row: UtilisationRow): UtilisationDay {
  return {
    day: row.day,
    carRx: Number(row.car_rx),
    carTx: Number(row.car_tx),
    appRx: Number(row.app_rx),
    appTx: Number(row.app_tx),
  };
}

export const PUSH_COLUMNS =
  'owner_id, vehicle_id, app_id, push_type, push_key_type, push_key_value, last_updated_ms';

export interface PushRow {
  owner_id: Int;
  vehicle_id: string;
  app_id: string;
  push_type: string;
  push_key_type: string;
  push_key_value: string;
  last_updated_ms: Int;
}

export function toPushSubscription(row: PushRow): PushSubscription {
  return {
    ownerId: Number(row.owner_id),
    vehicleId: row.vehicle_id,
    appId: row.app_id,
    pushType: row.push_type,
    pushKeyType: row.push_key_type,
    pushKeyValue: row.push_key_value,
    lastUpdated: new Date(Number(row.last_updated_ms)),
  };
}

export const AUTOPROVISION_COLUMNS = 'ap_key, token, digest, record, owner_id, last_used_ms';

export interface AutoProvisionRow {
  ap_key: string;
  token: string;
  digest: string;
  record: string;
  owner_id: Int | null;
  last_used_ms: Int | null;
}

export function toAutoProvision(row: AutoProvisionRow): AutoProvisionRecord {
  return {
    apKey: row.ap_key,
    token: row.token,
    digest: row.digest,
    record: row.record,
    ownerId: row.owner_id === null ? undefined : Number(row.owner_id),
    lastUsed: fromOptionalMs(row.last_used_ms),
  };
}

export const API_TOKEN_COLUMNS =
  'owner_id, token_hash, application, purpose, permit, created_ms, last_used_ms';

export interface ApiTokenRow {
  owner_id: Int;
  token_hash: string;
  application: string;
  purpose: string;
  permit: string;
  created_ms: Int;
  last_used_ms: Int | null;
}

export function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    ownerId: Number(row.owner_id),
    tokenHash: row.token_hash,
    application: row.application,
    purpose: row.purpose,
    permit: row.permit,
    created: new Date(Number(row.created_ms)),
    lastUsed: fromOptionalMs(row.last_used_ms),
  };
}
