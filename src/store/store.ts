/**
 * The storage seam. Every back-end (SQLite now; PostgreSQL, MariaDB/MySQL and the Perl-server schema
 * later) implements this interface and passes the one conformance suite in test/store/.
 *
 * Conventions:
 * - Vehicles are addressed by `VehicleRef` (owner id + vehicle id): the reference schema keys them
 *   per owner. Our own schemas also keep vehicle ids unique across owners, because a car's welcome
 *   line carries only the vehicle id (`findVehicle`).
 * - Payloads and record data are bytes (`Buffer`): cars send UTF-8 but nothing guarantees it, and
 *   replay must be byte-exact (WIRE.md §1).
 * - Times are `Date`s (UTC); the store keeps one-second resolution where the reference does.
 * - Car secrets go in and come out in plain text; a back-end protects them at rest with the
 *   `SecretBox` it was built with. Owner passwords and API tokens come in already hashed.
 * - High-rate writes (messages, history, utilisation) may be batched in transactions ("group
 *   commit"); their promises resolve only once the write is committed, and reads see every write
 *   whose promise has been created (read-your-writes).
 */

import type { Place } from '../recording/geo.js';
import type { Period, PeriodKind, Sample } from '../recording/vehicle-recorder.js';
import type { WriteBatcherStats, WriteObserver } from './batch-queue.js';

export interface VehicleRef {
  ownerId: number;
  vehicleId: string;
}

export interface Owner {
  id: number;
  name: string;
  mail: string;
  /** Password hash (see src/auth/passwords.ts for the formats understood). */
  passwordHash: string;
  admin: boolean;
  createdAt: Date;
}

export interface NewOwner {
  name: string;
  passwordHash: string;
  mail?: string;
  admin?: boolean;
}

export interface Vehicle extends VehicleRef {
  ownerName: string;
  /** The shared secret ("server password") in plain text. */
  secret: string;
  name: string;
  /** Current paranoid-mode token, '' when none. */
  ptoken: string;
  /** Time of the last stored car message, if any. */
  lastUpdate: Date | undefined;
  createdAt: Date;
}

export interface NewVehicle {
  ownerId: number;
  vehicleId: string;
  secret: string;
  name?: string;
}

export interface StoredMessage {
  code: string;
  payload: Buffer;
  time: Date;
  paranoid: boolean;
  /** Paranoid token in force when the message was stored ('' for plain messages). */
  ptoken: string;
}

export interface HistoryRecord {
  type: string;
  recno: number;
  timestamp: Date;
  data: Buffer;
  expires: Date;
}

/** A place in one type's records, in their order (timestamp, then recno): the last record a page returned. */
export interface HistoryPosition {
  timestamp: Date;
  recno: number;
}

/** Which page of a type's records to read (keyset paging, so every page costs the same). */
export interface HistoryPageQuery {
  /** Only records with timestamp > since. */
  since?: Date;
  /** Only records after this position (the last record of the previous page). */
  after?: HistoryPosition;
  /** At most this many records. */
  limit: number;
}

/** What a vehicle holds in history, for the per-vehicle quota. */
export interface HistoryUsage {
  rows: number;
  /** Bytes of record data. */
  bytes: number;
}

export interface HistorySummary {
  type: string;
  distinctRecnos: number;
  totalRecords: number;
  /** Approximate bytes, computed as the reference does: len(type)+len(data)+len(vehicleid)+20 per row. */
  approxBytes: number;
  first: Date;
  last: Date;
}

export interface UtilisationCounts {
  /** Bytes the car received (server to car). */
  carRx: number;
  /** Bytes the car sent. */
  carTx: number;
  /** Bytes apps received. */
  appRx: number;
  /** Bytes apps sent. */
  appTx: number;
}

export interface UtilisationDay extends UtilisationCounts {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
}

export interface PushSubscription extends VehicleRef {
  appId: string;
  pushType: string;
  pushKeyType: string;
  pushKeyValue: string;
  lastUpdated: Date;
}

