import type { Logger } from 'pino';
import type { Notifier } from '../notify/notifier.js';
import type { HistoryUsage, Store, Vehicle } from '../store/store.js';

/** The history settings this module applies (config.history). 0 turns a limit off. */
export interface HistoryLimitSettings {
  quotaRows: number;
  quotaBytes: number;
  ratePerMinute: number;
  rateBurst: number;
  /** Milliseconds between two reports (log line and owner alert) of one vehicle and reason. */
  refusalAlertInterval: number;
}

export type HistoryRefusal = 'rate' | 'quota';

/** How soon the stored usage is read again while the running estimate says "over quota". */
const RECHECK_MS = 10_000;
/** A vehicle's entry is forgotten after this long without a record (its bucket is full by then). */
const IDLE_MS = 10 * 60_000;

interface VehicleLimits {
  /** Token bucket of the write rate. */
  tokens: number;
  refilledAt: number;
  /** Stored rows and bytes as last read, plus every record admitted since (an upper bound). */
  usage: HistoryUsage | undefined;
  usageReadAt: number;
  reading: Promise<void> | undefined;
  /** The reason of the refusal streak in progress, if the last record was refused. */
  streak: HistoryRefusal | undefined;
  reportedAt: Record<HistoryRefusal, number>;
  /** Refusals not yet in a log line. */
  unreported: number;
  lastUsed: number;
}

/**
 * The per-vehicle limits on history a car writes (docs/hardening.md): a storage quota (rows and
 * bytes) and a write rate (a token bucket of records per minute with a burst). Usage is read from the
 * store when a vehicle's first record arrives, then counted up as records are admitted; while that
 * estimate says "over quota" the store is asked again at most every 10 s, so expired records (the
 * purge) or overwritten ones (same type, recno and second) free room again. A refusal streak is
 * logged and pushed to the owner at most once per `refusalAlertInterval` per vehicle and reason;
 * every refusal is counted (see `refused`).
 */
export class HistoryLimits {
  private readonly vehicles = new Map<string, VehicleLimits>();
  /** Refused records by vehicle key since start (vehicles that never had one are not listed). */
  private readonly refusedBy = new Map<string, number>();
  private refusedTotal = 0;

