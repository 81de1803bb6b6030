/**
 * A log line that an attacker can trigger at will, written at most once per interval: the first
 * event is logged at once, later ones are counted and the next line written says how many were not
 * (`suppressed`). One instance per kind of event.
 */
export class LimitedLog {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `write` with the number of events not logged since the last line, when a line is due. */
  event(write: (suppressed: number) => void): void {
    const now = this.now();
    if (now - this.last < this.everyMs) {
      this.suppressed++;
      return;
    }
    this.last = now;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    write(suppressed);
  }
}