/**
 * One item of the durable push queue: an opaque payload (the push dispatcher's JSON) with its retry
 * state. `attempts` counts the claims so far, including the one that returned it.
 */
export interface PushQueueItem {
  id: number;
  payload: string;
  attempts: number;
  dueAt: Date;
  createdAt: Date;
}

export interface AutoProvisionRecord {
  apKey: string;
  token: string;
  digest: string;
  /** The encrypted record (base64) sent to the module. */
  record: string;
  ownerId: number | undefined;
  lastUsed: Date | undefined;
}

export interface ApiToken {
  ownerId: number;
  /** SHA-256 hex of the token; the token itself is never stored. */
  tokenHash: string;
  application: string;
  purpose: string;
  permit: string;
  created: Date;
  lastUsed: Date | undefined;
}

/** A token to store: the Store's methods take its hash; `token` itself only matters to one schema. */
export type NewApiToken = Omit<ApiToken, 'created' | 'lastUsed'> & {
  created?: Date;
  /**
   * The token in plain text. Our own schemas ignore it and keep only `tokenHash`; the Perl-server
   * schema (Perl mode) stores tokens in plain text, as the reference does, and needs it.
   */
  token?: string;
};

/**
 * A vehicle's link to A Better Route Planner (src/integrations/abrp): the owner's ABRP user token and
 * what ABRP last answered.
 */
export interface AbrpLink extends VehicleRef {
  /** The owner's ABRP user token in plain text (the store seals it at rest like car secrets). */
  token: string;
  /** What went wrong last ('' when the last send succeeded, or nothing was sent yet). */
  error: string;
  /** ABRP refused the token: nothing is sent for the vehicle until a new token is stored. */
  refused: boolean;
  /** When `error` was recorded. */
  errorAt: Date | undefined;
  /** When the token was stored; a status update names it, so it never lands on a newer token. */
  updatedAt: Date;
}

/** What the sender records after a send. */
export interface AbrpStatus {
  error: string;
  refused: boolean;
  at: Date;
}

/** What the recorder (src/recording) writes in one transaction: samples, finished periods, states. */
export interface RecordingBatch {
  samples: { ref: VehicleRef; sample: Sample }[];
  /** Upserted by (vehicle, kind, start second). */
  periods: { ref: VehicleRef; period: Period }[];
  /** The recorder's JSON state per vehicle (to resume after a restart). */
  states: { ref: VehicleRef; state: string; at: number }[];
}

/** A vehicle's recording state and settings. */
export interface RecordingVehicle {
  state: string;
  /** Usable battery capacity (kWh) for SOC-based energy; the car's own figure when unset. */
  capacityKwh?: number;
  /** Default price per kWh charged, where no place has its own. */
  pricePerKwh?: number;
  /** When stored history was replayed into the recording (once, on upgrade). */
  backfilledAt?: Date;
}

export interface RecordingVehicleSettings {
  capacityKwh: number | null;
  pricePerKwh: number | null;
}

/** Samples with from <= time < to, oldest first. */
export interface SampleQuery {
  from: Date;
  to: Date;
  limit: number;
}

/** Periods starting in [from, to), newest first. */
export interface PeriodQuery {
  from?: Date;
  to?: Date;
  limit: number;
}

export type NewPlace = Omit<Place, 'id'>;

export interface MigrationStatus {
  current: number;
  latest: number;
  applied: { version: number; name: string; appliedAt: Date }[];
}

/** How big the database is, for the metrics; a figure the back-end cannot give cheaply is left out. */
export interface StoreUsage {
  /** The database's size on disk, in bytes. */
  bytes?: number;
  /** History rows, the database's own estimate (PostgreSQL, MariaDB): never a full count. */
  historyRows?: number;
}