  constructor(
    private readonly store: Store,
    private readonly settings: HistoryLimitSettings,
    private readonly log: Logger,
    private readonly notifier: Notifier,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether a car's H or h record of `bytes` data bytes may be stored: undefined, or why not. A
   * refused record is counted, and reported when a streak begins.
   */
  async admit(vehicle: Vehicle, key: string, bytes: number): Promise<HistoryRefusal | undefined> {
    const state = this.stateOf(key);
    // In arrival order: a record waits for any usage read in flight, like those before it.
    if (state.reading) await state.reading;
    if (!this.takeToken(state)) return this.refuse(vehicle, key, state, 'rate');
    if (state.usage === undefined || (this.over(state.usage, bytes) && this.recheckDue(state))) {
      await this.readUsage(vehicle, state);
    }
    if (state.usage && this.over(state.usage, bytes)) return this.refuse(vehicle, key, state, 'quota');
    this.count(state, bytes);
    return undefined;
  }

  /**
   * Whether the history copy of a stored car message (history.log_messages) may be written. Decided
   * at once from what is known (the message itself is stored either way): a copy is dropped only
   * while the vehicle is known to be over quota. Not rate limited: copies are one per code and second.
   */
  admitCopy(vehicle: Vehicle, key: string, bytes: number): boolean {
    const state = this.stateOf(key);
    if (!state.usage || (this.over(state.usage, bytes) && this.recheckDue(state))) {
      if (!state.reading) void this.readUsage(vehicle, state);
    }
    if (state.usage && this.over(state.usage, bytes)) {
      this.refuse(vehicle, key, state, 'quota');
      return false;
    }
    this.count(state, bytes);
    return true;
  }

  /** Refused records since start: this node's total, and per vehicle key. */
  refused(key?: string): number {
    return key === undefined ? this.refusedTotal : (this.refusedBy.get(key) ?? 0);
  }

  /** Forgets vehicles idle long enough that their bucket is full again (the housekeeping timer). */
  sweep(): void {
    const now = this.now();
    for (const [key, state] of this.vehicles)
      if (now - state.lastUsed > IDLE_MS && !state.reading) this.vehicles.delete(key);
  }

  private stateOf(key: string): VehicleLimits {
    let state = this.vehicles.get(key);
    if (!state) {
      state = {
        tokens: this.settings.rateBurst,
        refilledAt: this.now(),
        usage: undefined,
        usageReadAt: 0,
        reading: undefined,
        streak: undefined,
        reportedAt: { rate: Number.NEGATIVE_INFINITY, quota: Number.NEGATIVE_INFINITY },
        unreported: 0,
        lastUsed: this.now(),
      };
      this.vehicles.set(key, state);
    }
    state.lastUsed = this.now();
    return state;
  }

  private takeToken(state: VehicleLimits): boolean {
    const { ratePerMinute, rateBurst } = this.settings;
    if (ratePerMinute <= 0) return true;
    const now = this.now();
    state.tokens = Math.min(
      Math.max(rateBurst, 1),
      state.tokens + ((now - state.refilledAt) * ratePerMinute) / 60_000,
    );
    state.refilledAt = now;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  private over(usage: HistoryUsage, bytes: number): boolean {
    const { quotaRows, quotaBytes } = this.settings;
    return (
      (quotaRows > 0 && usage.rows + 1 > quotaRows) || (quotaBytes > 0 && usage.bytes + bytes > quotaBytes)
    );
  }

  private recheckDue(state: VehicleLimits): boolean {
    return this.now() - state.usageReadAt >= RECHECK_MS;
  }

  private count(state: VehicleLimits, bytes: number): void {
    state.streak = undefined;
    if (state.usage) {
      state.usage.rows += 1;
      state.usage.bytes += bytes;
    }
  }

  /** One read at a time per vehicle; a failed read leaves the estimate as it was (records pass). */
  private readUsage(vehicle: Vehicle, state: VehicleLimits): Promise<void> {
    if (this.settings.quotaRows <= 0 && this.settings.quotaBytes <= 0) {
      state.usage ??= { rows: 0, bytes: 0 };
      return Promise.resolve();
    }
    state.reading ??= this.store
      .historyUsage(vehicle)
      .then((usage) => {
        state.usage = usage;
      })
      .catch((err: Error) => this.log.error({ err, vehicle: vehicle.vehicleId }, 'history usage read failed'))
      .finally(() => {
        state.usageReadAt = this.now();
        state.reading = undefined;
      });
    return state.reading;
  }

  private refuse(
    vehicle: Vehicle,
    key: string,
    state: VehicleLimits,
    reason: HistoryRefusal,
  ): HistoryRefusal {
    this.refusedTotal++;
    this.refusedBy.set(key, (this.refusedBy.get(key) ?? 0) + 1);
    state.unreported++;
    const startsStreak = state.streak !== reason;
    state.streak = reason;
    const now = this.now();
    if (startsStreak && now - state.reportedAt[reason] >= this.settings.refusalAlertInterval) {
      state.reportedAt[reason] = now;
      this.report(vehicle, key, reason, state);
    }
    return reason;
  }

  private report(vehicle: Vehicle, key: string, reason: HistoryRefusal, state: VehicleLimits): void {
    const s = this.settings;
    const fields =
      reason === 'rate'
        ? { limit: `${s.ratePerMinute} per minute, burst ${s.rateBurst}` }
        : { limit: `${s.quotaRows} rows, ${s.quotaBytes} bytes`, usage: state.usage };
    this.log.warn(
      {
        owner: vehicle.ownerName,
        vehicle: vehicle.vehicleId,
        reason,
        ...fields,
        refused: state.unreported,
        refusedTotal: this.refusedBy.get(key),
      },
      reason === 'rate'
        ? 'history refused: the car writes records faster than history.rate_per_minute'
        : 'history refused: the vehicle is over its history quota (history.quota_rows / quota_bytes)',
    );
    state.unreported = 0;
    const text =
      reason === 'rate'
        ? `History records arrive faster than ${s.ratePerMinute} a minute: the server refuses some of them`
        : 'History storage is full: the server refuses new history records until old ones expire';
    void this.notifier
      .notify({
        ownerId: vehicle.ownerId,
        ownerName: vehicle.ownerName,
        vehicleId: vehicle.vehicleId,
        type: 'A',
        text,
        time: new Date(),
      })
      .catch((err: Error) => this.log.error({ err }, 'history refusal alert failed'));
  }
}
