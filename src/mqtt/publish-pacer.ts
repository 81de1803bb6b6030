/**
 * How long to hold one client's next publish so it keeps to `rate` messages a second after a burst
 * of `burst` (the generic cell rate algorithm: a theoretical arrival time moved on by one interval
 * per message). A held message is processed later, in order, and the broker reads nothing more
 * from that client meanwhile: a fast publisher is slowed down, never dropped. Pure; one per client.
 */
export class PublishPacer {
  private tat = 0;
  private readonly interval: number;
  private readonly tolerance: number;

  constructor(
    rate: number,
    burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.interval = rate > 0 ? 1000 / rate : 0;
    this.tolerance = Math.max(0, burst - 1) * this.interval;
  }

  /** Milliseconds to hold the next message (0 = at once). */
  next(): number {
    if (this.interval === 0) return 0;
    const now = this.now();
    this.tat = Math.max(this.tat, now);
    const wait = Math.max(0, this.tat - this.tolerance - now);
    this.tat += this.interval;
    return wait;
  }
}