export interface Store {
  /** 'sqlite', 'postgres', 'mysql', 'perl-mysql', ... (shown in logs). */
  readonly kind: string;
  /** Group commit's counts since the store opened (stores that batch writes). */
  readonly writeStats?: Readonly<WriteBatcherStats>;
  /** Tells `observer` of every batch committed from now on; returns what stops it. */
  observeWrites?(observer: WriteObserver): () => void;
  /** The database's size, from cheap catalogue queries only (scraped by the metrics). */
  usage?(): Promise<StoreUsage>;

  migrate(): Promise<MigrationStatus>;
  migrationStatus(): Promise<MigrationStatus>;
  /** Commits every pending batched write. */
  flush(): Promise<void>;
  /** Flushes and releases the database. */
  close(): Promise<void>;

  // Owners
  createOwner(owner: NewOwner): Promise<Owner>;
  getOwner(id: number): Promise<Owner | undefined>;
  getOwnerByName(name: string): Promise<Owner | undefined>;
  listOwners(): Promise<Owner[]>;
  setOwnerPassword(id: number, passwordHash: string): Promise<void>;
  /** Removes the owner and everything that belongs to it. */
  deleteOwner(id: number): Promise<boolean>;

  // Vehicles
  createVehicle(vehicle: NewVehicle): Promise<Vehicle>;
  /** Creates many vehicles in one transaction: all or none. */
  createVehicles(vehicles: NewVehicle[]): Promise<number>;
  /** Lookup by id alone, as a car's login needs (ids are compared upper-case). */
  findVehicle(vehicleId: string): Promise<Vehicle | undefined>;
  getVehicle(ref: VehicleRef): Promise<Vehicle | undefined>;
  /** All vehicles, or one owner's, ordered by vehicle id. */
  listVehicles(ownerId?: number): Promise<Vehicle[]>;
  setVehicleSecret(ref: VehicleRef, secret: string): Promise<void>;
  /** Removes the vehicle and its messages, history and subscriptions. */
  deleteVehicle(ref: VehicleRef): Promise<boolean>;
  /**
   * Seals every car secret still stored in plain text (when the store has a key) and checks that the
   * sealed ones open. A store that keeps plain secrets by design (Perl mode) reports nothing.
   */
  sealStoredSecrets(): Promise<StoredSecretsReport>;
  /**
   * Records the paranoid token; stored paranoid messages with another token become invalid and
   * are no longer returned by getMessages.
   */
  setParanoidToken(ref: VehicleRef, ptoken: string): Promise<void>;

  // Latest message per code
  /** Upserts the latest message of its code and sets the vehicle's lastUpdate to msg.time. */
  saveMessage(ref: VehicleRef, msg: StoredMessage): Promise<void>;
  /** Valid stored messages in replay order: F, S, then the other codes sorted (case-sensitive). */
  getMessages(ref: VehicleRef): Promise<StoredMessage[]>;

  // History
  /** Upserts by (vehicle, type, recno, timestamp to the second); resolves once committed. */
  addHistory(ref: VehicleRef, record: HistoryRecord): Promise<void>;
  /** One row per type, sorted by type; only records with timestamp > since when given. */
  historySummary(ref: VehicleRef, since?: Date): Promise<HistorySummary[]>;
  /** Records of one type with timestamp > since, ordered by timestamp then recno. */
  historyRecords(ref: VehicleRef, type: string, since?: Date, limit?: number): Promise<HistoryRecord[]>;
  /**
   * One page of the records `historyRecords` returns: those after `query.after` in the same order.
   * Readers of a long history (command 32, /api/historical) go page by page, never holding it whole.
   */
  historyPage(ref: VehicleRef, type: string, query: HistoryPageQuery): Promise<HistoryRecord[]>;
  /** How many records of one type have timestamp > since. */
  countHistory(ref: VehicleRef, type: string, since?: Date): Promise<number>;
  /** Rows and data bytes of all the vehicle's history (every type). */
  historyUsage(ref: VehicleRef): Promise<HistoryUsage>;
  /** Deletes at most `limit` records that expired before `now`; returns how many. */
  purgeHistory(now: Date, limit: number): Promise<number>;

