import {
  type PreparedHistory,
  type PreparedMessage,
  type PreparedUtilisation,
  prepareHistory,
  prepareMessage,
  prepareUtilisation,
} from './prepared-writes.js';
import type {
  ApiToken,
  AutoProvisionRecord,
  HistoryRecord,
  HistorySummary,
  MigrationStatus,
  NewApiToken,
  NewOwner,
  NewVehicle,
  Owner,
  PushSubscription,
  Store,
  StoredMessage,
  UtilisationCounts,
  UtilisationDay,
  Vehicle,
  VehicleRef,
} from './store.js';

/** Store operations a back-end implements as plain functions of a database handle. */
type DirectOperation = Exclude<
  keyof Store,
  'kind' | 'migrate' | 'migrationStatus' | 'flush' | 'close' | 'saveMessage' | 'addHistory' | 'addUtilisation'
>;

type WithHandle<Db, F> = F extends (...args: infer A) => Promise<infer R>
  ? (db: Db, ...args: A) => R | Promise<R>
  : never;

/**
 * A back-end as a set of functions: the direct operations take the handle `settled()` returns, the
 * three batched writes take the handle of the batch's transaction.
 */
export type StoreBackend<Db, Tx> = { [K in DirectOperation]: WithHandle<Db, Store[K]> } & {
  writeMessage(tx: Tx, message: PreparedMessage): void | Promise<void>;
  writeHistory(tx: Tx, record: PreparedHistory): void | Promise<void>;
  writeUtilisation(tx: Tx, counts: PreparedUtilisation): void | Promise<void>;
};

/**
 * The Store surface written once for every back-end: each operation first settles the queued
 * writes (read-your-writes, and direct writes stay ordered after the batched writes queued before
 * them), then calls the back-end's function. Subclasses say how to settle and how to queue.
 */
export abstract class DelegatingStore<Db, Tx> implements Store {
  abstract readonly kind: string;

  constructor(protected readonly backend: StoreBackend<Db, Tx>) {}

  /** Commits (or waits for) every queued write and returns the handle for the next operation. */
  protected abstract settled(): Db | Promise<Db>;
  /** Queues a write for group commit; the promise settles after its COMMIT. */
  protected abstract queue(write: (tx: Tx) => void | Promise<void>): Promise<void>;

  abstract migrate(): Promise<MigrationStatus>;
  abstract migrationStatus(): Promise<MigrationStatus>;
  abstract flush(): Promise<void>;
  abstract close(): Promise<void>;

  /** Validates and copies the input now (the caller may reuse its Buffers), writes it with the batch. */
  #enqueue<T>(prepare: () => T, write: (tx: Tx, prepared: T) => void | Promise<void>): Promise<void> {
    let prepared: T;
    try {
      prepared = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue((tx) => write(tx, prepared));
  }

  // The three high-rate writes are queued synchronously inside the call, which is what makes them
  // visible to any read issued afterwards. They return the queue's promise itself (no async
  // wrapper), so it has settled by the time a later flush() resolves.
  saveMessage(ref: VehicleRef, msg: StoredMessage): Promise<void> {
    return this.#enqueue(() => prepareMessage(ref, msg), this.backend.writeMessage);
  }
  addHistory(ref: VehicleRef, record: HistoryRecord): Promise<void> {
    return this.#enqueue(() => prepareHistory(ref, record), this.backend.writeHistory);
  }
  addUtilisation(ref: VehicleRef, day: string, counts: UtilisationCounts): Promise<void> {
    return this.#enqueue(() => prepareUtilisation(ref, day, counts), this.backend.writeUtilisation);
  }

  async createOwner(owner: NewOwner): Promise<Owner> {
    return this.backend.createOwner(await this.settled(), owner);
  }
  async getOwner(id: number): Promise<Owner | undefined> {
    return this.backend.getOwner(await this.settled(), id);
  }
  async getOwnerByName(name: string): Promise<Owner | undefined> {
    return this.backend.getOwnerByName(await this.settled(), name);
  }
  async listOwners(): Promise<Owner[]> {
    return this.backend.listOwners(await this.settled());
  }
  async setOwnerPassword(id: number, passwordHash: string): Promise<void> {
    return this.backend.setOwnerPassword(await this.settled(), id, passwordHash);
  }
  async deleteOwner(id: number): Promise<boolean> {
    return this.backend.deleteOwner(await this.settled(), id);
  }

