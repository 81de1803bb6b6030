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

/** How soon the stored usage is read again while the estimate says "over quota". */
const RECHECK_MS = 10_000;
/** Before the usage was read in this process, it is read once the vehicle has written this share of its quota. */
const FIRST_READ_SHARE = 0.01;

interface VehicleLimits {
  /** Token bucket of the write rate. */
  tokens: number;
  refilledAt: number;
  /**
   * The stored rows and bytes as last read plus every record admitted since; before the first read,
   * only what this process admitted.
   */
  usage: HistoryUsage;
  known: boolean;
  usageReadAt: number;
  reading: boolean;
  /** The reason of the refusal streak in progress, if the last record was refused. */
  streak: HistoryRefusal | undefined;
  reportedAt: Record<HistoryRefusal, number>;
  /** Refusals not yet in a log line. */
  unreported: number;
}

/**
 * The per-vehicle limits on history a car writes (docs/hardening.md): a storage quota (rows and
 * bytes) and a write rate (a token bucket of records per minute with a burst).
 *
 * The quota is checked against a running count, not a query per record: the count starts at what
 * this process admitted, and the stored usage is read once the vehicle has written 1% of its quota
 * (so a normal car costs no query at all, and a car's writes before a restart or a long pause are
 * found before it can add more than 1% to them). While the count says "over", records are refused
 * and the store is asked again at most every 10 s, so expired records (the purge) or overwritten ones
 * (same type, recno and second) free room again. A read misses records still being committed, so the
 * quota can be passed by the few records of one round trip.
 *
 * The entries are kept for the life of the process (about 150 bytes per vehicle that wrote history):
 * forgetting one would restart its count from zero.
 *
 * A refusal streak is logged and pushed to the owner at most once per `refusalAlertInterval` per
 * vehicle and reason; every refusal is counted (see `refused`).
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
   * Whether a car's H or h record of `bytes` data bytes may be stored: undefined, or why not.
   * Decided at once (records are written in arrival order, as before): a refused record is counted,
   * and reported when a streak begins. `rateLimited: false` is for the history copy of a stored car
   * message (history.log_messages), one per code and second, which only the quota applies to.
   */
  admit(vehicle: Vehicle, key: string, bytes: number, rateLimited = true): HistoryRefusal | undefined {
    const state = this.stateOf(key);
    // A record refused for either reason uses none of the rate.
    if (this.over(state.usage, 1, bytes)) {
      if (this.now() - state.usageReadAt >= RECHECK_MS) this.readUsage(vehicle, state);
      return this.refuse(vehicle, key, state, 'quota');
    }
    if (rateLimited && !this.takeToken(state)) return this.refuse(vehicle, key, state, 'rate');
    state.streak = undefined;
    state.usage.rows += 1;
    state.usage.bytes += bytes;
    if (!state.known && this.over(state.usage, 0, 0, FIRST_READ_SHARE)) this.readUsage(vehicle, state);
    return undefined;
  }

  /** Refused records since start: this node's total, and per vehicle key. */
  refused(key?: string): number {
    return key === undefined ? this.refusedTotal : (this.refusedBy.get(key) ?? 0);
  }

  private stateOf(key: string): VehicleLimits {
    let state = this.vehicles.get(key);
    if (!state) {
      state = {
        tokens: this.settings.rateBurst,
        refilledAt: this.now(),
        usage: { rows: 0, bytes: 0 },
        known: false,
        usageReadAt: Number.NEGATIVE_INFINITY,
        reading: false,
        streak: undefined,
        reportedAt: { rate: Number.NEGATIVE_INFINITY, quota: Number.NEGATIVE_INFINITY },
        unreported: 0,
      };
      this.vehicles.set(key, state);
    }
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

  /** Whether `usage` plus a record of `rows` and `bytes` passes `share` of the quota. */
  private over(usage: HistoryUsage, rows: number, bytes: number, share = 1): boolean {
    const { quotaRows, quotaBytes } = this.settings;
    return (
      (quotaRows > 0 && usage.rows + rows > quotaRows * share) ||
      (quotaBytes > 0 && usage.bytes + bytes > quotaBytes * share)
    );
  }

  /**
   * Reads the stored usage, one read at a time per vehicle. Before the first read the count holds
   * only what this process admitted, all of it in the store or on its way: the larger of the two
   * is kept. A failed read leaves the count as it was.
   */
  private readUsage(vehicle: Vehicle, state: VehicleLimits): void {
    if (state.reading) return;
    state.reading = true;
    this.store
      .historyUsage(vehicle)
      .then((stored) => {
        const counted = state.known ? { rows: 0, bytes: 0 } : state.usage;
        state.usage = {
          rows: Math.max(stored.rows, counted.rows),
          bytes: Math.max(stored.bytes, counted.bytes),
        };
        state.known = true;
      })
      .catch((err: Error) => this.log.error({ err, vehicle: vehicle.vehicleId }, 'history usage read failed'))
      .finally(() => {
        state.usageReadAt = this.now();
        state.reading = false;
      });
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