  // Utilisation (bytes per day, for command 30)
  addUtilisation(ref: VehicleRef, day: string, counts: UtilisationCounts): Promise<void>;
  /** Newest day first, at most `days` days. */
  getUtilisation(ref: VehicleRef, days: number): Promise<UtilisationDay[]>;
  /** Deletes days before `day` ('YYYY-MM-DD'); returns how many rows. */
  purgeUtilisation(beforeDay: string): Promise<number>;

  // Push subscriptions, keyed by (owner, vehicle, appId)
  upsertPushSubscription(sub: Omit<PushSubscription, 'lastUpdated'> & { lastUpdated?: Date }): Promise<void>;
  listPushSubscriptions(ref: VehicleRef): Promise<PushSubscription[]>;
  deletePushSubscription(ref: VehicleRef, appId: string): Promise<boolean>;

  // The durable push queue (src/push/): alerts accepted before a restart are delivered after it
  /** Adds items, due at `dueAt` (default now). */
  enqueuePush(payloads: string[], dueAt?: Date): Promise<void>;
  /**
   * Claims at most `limit` items due at `now` (oldest due first): each one's attempts go up by one
   * and it is not due again before `leaseUntil`, so a dispatcher that dies mid-send retries it later
   * and two dispatchers never claim the same item at once.
   */
  claimPush(now: Date, limit: number, leaseUntil: Date): Promise<PushQueueItem[]>;
  /** Removes a delivered (or abandoned) item. */
  finishPush(id: number): Promise<boolean>;
  /** Makes a claimed item due again at `dueAt`. */
  retryPush(id: number, dueAt: Date): Promise<boolean>;
  /** How many items are queued (due or not). */
  countPush(): Promise<number>;

  // Auto-provisioning
  putAutoProvision(record: AutoProvisionRecord): Promise<void>;
  getAutoProvision(apKey: string): Promise<AutoProvisionRecord | undefined>;
  listAutoProvision(): Promise<AutoProvisionRecord[]>;
  deleteAutoProvision(apKey: string): Promise<boolean>;
  markAutoProvisionUsed(apKey: string, when: Date): Promise<void>;

  // API tokens
  createApiToken(token: NewApiToken): Promise<ApiToken>;
  listApiTokens(ownerId: number): Promise<ApiToken[]>;
  findApiToken(tokenHash: string): Promise<ApiToken | undefined>;
  touchApiToken(tokenHash: string, when: Date): Promise<void>;
  deleteApiToken(ownerId: number, tokenHash: string): Promise<boolean>;

  // ABRP links (one per vehicle; not available in Perl mode, whose schema is never altered)
  /** Stores (or replaces) the vehicle's ABRP token; clears the error. Returns the stored link. */
  setAbrpToken(ref: VehicleRef, token: string): Promise<AbrpLink>;
  getAbrpLink(ref: VehicleRef): Promise<AbrpLink | undefined>;
  /** Every vehicle's link, ordered by vehicle id. */
  listAbrpLinks(): Promise<AbrpLink[]>;
  deleteAbrpLink(ref: VehicleRef): Promise<boolean>;
  /**
   * Records the outcome of a send for the token stored at `tokenUpdatedAt`; false (nothing changed)
   * when the token was replaced or removed meanwhile.
   */
  setAbrpStatus(ref: VehicleRef, tokenUpdatedAt: Date, status: AbrpStatus): Promise<boolean>;

