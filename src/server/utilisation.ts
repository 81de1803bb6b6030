import type { Logger } from 'pino';
import type { Store, UtilisationCounts, VehicleRef } from '../store/store.js';

/**
 * Counts protocol bytes per owner + vehicle per UTC day (command 30) and adds them to the store
 * periodically. Keyed by owner and vehicle, unlike the reference, which merged owners' vehicles
 * that shared an id. Batch clients are counted as apps.
 */
export class UtilisationCounter {
  /** Counters of the current day, by vehicle key; earlier days wait in `done` for the next flush. */
  private counts = new Map<string, { ref: VehicleRef; day: string; c: UtilisationCounts }>();
  private done: { ref: VehicleRef; day: string; c: UtilisationCounts }[] = [];
  private day = '';
  private dayEnds = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called for every line in and out, so it avoids building dates and strings per call. */
  add(ref: VehicleRef, vehicleKey: string, isCar: boolean, direction: 'rx' | 'tx', bytes: number): void {
    const now = this.now();
    if (now >= this.dayEnds) {
      this.done.push(...this.counts.values());
      this.counts = new Map();
      this.day = new Date(now).toISOString().slice(0, 10);
      this.dayEnds = (Math.floor(now / 86_400_000) + 1) * 86_400_000;
    }
    let entry = this.counts.get(vehicleKey);
    if (!entry) {
      entry = { ref, day: this.day, c: { carRx: 0, carTx: 0, appRx: 0, appTx: 0 } };
      this.counts.set(vehicleKey, entry);
    }
    // From the client's point of view: what the server sent (tx) the client received.
    if (isCar) {
      if (direction === 'tx') entry.c.carRx += bytes;
      else entry.c.carTx += bytes;
    } else if (direction === 'tx') entry.c.appRx += bytes;
    else entry.c.appTx += bytes;
  }

  async flush(): Promise<void> {
    const batch = [...this.done, ...this.counts.values()];
    this.done = [];
    this.counts = new Map();
    await Promise.all(
      batch.map((e) =>
        this.store.addUtilisation(e.ref, e.day, e.c).catch((err: Error) => {
          this.log.error({ err, vehicle: e.ref.vehicleId }, 'could not save utilisation counters');
        }),
      ),
    );
  }
}
