import type { Logger } from 'pino';
import type { Store, Vehicle } from '../store/store.js';

/** An unknown vehicle is looked up again after this long (it may have been registered since). */
export const UNKNOWN_RETRY_MS = 60_000;
/** Most unknown (owner, vehicle) pairs remembered; the oldest is forgotten first. */
export const MAX_UNKNOWN = 10_000;
/** Unknown pairs logged per minute; more in the same minute are summed up in one line. */
export const UNKNOWN_LOGS_PER_MINUTE = 20;

/**
 * Which registered vehicle a topic prefix `ovms/<owner>/<vehicle id>/` names: the vehicle of that
 * id, if it belongs to that owner. Answers are cached (a lookup per message would cost a database
 * read each); unknown pairs are retried after a minute. Each unknown pair is logged once, at most
 * `UNKNOWN_LOGS_PER_MINUTE` a minute (a client inventing vehicle ids cannot fill the log).
 */
export class VehicleDirectory {
  /** The lookup in flight, then (once found) the vehicle itself, read without waiting. */
  private readonly known = new Map<string, Promise<Vehicle | undefined> | Vehicle>();
  private readonly unknown = new Map<string, number>();
  private readonly logged = new Set<string>();
  private window = { start: Number.NEGATIVE_INFINITY, count: 0 };

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The vehicle, or a promise of it (undefined when unknown): known vehicles are answered at once,
   * which every message but a vehicle's first is.
   */
  lookup(owner: string, vehicleId: string): Vehicle | Promise<Vehicle | undefined> {
    const cached = this.known.get(`${owner}/${vehicleId}`);
    return cached ?? this.resolve(owner, vehicleId);
  }

  resolve(owner: string, vehicleId: string): Promise<Vehicle | undefined> {
    const key = `${owner}/${vehicleId}`;
    const cached = this.known.get(key);
    if (cached) return Promise.resolve(cached);
    const since = this.unknown.get(key);
    if (since !== undefined && this.now() - since < UNKNOWN_RETRY_MS) return Promise.resolve(undefined);
    const lookup = this.store.findVehicle(vehicleId).then((vehicle) => {
      if (vehicle && vehicle.ownerName === owner) {
        this.unknown.delete(key);
        if (this.known.get(key) === lookup) this.known.set(key, vehicle);
        return vehicle;
      }
      this.known.delete(key);
      this.remember(key);
      this.logUnknown(owner, vehicleId, key);
      return undefined;
    });
    this.known.set(key, lookup);
    lookup.catch(() => this.known.delete(key));
    return lookup;
  }

  /** Forgets a vehicle (deleted, or its owner changed). */
  forget(owner: string, vehicleId: string): void {
    this.known.delete(`${owner}/${vehicleId}`);
  }

  private logUnknown(owner: string, vehicleId: string, key: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    if (this.logged.size > MAX_UNKNOWN) this.logged.delete(this.logged.keys().next().value!);
    const now = this.now();
    if (now - this.window.start >= 60_000) this.window = { start: now, count: 0 };
    const n = ++this.window.count;
    if (n <= UNKNOWN_LOGS_PER_MINUTE)
      this.log.info(
        { owner, vehicle: vehicleId },
        'MQTT topics of an unknown vehicle (or one of another owner) ignored',
      );
    else if (n === UNKNOWN_LOGS_PER_MINUTE + 1)
      this.log.warn(
        { limit: UNKNOWN_LOGS_PER_MINUTE },
        'more unknown vehicles on MQTT this minute: not logged one by one',
      );
  }

  private remember(key: string): void {
    this.unknown.delete(key);
    this.unknown.set(key, this.now());
    if (this.unknown.size > MAX_UNKNOWN) this.unknown.delete(this.unknown.keys().next().value!);
  }
}
