import type { Logger } from 'pino';

interface Streak {
  /** When the last line for this key was written. */
  since: number;
  /** Occurrences since then that were counted, not written. */
  counted: number;
  fields: object;
}

/**
 * A warning that peers can cause at will (a refused connection), written at most once per key (an
 * address) and window: the first occurrence is written at once; the others within the window are
 * counted. The count goes with the next line written for that key after the window (`suppressed`,
 * as LimitedLog writes it for one kind of event), or, when the streak has ended, is written by
 * `flush()` (called by the connection sweep) once the window is over, so no count is lost. At most
 * `maxKeys` keys are remembered, the oldest forgotten first (its count written).
 */
export class ThrottledWarning {
  private readonly streaks = new Map<string, Streak>();

  constructor(
    private readonly log: Logger,
    private readonly msg: string,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, fields: object): void {
    const now = this.now();
    const streak = this.streaks.get(key);
    if (streak && now - streak.since < this.windowMs) {
      streak.counted++;
      return;
    }
    // Re-inserted, so the map stays in the order of `since` (flush stops at the first recent one).
    if (streak) this.streaks.delete(key);
    else if (this.streaks.size >= this.maxKeys) this.forgetOldest();
    const counted = streak?.counted ? { suppressed: streak.counted } : {};
    this.log.warn({ ...fields, ...counted }, this.msg);
    this.streaks.set(key, { since: now, counted: 0, fields });
  }

  /** Writes the counts of the streaks whose window is over, and forgets them. */
  flush(): void {
    const now = this.now();
    for (const [key, streak] of this.streaks) {
      if (now - streak.since < this.windowMs) break;
      this.streaks.delete(key);
      this.summarise(streak);
    }
  }

  private forgetOldest(): void {
    const [key, streak] = this.streaks.entries().next().value as [string, Streak];
    this.streaks.delete(key);
    this.summarise(streak);
  }

  private summarise(streak: Streak): void {
    if (streak.counted === 0) return;
    this.log.warn(
      { ...streak.fields, suppressed: streak.counted, windowS: this.windowMs / 1000 },
      `${this.msg} (repeats)`,
    );
  }
}
