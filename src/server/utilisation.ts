import type { Logger } from 'pino';
import type { Store, UtilisationCounts, VehicleRef } from '../store/store.js';

/**
 * Counts protocol bytes per owner + vehicle per UTC day (command 30) and adds them to the store
 * periodically. Keyed by owner and vehicle, unlike the reference, which merged owners' vehicles
 * that shared an id. Batch clients are counted as apps.
 */
export class UtilisationCounter {
  private counts = new Map<string, { ref: VehicleRef; day: string; c: UtilisationCounts }>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  add(ref: VehicleRef, isCar: boolean, direction: 'rx' | 'tx', bytes: number): void {
    const day = this.now().toISOString().slice(0, 10);
    const key = `${ref.ownerId}/${ref.vehicleId}/${day}`;
    let entry = this.counts.get(key);
    if (!entry) {
      entry = { ref, day, c: { carRx: 0, carTx: 0, appRx: 0, appTx: 0 } };
      this.counts.set(key, entry);
    }
    // From the client's point of view: what the server sent (tx) the client received.
    if (isCar) {
      if (direction === 'tx') entry.c.carRx += bytes;
      else entry.c.carTx += bytes;
    } else if (direction === 'tx') entry.c.appRx += bytes;
    else entry.c.appTx += bytes;
  }

  async flush(): Promise<void> {
    const batch = this.counts;
    this.counts = new Map();
    await Promise.all(
      [...batch.values()].map((e) =>
        this.store.addUtilisation(e.ref, e.day, e.c).catch((err: Error) => {
          this.log.error({ err, vehicle: e.ref.vehicleId }, 'could not save utilisation counters');
        }),
      ),
    );
  }
}