  async createVehicle(vehicle: NewVehicle): Promise<Vehicle> {
    return this.backend.createVehicle(await this.settled(), vehicle);
  }
  async createVehicles(list: NewVehicle[]): Promise<number> {
    return this.backend.createVehicles(await this.settled(), list);
  }
  async findVehicle(vehicleId: string): Promise<Vehicle | undefined> {
    return this.backend.findVehicle(await this.settled(), vehicleId);
  }
  async getVehicle(ref: VehicleRef): Promise<Vehicle | undefined> {
    return this.backend.getVehicle(await this.settled(), ref);
  }
  async listVehicles(ownerId?: number): Promise<Vehicle[]> {
    return this.backend.listVehicles(await this.settled(), ownerId);
  }
  async setVehicleSecret(ref: VehicleRef, secret: string): Promise<void> {
    return this.backend.setVehicleSecret(await this.settled(), ref, secret);
  }
  async deleteVehicle(ref: VehicleRef): Promise<boolean> {
    return this.backend.deleteVehicle(await this.settled(), ref);
  }
  async setParanoidToken(ref: VehicleRef, ptoken: string): Promise<void> {
    return this.backend.setParanoidToken(await this.settled(), ref, ptoken);
  }

  async getMessages(ref: VehicleRef): Promise<StoredMessage[]> {
    return this.backend.getMessages(await this.settled(), ref);
  }
  async historySummary(ref: VehicleRef, since?: Date): Promise<HistorySummary[]> {
    return this.backend.historySummary(await this.settled(), ref, since);
  }
  async historyRecords(
    ref: VehicleRef,
    type: string,
    since?: Date,
    limit?: number,
  ): Promise<HistoryRecord[]> {
    return this.backend.historyRecords(await this.settled(), ref, type, since, limit);
  }
  async purgeHistory(now: Date, limit: number): Promise<number> {
    return this.backend.purgeHistory(await this.settled(), now, limit);
  }
  async getUtilisation(ref: VehicleRef, days: number): Promise<UtilisationDay[]> {
    return this.backend.getUtilisation(await this.settled(), ref, days);
  }
  async purgeUtilisation(beforeDay: string): Promise<number> {
    return this.backend.purgeUtilisation(await this.settled(), beforeDay);
  }

  async upsertPushSubscription(
    sub: Omit<PushSubscription, 'lastUpdated'> & { lastUpdated?: Date },
  ): Promise<void> {
    return this.backend.upsertPushSubscription(await this.settled(), sub);
  }
  async listPushSubscriptions(ref: VehicleRef): Promise<PushSubscription[]> {
    return this.backend.listPushSubscriptions(await this.settled(), ref);
  }
  async deletePushSubscription(ref: VehicleRef, appId: string): Promise<boolean> {
    return this.backend.deletePushSubscription(await this.settled(), ref, appId);
  }

  async putAutoProvision(record: AutoProvisionRecord): Promise<void> {
    return this.backend.putAutoProvision(await this.settled(), record);
  }
  async getAutoProvision(apKey: string): Promise<AutoProvisionRecord | undefined> {
    return this.backend.getAutoProvision(await this.settled(), apKey);
  }
  async listAutoProvision(): Promise<AutoProvisionRecord[]> {
    return this.backend.listAutoProvision(await this.settled());
  }
  async deleteAutoProvision(apKey: string): Promise<boolean> {
    return this.backend.deleteAutoProvision(await this.settled(), apKey);
  }
  async markAutoProvisionUsed(apKey: string, when: Date): Promise<void> {
    return this.backend.markAutoProvisionUsed(await this.settled(), apKey, when);
  }

  async createApiToken(token: NewApiToken): Promise<ApiToken> {
    return this.backend.createApiToken(await this.settled(), token);
  }
  async listApiTokens(ownerId: number): Promise<ApiToken[]> {
    return this.backend.listApiTokens(await this.settled(), ownerId);
  }
  async findApiToken(tokenHash: string): Promise<ApiToken | undefined> {
    return this.backend.findApiToken(await this.settled(), tokenHash);
  }
  async touchApiToken(tokenHash: string, when: Date): Promise<void> {
    return this.backend.touchApiToken(await this.settled(), tokenHash, when);
  }
  async deleteApiToken(ownerId: number, tokenHash: string): Promise<boolean> {
    return this.backend.deleteApiToken(await this.settled(), ownerId, tokenHash);
  }
}
