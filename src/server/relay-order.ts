import type { Logger } from 'pino';

/**
 * When a car's relays may leave, on a bus that spans nodes.
 *
 * Group commit (src/store/batch-queue.ts) keeps a message's store write queued for a few
 * milliseconds after the car sent it. A read on the same node flushes that queue first, so a login
 * there always replays what an app has already been sent. Another node reads the database through
 * its own connections and cannot flush this node's queue: had the relay gone out at once, an app
 * could hold a message that a login on another node, a moment later, does not get in its replay.
 * So on such a bus a relay is published only once the writes it reports (the stored message, a new
 * paranoid token) have committed. Commits may resolve out of order (a direct write and a batch), so
 * each car's relays wait for the ones before them as well: they leave in the order the car sent
 * them. A relay that reports no write (a command reply, an alert) still waits its turn.
 *
 * A database that does not commit within `waitMs` (slow, restarting) must not stop live traffic:
 * the relay then leaves anyway and `onLate` is told. With `waitMs` 0 (a single node: its reads
 * flush its own queue) nothing waits and `publish` runs at once.
 */
export class RelayOrder {
  /** Per car connection: settles once its last relay has been handed to the bus. */
  readonly #tails = new Map<object, Promise<void>>();

  constructor(
    private readonly waitMs: number,
    private readonly onLate: () => void = () => {},
  ) {}

  /**
   * Calls `publish` once `committed` has settled (whatever its outcome: a failed write is logged by
   * its handler, and the message still reaches the apps that are connected) or `waitMs` has passed,
   * and once the car's earlier relays have been published. Resolves with the publication.
   */
  publish(car: object, publish: () => Promise<void>, committed?: Promise<unknown>): Promise<void> {
    if (this.waitMs <= 0) return publish();
    const before = this.#tails.get(car);
    if (!before && !committed) return publish();
    let published: Promise<void> = Promise.resolve();
    const issued = Promise.all([before, committed && this.#bounded(committed)]).then(() => {
      try {
        published = publish();
      } catch (error) {
        published = Promise.reject(error);
      }
    });
    this.#tails.set(car, issued);
    void issued.then(() => {
      if (this.#tails.get(car) === issued) this.#tails.delete(car);
    });
    return issued.then(() => published);
  }

  /** Settles once every relay of the car queued so far has been handed to the bus. */
  drained(car: object): Promise<void> {
    return this.#tails.get(car) ?? Promise.resolve();
  }

  /** Settles when `committed` does, or after `waitMs` (telling `onLate`); never rejects. */
  #bounded(committed: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onLate();
        resolve();
      }, this.waitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      committed.then(done, done);
    });
  }
}

/**
 * The warning for relays that left before their commit: at most one line per `intervalMs`, with
 * the number of such relays since the previous line.
 */
export function lateRelayWarning(log: Logger, waitMs: number, intervalMs = 60_000): () => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let late = 0;
  return () => {
    late++;
    const now = Date.now();
    if (now - lastAt < intervalMs) return;
    lastAt = now;
    log.warn(
      { relays: late, waitMs },
      'car messages relayed before their store write committed (bus.relay_commit_wait): a login on another node may not replay them yet',
    );
    late = 0;
  };
}