  // Recording: trips, charges, parking periods, the sampled series (src/recording; not in Perl mode)
  /** Writes a batch in one transaction. */
  saveRecording(batch: RecordingBatch): Promise<void>;
  getRecordingVehicle(ref: VehicleRef): Promise<RecordingVehicle | undefined>;
  setRecordingSettings(ref: VehicleRef, settings: RecordingVehicleSettings): Promise<void>;
  markBackfilled(ref: VehicleRef, at: Date): Promise<void>;
  /**
   * Marks back-filled, in one statement, every vehicle not marked yet that has no history record of
   * the given types (nothing to replay): a new server, or most vehicles after an upgrade.
   */
  markBackfilledWithoutHistory(types: readonly string[], at: Date): Promise<void>;
  /** Vehicles whose stored history was never replayed into the recording, by vehicle id. */
  vehiclesNotBackfilled(limit: number): Promise<VehicleRef[]>;
  listSamples(ref: VehicleRef, query: SampleQuery): Promise<Sample[]>;
  /** Averages per `stepS` seconds (UTC-aligned) of the samples in [from, to), oldest first. */
  sampleBuckets(ref: VehicleRef, from: Date, to: Date, stepS: number): Promise<Sample[]>;
  listPeriods(ref: VehicleRef, kind: PeriodKind, query: PeriodQuery): Promise<Period[]>;
  getPeriod(ref: VehicleRef, kind: PeriodKind, startAt: Date): Promise<Period | undefined>;
  /** An owner's named places, by name. */
  listPlaces(ownerId: number): Promise<Place[]>;
  /** Adds a place, or replaces the owner's place `id`; undefined when that place is not the owner's. */
  putPlace(ownerId: number, place: NewPlace, id?: number): Promise<Place | undefined>;
  deletePlace(ownerId: number, id: number): Promise<boolean>;
  /** Deletes at most `limit` samples and periods that ended before `before`; returns how many. */
  purgeRecording(before: Date, limit: number): Promise<number>;
  // HTTP sessions (Perl mode: in memory, the reference's schema is never altered)
  createSession(session: StoredSession): Promise<void>;
  getSession(idHash: string): Promise<StoredSession | undefined>;
  /** Moves the expiry on; false when the session is gone. */
  touchSession(idHash: string, expiresAt: Date): Promise<boolean>;
  deleteSession(idHash: string): Promise<boolean>;
  /** Ends every session of the owner but `keepIdHash`; returns how many ended. */
  deleteOwnerSessions(ownerId: number, keepIdHash?: string): Promise<number>;
  /** Removes the sessions expired at `now`; returns how many. */
  deleteExpiredSessions(now: Date): Promise<number>;
}

/**
 * A dashboard/API login session (cookie `ovmsapisession`). Only the SHA-256 of the session id is
 * stored, so a copy of the database does not hold usable cookies.
 */
export interface StoredSession {
  idHash: string;
  ownerId: number;
  /** The rights of the credentials it was made with. */
  permit: string;
  /** A digest of the owner's password hash at login: the session ends when that hash changes. */
  stamp: string;
  /** Made with "keep me logged in": the longer lifetime applies. */
  remember: boolean;
  createdAt: Date;
  /** Sliding: moved on as the session is used. */
  expiresAt: Date;
}

/** Raised for a feature the back-end cannot store (Perl mode: the reference's schema is never altered). */
export class StoreUnsupportedError extends Error {
  readonly code = 'OVMS_ERR_STORE_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnsupportedError';
  }
}

/** Protects car secrets at rest (see src/store/secret-box.ts). */
export interface SecretBox {
  /** False for the box that stores secrets as they are (no key). */
  readonly encrypts: boolean;
  seal(plain: string): string;
  open(stored: string): string;
}

/** What `sealStoredSecrets` found and did. */
export interface StoredSecretsReport {
  /** Plain secrets sealed now. */
  sealedNow: number;
  /** Secrets that were sealed already. */
  sealedBefore: number;
  /** Vehicle ids whose sealed secret the box cannot open (wrong key, no key, damaged value). */
  unreadable: string[];
}

/** Raised for constraint violations the caller should report to a user (duplicate ids, ...). */
export class StoreConflictError extends Error {
  readonly code = 'OVMS_ERR_STORE_CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}
